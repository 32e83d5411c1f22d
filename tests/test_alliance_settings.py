"""Alliance settings (issue 20): the command `python -m brokering settings [show|set KEY VALUE]`
and the administrator's page change the same validated values; capacity may be stated in
release days as well as hours; `send-reminders --dry-run` works while the app holds the store."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from brokering import alliance_settings
from brokering.cli import main
from brokering.db import Connection, connect
from brokering.errors import PermissionDenied, ValidationError
from brokering.importing import import_paths
from brokering.matching import candidates as cand
from brokering.matching.needs import get_need
from brokering.sharing import SharedStore
from brokering.viewer import Viewer, operator
from tests.conftest import TINY_TODAY

ROOT = Path(__file__).resolve().parents[1]


# -- the command ---------------------------------------------------------------------------


def test_settings_show_lists_every_setting_with_its_default(
    tiny_db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--db", str(tiny_db), "settings", "show", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    got = {s["name"]: s for s in out["settings"]}
    assert set(got) == set(alliance_settings.SETTINGS)
    assert got["reply_days"]["value"] == 10 and got["reply_days"]["is_default"]
    assert got["hours_per_day"]["value"] == 6.5
    assert got["reminders"]["value"] == "on"


def test_settings_set_changes_one_value_and_bad_values_change_nothing(
    tiny_db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--db", str(tiny_db), "settings", "set", "reply_days", "5"]) == 0
    assert "now 5" in capsys.readouterr().out
    for key, value, words in [
        ("reply_days", "0", "would be in the past"),
        ("reply_days", "-3", "would be in the past"),
        ("reply_days", "soon", "not a whole number"),
        ("quiet_weeks", "0", "from 1 to 52"),
        ("hours_per_day", "0", "a release day is at least 1 hour"),
        ("hours_per_day", "nan", "not a number"),
        ("reminders", "maybe", "say on or off"),
        ("colour", "blue", "There is no setting 'colour'"),
    ]:
        assert main(["--db", str(tiny_db), "settings", "set", key, value]) == 1, key
        assert words in capsys.readouterr().err, key
    con = connect(tiny_db)
    try:
        assert alliance_settings.get(con, "reply_days") == 5
        assert alliance_settings.get(con, "hours_per_day") == 6.5
        assert alliance_settings.get(con, "reminders") == "on"
    finally:
        con.close()


def test_only_the_administrator_or_coordinator_changes_settings(tiny: Connection) -> None:
    with pytest.raises(PermissionDenied):
        alliance_settings.put(tiny, Viewer("headteacher", "A", "h"), "reminders", "off")
    alliance_settings.put(tiny, Viewer("sle_coordinator", None, "c"), "reminders", "off")
    assert not alliance_settings.is_on(tiny, "reminders")


def test_reminders_switched_off_send_nothing(tiny: Connection) -> None:
    from brokering.inbox import reminders

    alliance_settings.put(tiny, operator(), "reminders", "off")
    # Off: not even the missing mail server is an error, and nothing is marked sent.
    assert reminders.send_reminders(tiny, as_of=TINY_TODAY, env={}) == []
    assert tiny.execute("SELECT count(*) FROM reminder_log").fetchall() == [(0,)]


# -- the page ------------------------------------------------------------------------------


def _page(role: str = "alliance_admin") -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.session_state["viewer_role"] = role
    at.run()
    return at.switch_page("app_pages/settings.py").run()


def test_the_settings_page_changes_a_setting(tiny_db: Path) -> None:
    at = _page()
    assert not at.exception
    assert at.title[0].value == "Alliance settings"
    at.number_input(key="setting_reply_days").set_value(7)
    at.selectbox(key="setting_reminders").set_value("off")
    at.button[0].click().run()
    assert not at.exception
    assert "Saved" in at.success[0].value
    con = connect(tiny_db)
    try:
        assert alliance_settings.get(con, "reply_days") == 7
        assert alliance_settings.get(con, "reminders") == "off"
    finally:
        con.close()


def test_the_settings_page_refuses_a_bad_value_and_saves_nothing(tiny_db: Path) -> None:
    at = _page()
    at.number_input(key="setting_quiet_weeks").set_value(8)
    at.number_input(key="setting_reply_days").set_value(0)
    at.button[0].click().run()
    assert not at.exception
    assert "would be in the past" in at.error[0].value
    con = connect(tiny_db)
    try:  # the good change beside the bad one was not saved either
        assert alliance_settings.get(con, "quiet_weeks") == 6
        assert alliance_settings.get(con, "reply_days") == 10
    finally:
        con.close()


def test_the_settings_page_is_the_administrators_alone(tiny_db: Path) -> None:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.session_state["viewer_role"] = "sle_coordinator"
    at.run()
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        at.switch_page("app_pages/settings.py")


# -- capacity in release days --------------------------------------------------------------


def _staff(tmp_path: Path, rows: str) -> Path:
    folder = tmp_path / "more"
    folder.mkdir(exist_ok=True)
    (folder / "staff.csv").write_text(
        "staff_ref,school_id,role,capacity_hours,capacity_days\n" + rows
    )
    return folder


def _capacity(con: Connection) -> dict[str, tuple]:
    rows = con.execute("SELECT staff_ref, capacity_hours, capacity_days FROM staff").fetchall()
    return {r[0]: (r[1], r[2]) for r in rows}


def test_capacity_in_days_becomes_hours_and_candidates_show_days_left(
    tiny: Connection, tmp_path: Path
) -> None:
    folder = _staff(tmp_path, "B2,B,middle leader,,4\nC1,C,SLE,13,2\n")
    assert import_paths(tiny, [folder], operator(), today=TINY_TODAY).ok
    assert _capacity(tiny)["B2"] == (26.0, 4.0)  # 4 days x 6.5 hours
    assert _capacity(tiny)["C1"] == (13.0, 2.0)  # both given, and they agree
    result = cand.rank_candidates(tiny, operator(), get_need(tiny, operator(), "N1"))
    row = result.row("B2")
    assert row["days_left"] == pytest.approx(row["hours_left"] / 6.5, abs=0.05)
    _, notes = cand.explain(result, "B2")
    assert "release day(s) of 6.5 hours" in notes[0]
    # The release day lengthens: capacity stated in days keeps its days, its hours follow.
    alliance_settings.put(tiny, operator(), "hours_per_day", "7")
    assert _capacity(tiny)["B2"] == (28.0, 4.0)
    assert _capacity(tiny)["A3"] == (12.0, None)  # stated in hours: unchanged


def test_days_and_hours_that_disagree_are_refused_and_nothing_is_lost(
    tiny: Connection, tmp_path: Path
) -> None:
    before = _capacity(tiny)
    folder = _staff(tmp_path, "B2,B,middle leader,20,4\nC1,C,SLE,,2\n")
    report = import_paths(tiny, [folder], operator(), today=TINY_TODAY)
    assert not report.ok
    [problem] = [str(p) for p in report.problems]
    assert "line 2, column capacity_days" in problem
    assert "26 hours at 6.5 hours a release day, but capacity_hours says 20" in problem
    assert _capacity(tiny) == before  # C1's good row was not written either


def test_days_out_of_range_are_refused(tiny: Connection, tmp_path: Path) -> None:
    folder = _staff(tmp_path, "B2,B,middle leader,,-1\nC1,C,SLE,,lots\n")
    report = import_paths(tiny, [folder], operator(), today=TINY_TODAY)
    problems = " ".join(str(p) for p in report.problems)
    assert "days must be 0 or more" in problems and "not a number of days" in problems


def test_bad_settings_through_put_raise_plainly(tiny: Connection) -> None:
    with pytest.raises(ValidationError, match="would be in the past"):
        alliance_settings.put(tiny, operator(), "reply_days", -1)


# -- the command line while the app holds the store ----------------------------------------


def _in_thread(fn):  # noqa: ANN001, ANN201 - a page run is a thread that ends
    out: dict = {}

    def run() -> None:
        out["value"] = fn()

    t = threading.Thread(target=run)
    t.start()
    t.join()
    return out.get("value")


@pytest.mark.parametrize(
    "argv",
    [["send-reminders", "--dry-run", "--json"], ["settings", "set", "quiet_weeks", "4"]],
    ids=["reminders-dry-run", "settings-set"],
)
def test_the_command_works_while_the_app_holds_the_store(tiny_db: Path, argv: list[str]) -> None:
    store = SharedStore(tiny_db, idle_close=3600)  # the app would hold it for an hour
    try:
        _in_thread(lambda: store.cursor().execute("SELECT 1").fetchall())
        assert store.is_open
        env = {**os.environ, "BROKERING_LOCK_WAIT": "30"}
        done = subprocess.run(
            [sys.executable, "-m", "brokering", "--db", str(tiny_db), *argv],
            cwd=ROOT,
            capture_output=True,
            text=True,
            env=env,
            timeout=120,
        )
        assert done.returncode == 0, done.stderr
        if argv[0] == "send-reminders":
            out = json.loads(done.stdout)
            assert out["ok"] and out["dry_run"]
        # The app's next page run opens the store again and sees the change.
        value = _in_thread(
            lambda: (
                store.cursor()
                .execute("SELECT value FROM alliance_settings WHERE name = 'quiet_weeks'")
                .fetchall()
            )
        )
        assert value == ([("4",)] if argv[0] == "settings" else [])
    finally:
        store.close()
