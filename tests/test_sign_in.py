"""Sign-in hardening (issue 22): the throttle is atomic in the store and covers unknown
names per name and per source; input is bounded before the store is touched; the password
policy; each user changes their own password; sessions follow the account."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta

import pytest

from brokering import accounts, throttle
from brokering.errors import ValidationError
from brokering.viewer import Viewer

PW = "correct-horse-battery"
T0 = datetime(2026, 11, 20, 9, 0, 0)


@pytest.fixture
def with_users(tiny, admin):
    accounts.create_user(tiny, admin, "ann", PW, "senior_leader", "B")
    accounts.create_user(tiny, admin, "gov", PW, "viewer")
    return tiny


def _refused(con, name: str) -> list[str]:
    return [
        r[0]
        for r in con.execute(
            "SELECT detail FROM audit_log WHERE action = 'sign_in.refused' AND username = ? "
            "ORDER BY audit_id",
            [name],
        ).fetchall()
    ]


def _failures(con, name: str) -> int:
    users = accounts.list_users(con, Viewer("alliance_admin", username="x"))
    return int(users.loc[users["username"] == name, "failed_attempts"].iloc[0])


# --- the throttle ------------------------------------------------------------------------


def test_simultaneous_attempts_are_all_counted_and_audited(with_users) -> None:
    n = 12
    start = threading.Barrier(n)
    outcomes: list[str] = []

    def attempt() -> None:
        cur = with_users.cursor()
        start.wait()
        try:
            accounts.authenticate(cur, "ann", "wrong-password-1", now=T0)
            outcomes.append("signed in")
        except accounts.SignInRefused:
            outcomes.append("refused")
        except Exception as exc:  # an error is an attempt nobody counted or audited
            outcomes.append(f"error: {type(exc).__name__}: {exc}")

    threads = [threading.Thread(target=attempt) for _ in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert outcomes == ["refused"] * n
    assert len(_refused(with_users, "ann")) == n
    assert _failures(with_users, "ann") == n
    # Only one of them had its password checked; the others met the wait it set.
    assert sum('"wrong password"' in d for d in _refused(with_users, "ann")) == 1


def test_unknown_names_are_throttled_like_real_ones(with_users) -> None:
    t = T0
    for _ in range(accounts.LOCK_AFTER):
        with pytest.raises(accounts.SignInRefused, match="do not match"):
            accounts.authenticate(with_users, "nobody", "guess-guess-1", now=t)
        t += timedelta(seconds=31)
    with pytest.raises(accounts.SignInRefused, match="locked"):
        accounts.authenticate(with_users, "nobody", "guess-guess-1", now=t)
    # The same wall for a real name: nothing tells which names exist.
    t = T0
    for _ in range(accounts.LOCK_AFTER):
        with pytest.raises(accounts.SignInRefused, match="do not match"):
            accounts.authenticate(with_users, "gov", "guess-guess-1", now=t)
        t += timedelta(seconds=31)
    with pytest.raises(accounts.SignInRefused, match="locked"):
        accounts.authenticate(with_users, "gov", "guess-guess-1", now=t)


def test_many_names_from_one_source_are_throttled(with_users) -> None:
    src = "203.0.113.9"
    for i in range(throttle.SOURCE_LOCK_AFTER):
        with pytest.raises(accounts.SignInRefused, match="do not match"):
            accounts.authenticate(with_users, f"user{i}", "guess-guess-1", now=T0, source=src)
    # Even the right password for a real account is held back from that source...
    with pytest.raises(accounts.SignInRefused, match="Too many"):
        accounts.authenticate(with_users, "ann", PW, now=T0, source=src)
    # ...but not from elsewhere (once the wait that held-back attempt set on the name is over).
    soon = T0 + timedelta(seconds=2)
    assert accounts.authenticate(with_users, "ann", PW, now=soon, source="198.51.100.7")
    later = T0 + timedelta(minutes=throttle.LOCK_MINUTES, seconds=1)
    assert accounts.authenticate(with_users, "gov", PW, now=later, source=src)


def test_what_was_typed_is_never_stored(with_users) -> None:
    with pytest.raises(accounts.SignInRefused):
        accounts.authenticate(with_users, "My-Secret-Passw0rd", "x-y-z-w-v-u", now=T0)
    stored = with_users.execute("SELECT string_agg(key, ' ') FROM sign_in_throttle").fetchall()[0][
        0
    ] + " ".join(str(r) for r in with_users.execute("SELECT * FROM audit_log").fetchall())
    assert "my-secret-passw0rd" not in stored.lower()
    assert _refused(with_users, "(unknown account)")


@pytest.mark.parametrize(
    ("username", "password"),
    [("x" * 300_000, "guess-guess-1"), ("ann", "p" * 300_000), ("a" * 65, PW), ("ann\x00", PW)],
)
def test_over_long_input_is_refused_before_the_store(with_users, username, password) -> None:
    def counts() -> tuple:
        return (
            with_users.execute("SELECT count(*) FROM audit_log").fetchall()[0][0],
            with_users.execute("SELECT count(*) FROM sign_in_throttle").fetchall()[0][0],
        )

    before = counts()
    for _ in range(3):
        with pytest.raises(accounts.SignInRefused):
            accounts.authenticate(with_users, username, password, now=T0)
    assert counts() == before


# --- the password policy ------------------------------------------------------------------


@pytest.mark.parametrize(
    "weak",
    [
        accounts.DEMO_PASSWORD,
        "Marlowick-Demo",
        "aaaaaaaaaa",
        "abababababab",
        "password2024!",
        "qwertyuiop",
        "1234567890",
        "headteacher-b-01",
        "short",
        "p" * 300,
    ],
)
def test_weak_passwords_are_refused(tiny, admin, weak: str) -> None:
    with pytest.raises(ValidationError):
        accounts.create_user(tiny, admin, "headteacher-b", weak, "headteacher", "B")
    assert not tiny.execute("SELECT count(*) FROM users").fetchall()[0][0]


def test_a_reasonable_password_is_accepted(tiny, admin) -> None:
    accounts.create_user(tiny, admin, "headteacher-b", "kettle-orchard-violin", "headteacher", "B")


def test_a_reset_password_meets_the_policy(with_users, admin) -> None:
    with pytest.raises(ValidationError):
        accounts.set_password(with_users, admin, "ann", accounts.DEMO_PASSWORD)


# --- changing one's own password --------------------------------------------------------------


def test_each_user_changes_their_own_password(with_users) -> None:
    ann = accounts.authenticate(with_users, "ann", PW, now=T0)
    with pytest.raises(accounts.SignInRefused):
        accounts.change_own_password(
            with_users, ann, "not-my-password", "kettle-orchard-violin", now=T0
        )
    with pytest.raises(ValidationError):
        accounts.change_own_password(with_users, ann, PW, "aaaaaaaaaaaa")
    later = T0 + timedelta(minutes=1)
    accounts.change_own_password(with_users, ann, PW, "kettle-orchard-violin", now=later)
    assert accounts.authenticate(with_users, "ann", "kettle-orchard-violin", now=later)
    with pytest.raises(accounts.PermissionDenied):
        accounts.set_password(with_users, ann, "gov", "kettle-orchard-violin")


# --- sessions follow the account ----------------------------------------------------------


def _session(con, name: str) -> tuple:
    viewer = accounts.authenticate(con, name, PW, now=T0)
    return viewer, T0, accounts.session_stamp(con, name)


def test_a_session_ends_when_the_account_is_disabled(with_users, admin) -> None:
    viewer, since, stamp = _session(with_users, "ann")
    now = T0 + timedelta(minutes=5)
    assert accounts.recheck_session(with_users, viewer, since, stamp, now=now) == viewer
    accounts.set_disabled(with_users, admin, "ann", True)
    with pytest.raises(accounts.SessionEnded, match="disabled"):
        accounts.recheck_session(with_users, viewer, since, stamp, now=now)


def test_a_session_ends_when_the_password_is_reset(with_users, admin) -> None:
    viewer, since, stamp = _session(with_users, "ann")
    accounts.set_password(with_users, admin, "ann", "kettle-orchard-violin")
    with pytest.raises(accounts.SessionEnded, match="password"):
        accounts.recheck_session(with_users, viewer, since, stamp, now=T0)


def test_a_changed_role_applies_at_once(with_users, admin) -> None:
    viewer, since, stamp = _session(with_users, "ann")
    accounts.set_role(with_users, admin, "ann", "headteacher", "A")
    now = accounts.recheck_session(with_users, viewer, since, stamp, now=T0)
    assert (now.role, now.school_id) == ("headteacher", "A")
    roles = with_users.execute(
        "SELECT count(*) FROM audit_log WHERE action = 'account.role'"
    ).fetchall()[0][0]
    assert roles == 1


def test_a_session_expires(with_users) -> None:
    viewer, since, stamp = _session(with_users, "ann")
    late = T0 + timedelta(hours=accounts.SESSION_HOURS, minutes=1)
    with pytest.raises(accounts.SessionEnded, match="expired"):
        accounts.recheck_session(with_users, viewer, since, stamp, now=late)


def test_users_password_on_the_command_line_changes_ones_own(tmp_path, monkeypatch) -> None:
    import io

    from brokering.cli import main
    from brokering.importing import import_paths
    from brokering.store import open_store
    from brokering.viewer import operator
    from tests.conftest import TINY, TINY_TODAY

    db = tmp_path / "a.duckdb"
    con = open_store(db)
    assert import_paths(con, [TINY], operator(), today=TINY_TODAY).ok
    accounts.create_user(con, operator(), "ann", PW, "senior_leader", "B")
    accounts.create_user(con, operator(), "gov", PW, "viewer")
    con.close()
    argv = ["--db", str(db), "--as", "ann", "users", "password", "--password-stdin"]
    monkeypatch.setattr("sys.stdin", io.StringIO("aaaaaaaaaaaa\n"))
    assert main(argv) == 1  # the policy applies
    monkeypatch.setattr("sys.stdin", io.StringIO("kettle-orchard-violin\n"))
    assert main(argv) == 0
    monkeypatch.setattr("sys.stdin", io.StringIO("kettle-orchard-violin\n"))
    assert main([*argv[:-2], "password", "gov", "--password-stdin"]) == 1  # not someone else's
    con = open_store(db)
    try:
        assert accounts.authenticate(con, "ann", "kettle-orchard-violin").username == "ann"
    finally:
        con.close()
