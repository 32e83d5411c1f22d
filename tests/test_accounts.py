"""Accounts: hashing, roles, throttling and lock-out, disable, audit of every action."""

from datetime import datetime, timedelta

import pytest

from brokering import accounts
from brokering.errors import PermissionDenied, ValidationError
from brokering.viewer import Viewer

PW = "correct-horse-battery"


@pytest.fixture
def with_users(tiny, admin):
    accounts.create_user(tiny, admin, "ann", PW, "senior_leader", "B")
    accounts.create_user(tiny, admin, "gov", PW, "viewer")
    return tiny


def test_password_is_hashed_not_stored(with_users) -> None:
    stored = with_users.execute("SELECT password_hash FROM users WHERE username = 'ann'").fetchall()
    assert stored[0][0].startswith("$argon2id$") and PW not in stored[0][0]


def test_sign_in_gives_the_accounts_viewer(with_users) -> None:
    v = accounts.authenticate(with_users, "Ann ", PW)
    assert v == Viewer(role="senior_leader", school_id="B", username="ann")


def test_school_roles_need_a_school_and_wide_roles_none(tiny, admin) -> None:
    with pytest.raises(ValidationError):
        accounts.create_user(tiny, admin, "bob", PW, "headteacher", None)
    with pytest.raises(ValidationError):
        accounts.create_user(tiny, admin, "bob", PW, "viewer", "A")
    with pytest.raises(ValidationError):
        accounts.create_user(tiny, admin, "bob", "short", "viewer")


def test_only_the_administrator_manages_accounts(with_users) -> None:
    leader = Viewer(role="headteacher", school_id="A", username="h")
    with pytest.raises(PermissionDenied):
        accounts.create_user(with_users, leader, "eve", PW, "viewer")
    with pytest.raises(PermissionDenied):
        accounts.list_users(with_users, leader)


def test_failures_slow_down_then_lock(with_users) -> None:
    t0 = datetime(2026, 11, 20, 9, 0, 0)
    with pytest.raises(accounts.SignInRefused):
        accounts.authenticate(with_users, "ann", "wrong", now=t0)
    # The right password straight away is refused: the throttle applies first.
    with pytest.raises(accounts.SignInRefused, match="Try again"):
        accounts.authenticate(with_users, "ann", PW, now=t0)
    t = t0
    for _ in range(accounts.LOCK_AFTER - 1):
        t += timedelta(seconds=31)
        with pytest.raises(accounts.SignInRefused):
            accounts.authenticate(with_users, "ann", "wrong", now=t)
    with pytest.raises(accounts.SignInRefused, match="locked"):
        accounts.authenticate(with_users, "ann", PW, now=t + timedelta(minutes=5))
    v = accounts.authenticate(
        with_users, "ann", PW, now=t + timedelta(minutes=accounts.LOCK_MINUTES, seconds=1)
    )
    assert v.username == "ann"


def test_disabled_account_cannot_sign_in(with_users, admin) -> None:
    accounts.set_disabled(with_users, admin, "ann", True)
    with pytest.raises(accounts.SignInRefused):
        accounts.authenticate(with_users, "ann", PW)


def test_unknown_user_gets_the_same_message(with_users) -> None:
    with pytest.raises(accounts.SignInRefused) as unknown:
        accounts.authenticate(with_users, "nobody", PW)
    with pytest.raises(accounts.SignInRefused) as wrong:
        accounts.authenticate(with_users, "gov", "nope-nope-nope")
    assert str(unknown.value) == str(wrong.value)


def test_every_account_action_is_audited(with_users, admin) -> None:
    accounts.set_password(with_users, admin, "ann", "another-long-password")
    accounts.set_disabled(with_users, admin, "gov", True)
    with pytest.raises(accounts.SignInRefused):
        accounts.authenticate(with_users, "ann", PW)
    accounts.authenticate(
        with_users, "ann", "another-long-password", now=datetime.now() + timedelta(minutes=1)
    )
    actions = [
        r[0]
        for r in with_users.execute("SELECT action FROM audit_log ORDER BY audit_id").fetchall()
    ]
    for expected in (
        "account.create",
        "account.password",
        "account.disable",
        "sign_in.refused",
        "sign_in",
    ):
        assert expected in actions


def test_session_expiry() -> None:
    now = datetime(2026, 11, 20, 18, 0)
    assert accounts.session_expired(now - timedelta(hours=accounts.SESSION_HOURS, minutes=1), now)
    assert not accounts.session_expired(now - timedelta(hours=1), now)


def test_cli_acts_as_a_user(with_users) -> None:
    v = accounts.viewer_for_username(with_users, "ann")
    assert (v.role, v.school_id) == ("senior_leader", "B")


def test_demo_accounts(tiny) -> None:
    made = accounts.create_demo_accounts(tiny)
    assert ("admin", "alliance_admin", None) in made
    assert ("head-a", "headteacher", "A") in made
    v = accounts.authenticate(tiny, "head-a", accounts.DEMO_PASSWORD)
    assert v.school_id == "A"
    assert accounts.is_demo_store(tiny)


def test_searches_and_profile_views_are_audited(tiny) -> None:
    from brokering.find import explain, find_expertise

    leader = Viewer(role="senior_leader", school_id="B", username="ann")
    result = find_expertise(tiny, leader, "maths")
    explain(tiny, leader, result.rows.iloc[0]["staff_ref"], result.skill_id)
    rows = tiny.execute(
        "SELECT action, username, school_id FROM audit_log WHERE action IN "
        "('search', 'profile.view') ORDER BY audit_id"
    ).fetchall()
    assert rows == [("search", "ann", "B"), ("profile.view", "ann", "B")]
