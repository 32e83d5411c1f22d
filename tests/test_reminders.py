"""E-mail reminders against a local SMTP server the test starts (aiosmtpd): one digest a day
to each account with an address and something waiting, counts and a link only; a broken
setting is a plain message and nothing is marked sent."""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from datetime import date
from email import message_from_bytes

import pytest
from aiosmtpd.controller import Controller

from brokering import accounts
from brokering.errors import ValidationError
from brokering.inbox import reminders
from brokering.matching import needs, requests
from brokering.viewer import Viewer, operator
from tests.conftest import TINY_TODAY

HEAD_C = Viewer("headteacher", "C", "head-c")
PW = "a-long-enough-password"


class Inbox:
    def __init__(self) -> None:
        self.messages: list = []

    async def handle_DATA(self, server, session, envelope):  # noqa: ANN001, ANN201, N802
        self.messages.append(message_from_bytes(envelope.content))
        return "250 OK"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def smtp() -> Iterator[tuple[Inbox, int]]:
    handler, port = Inbox(), free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    yield handler, port
    controller.stop()


@pytest.fixture
def waiting(tiny, tmp_path):
    """School B has a request to answer; its head has an address, school A's head has none."""
    accounts.create_user(tiny, operator(), "head-b", PW, "headteacher", "B", "head.b@birch.example")
    accounts.create_user(tiny, operator(), "head-a", PW, "headteacher", "A")
    need = needs.add_need(tiny, HEAD_C, staff_ref="C1", skill="Mathematics", today=TINY_TODAY)
    requests.send_request(tiny, HEAD_C, need.need_id, "B2", as_of=TINY_TODAY)
    return tiny


def env(port: int, **extra: str) -> dict[str, str]:
    return {
        "BROKERING_SMTP_HOST": "127.0.0.1",
        "BROKERING_SMTP_PORT": str(port),
        "BROKERING_SMTP_FROM": "broker@hub.example",
        "BROKERING_SMTP_SECURITY": "none",
        "BROKERING_APP_URL": "https://broker.hub.example",
        **extra,
    }


def test_the_digest_carries_counts_and_a_link_only(waiting, smtp, tmp_path) -> None:
    handler, port = smtp
    day = date(2026, 12, 3)  # the request lapses after 4 December: within 2 school days
    sent = reminders.send_reminders(
        waiting, as_of=day, env=env(port), secrets=tmp_path / "none.toml"
    )
    assert [d.username for d in sent] == ["head-b"]
    assert len(handler.messages) == 1
    msg = handler.messages[0]
    assert msg["To"] == "head.b@birch.example" and msg["From"] == "broker@hub.example"
    body = msg.get_payload()
    assert "1 requests for your colleagues to answer" in body
    assert "1 request(s) lapse within 2 school days" in body
    assert "https://broker.hub.example" in body
    refs = [r for (r,) in waiting.execute("SELECT staff_ref FROM staff").fetchall()]
    names = [n for (n,) in waiting.execute("SELECT name FROM schools").fetchall()]
    for secret in [*refs, *names, "Mathematics", "N0004"]:
        assert secret not in body and secret not in msg["Subject"]
    # Once a day: a second run sends nothing more.
    again = reminders.send_reminders(
        waiting, as_of=day, env=env(port), secrets=tmp_path / "none.toml"
    )
    assert again == [] and len(handler.messages) == 1
    logged = waiting.execute("SELECT username, sent_on, waiting FROM reminder_log").fetchall()
    assert logged == [("head-b", day, 2)]  # the request, and school B's need N1


def test_a_dry_run_sends_and_marks_nothing(waiting, smtp, tmp_path) -> None:
    handler, port = smtp
    todo = reminders.send_reminders(
        waiting, as_of=TINY_TODAY, dry_run=True, env=env(port), secrets=tmp_path / "x.toml"
    )
    assert [d.username for d in todo] == ["head-b"] and handler.messages == []
    assert waiting.execute("SELECT count(*) FROM reminder_log").fetchall() == [(0,)]


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ({"BROKERING_SMTP_PORT": "smtp"}, "not a port number"),
        ({"BROKERING_SMTP_FROM": ""}, "sender address"),
        ({"BROKERING_SMTP_SECURITY": "tls-please"}, "is not one of"),
        ({"BROKERING_SMTP_PORT": "closed"}, "could not be used"),
    ],
)
def test_a_broken_setting_is_plain_and_nothing_is_marked_sent(
    waiting, tmp_path, extra: dict, message: str
) -> None:
    if extra.get("BROKERING_SMTP_PORT") == "closed":
        extra = {"BROKERING_SMTP_PORT": str(free_port())}  # nobody listens there
    with pytest.raises(ValidationError, match=message):
        reminders.send_reminders(
            waiting, as_of=TINY_TODAY, env=env(1, **extra), secrets=tmp_path / "x.toml"
        )
    assert waiting.execute("SELECT count(*) FROM reminder_log").fetchall() == [(0,)]


def test_reminders_are_off_unless_configured(waiting, tmp_path) -> None:
    assert reminders.mail_settings({}, tmp_path / "none.toml") is None
    with pytest.raises(ValidationError, match="reminders are off"):
        reminders.send_reminders(waiting, env={}, secrets=tmp_path / "none.toml")
    secrets = tmp_path / "secrets.toml"
    secrets.write_text('[smtp]\nhost = "mail.hub.example"\nfrom = "broker@hub.example"\n')
    assert reminders.mail_settings({}, secrets) == reminders.MailSettings(
        "mail.hub.example", 587, "broker@hub.example"
    )


def test_send_reminders_command_dry_run(waiting, tmp_path, capsys, monkeypatch) -> None:
    from brokering.cli import main

    path = tmp_path / "a.duckdb"
    waiting.execute(f"ATTACH '{path}' AS f")
    waiting.execute("COPY FROM DATABASE memory TO f")
    waiting.execute("DETACH f")
    for name, value in env(25).items():
        monkeypatch.setenv(name, value)
    args = ["--db", str(path), "send-reminders", "--dry-run", "--as-of", "2026-11-20", "--json"]
    assert main(args) == 0
    out = json.loads(capsys.readouterr().out)
    assert out == {
        "ok": True,
        "dry_run": True,
        "reminders": [{"username": "head-b", "waiting": 2, "lapsing_soon": 0}],
    }
