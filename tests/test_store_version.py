"""The store's change signature (brokering/changes.py) moves with every write a cached page
read could depend on — including leaders' maturity judgements and accounts (issue 24: a
cache keyed on it must never serve what a write has changed)."""

from __future__ import annotations

from brokering.accounts import create_user, set_disabled, set_role
from brokering.changes import store_version
from brokering.consent import set_consent
from brokering.dashboard.maturity import STAGES, STRANDS, record_judgement
from brokering.db import Connection
from brokering.viewer import Viewer

PASSWORD = "a long enough pass phrase 2026"


def test_a_maturity_judgement_moves_the_signature(tiny: Connection, admin: Viewer) -> None:
    before = store_version(tiny)
    actor = Viewer("alliance_admin", None, "admin")
    record_judgement(tiny, actor, "alliance", STRANDS[0], STAGES[0], "", None)
    assert store_version(tiny) != before


def test_account_changes_move_the_signature(tiny: Connection, admin: Viewer) -> None:
    actor = Viewer("alliance_admin", None, "admin")
    before = store_version(tiny)
    create_user(tiny, actor, "head-x", PASSWORD, "headteacher", "A")
    created = store_version(tiny)
    assert created != before
    set_role(tiny, actor, "head-x", "senior_leader", "B")
    moved = store_version(tiny)
    assert moved != created
    set_disabled(tiny, actor, "head-x", True)
    assert store_version(tiny) != moved


def test_a_sign_in_alone_leaves_the_signature(tiny: Connection) -> None:
    """Caches survive a colleague signing in: last_sign_in is not something a page shows
    through a cached read."""
    actor = Viewer("alliance_admin", None, "admin")
    create_user(tiny, actor, "head-y", PASSWORD, "headteacher", "A")
    before = store_version(tiny)
    tiny.execute("UPDATE users SET last_sign_in = now(), failed_attempts = 1")
    assert store_version(tiny) == before


def test_a_consent_change_moves_the_signature(tiny: Connection, admin: Viewer) -> None:
    before = store_version(tiny)
    set_consent(tiny, admin, "B3", False)
    assert store_version(tiny) != before
