"""Sign-ins, refused sign-ins and sign-outs in the audit trail (issue 23): a refusal says
what was tried (the account, how, why) but never the password nor a name no account has;
a session's end is recorded, whoever ended it; the chain still verifies; the trail reads
in words."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

import pandas as pd
import pytest

from brokering import accounts, audit, audit_words
from brokering.viewer import operator

PW = "correct-horse-battery"
T0 = datetime(2026, 11, 20, 9, 0, 0)


@pytest.fixture
def with_users(tiny, admin):
    accounts.create_user(tiny, admin, "ann", PW, "senior_leader", "B", "ann@example.org")
    return tiny


def _entries(con, action: str) -> list[tuple[str, dict]]:
    return [
        (r[0], json.loads(r[1]))
        for r in con.execute(
            "SELECT username, detail FROM audit_log WHERE action = ? ORDER BY audit_id", [action]
        ).fetchall()
    ]


def _everything(con) -> str:
    return " ".join(str(r) for r in con.execute("SELECT * FROM audit_log").fetchall()).lower()


def test_a_refused_sign_in_says_what_was_tried(with_users) -> None:
    with pytest.raises(accounts.SignInRefused):
        accounts.authenticate(with_users, "ann", "not-her-password-9", now=T0)
    [(who, detail)] = _entries(with_users, "sign_in.refused")
    assert who == "ann"
    assert detail == {
        "tried": "ann",
        "by": "password",
        "reason": "wrong password",
        "failures": 1,
    }
    assert "not-her-password-9" not in _everything(with_users)


def test_a_name_with_no_account_is_not_written_down(with_users) -> None:
    with pytest.raises(accounts.SignInRefused):
        accounts.authenticate(with_users, "Tr0ub4dor-and-3", "x-y-z-w-v-u", now=T0)
    [(who, detail)] = _entries(with_users, "sign_in.refused")
    assert who == "(unknown account)"
    assert detail["tried"] == "a name with no account" and detail["reason"] == "no such account"
    everything = _everything(with_users)
    assert "tr0ub4dor" not in everything and "x-y-z-w-v-u" not in everything


def test_a_throttled_attempt_and_a_disabled_account_say_why(with_users, admin) -> None:
    for _ in range(2):
        with pytest.raises(accounts.SignInRefused):
            accounts.authenticate(with_users, "ann", "not-her-password-9", now=T0)
    accounts.set_disabled(with_users, admin, "ann", True)
    with pytest.raises(accounts.SignInRefused):
        accounts.authenticate(with_users, "ann", PW, now=T0 + timedelta(minutes=1))
    reasons = [d["reason"] for _, d in _entries(with_users, "sign_in.refused")]
    assert reasons == ["wrong password", "too many failed attempts", "account disabled"]


def test_single_sign_on_refusals_keep_no_e_mail(with_users) -> None:
    with pytest.raises(accounts.SignInRefused):
        accounts.viewer_for_email(with_users, "stranger@example.org")
    [(_, detail)] = _entries(with_users, "sign_in.refused")
    assert detail["by"] == "single sign-on" and detail["tried"].startswith("an e-mail address")
    assert "stranger" not in _everything(with_users)
    assert accounts.viewer_for_email(with_users, "ANN@example.org").username == "ann"
    assert _entries(with_users, "sign_in")[-1] == ("ann", {"by": "single sign-on"})


def test_a_wrong_current_password_when_changing_it_is_recorded_as_such(with_users) -> None:
    ann = accounts.authenticate(with_users, "ann", PW, now=T0)
    with pytest.raises(accounts.SignInRefused):
        accounts.change_own_password(with_users, ann, "not-her-password-9", "kettle-orchard-violin")
    [(_, detail)] = _entries(with_users, "sign_in.refused")
    assert detail["by"] == "current password (changing it)"


def test_sign_outs_are_recorded_with_why(with_users) -> None:
    ann = accounts.authenticate(with_users, "ann", PW, now=T0)
    accounts.record_sign_out(with_users, ann)
    accounts.record_sign_out(with_users, ann, "session expired")
    assert _entries(with_users, "sign_out") == [
        ("ann", {"reason": "signed out"}),
        ("ann", {"reason": "session expired"}),
    ]
    with pytest.raises(accounts.SessionEnded) as ended:
        accounts.recheck_session(with_users, ann, T0 - timedelta(hours=9), None, now=T0)
    assert ended.value.reason == "session expired"


def test_the_chain_verifies_after_sign_ins_and_outs(with_users) -> None:
    with pytest.raises(accounts.SignInRefused):
        accounts.authenticate(with_users, "nobody", "guess-guess-1", now=T0)
    ann = accounts.authenticate(with_users, "ann", PW, now=T0 + timedelta(minutes=1))
    accounts.record_sign_out(with_users, ann)
    result = audit.verify(with_users)
    assert result.ok, result.problems


def test_the_trail_reads_in_words(with_users) -> None:
    with pytest.raises(accounts.SignInRefused):
        accounts.authenticate(with_users, "ann", "not-her-password-9", now=T0)
    ann = accounts.authenticate(with_users, "ann", PW, now=T0 + timedelta(minutes=1))
    accounts.record_sign_out(with_users, ann)
    frame = audit_words.readable(
        audit.entries(with_users, operator()), audit_words.school_names(with_users)
    ).set_index("What")
    assert list(frame.columns) == ["When (UTC)", "Who", "Role", "School", "Details", "Run by"]
    refused = frame.loc["Sign-in refused"]
    assert (refused["Who"], refused["Role"], refused["School"]) == ("ann", "—", "—")
    assert refused["Details"] == (
        "account tried ann; by password; reason wrong password; failures in a row 1"
    )
    out = frame.loc["Signed out"]
    assert (out["Role"], out["School"], out["Details"]) == (
        "Senior leader",
        "Birch Academy",
        "reason signed out",
    )
    created = frame.loc["Account created"]
    assert (
        "role senior leader" in created["Details"] and "school Birch Academy" in created["Details"]
    )
    text = frame.to_string()
    for raw in ("{", "senior_leader", "None", "NaT", "nan", "sign_in"):
        assert raw not in text, raw
    # a moment to the second (the table draws it "5 Dec 2026, 14:03:07" and sorts by it)
    when = frame["When (UTC)"]
    assert pd.api.types.is_datetime64_any_dtype(when.dtype)
    assert (when == when.dt.floor("s")).all()
