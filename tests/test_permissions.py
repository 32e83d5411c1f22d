"""The role x page x action matrix: the navigation and the guarded actions follow it."""

import pytest

from brokering import permissions
from brokering.viewer import ROLE_LABELS, Viewer

SCHOOL = {
    "alliance_admin": None,
    "sle_coordinator": None,
    "viewer": None,
    "headteacher": "A",
    "senior_leader": "A",
}

# page -> roles that may open it (the expected matrix, written out so a change is deliberate)
PAGES = {
    "app_pages/home.py": set(ROLE_LABELS),
    "app_pages/find.py": set(ROLE_LABELS),
    "app_pages/profile.py": {"alliance_admin", "sle_coordinator", "headteacher", "senior_leader"},
    "app_pages/coaches.py": {"alliance_admin", "sle_coordinator", "headteacher", "senior_leader"},
    "app_pages/allocate.py": {"alliance_admin", "sle_coordinator"},
    "app_pages/pairings.py": set(ROLE_LABELS),
    "app_pages/transfer.py": set(ROLE_LABELS),
    "app_pages/maturity.py": set(ROLE_LABELS),
    "app_pages/data.py": set(ROLE_LABELS),
    "app_pages/my_account.py": set(ROLE_LABELS),
    "app_pages/accounts.py": {"alliance_admin"},
    "app_pages/audit.py": {"alliance_admin"},
    "app_pages/settings.py": {"alliance_admin"},
}
ACTIONS = {
    "import": {"alliance_admin"},
    "manage_accounts": {"alliance_admin"},
    "view_audit": {"alliance_admin"},
    "change_settings": {"alliance_admin"},
    "allocate": {"alliance_admin", "sle_coordinator"},
    "find_people": {"alliance_admin", "sle_coordinator", "headteacher", "senior_leader"},
    "decide_request": {"headteacher", "senior_leader"},
    "record_maturity_judgement": {"alliance_admin", "headteacher"},  # the hub's head: alliance
    "init_demo": {"alliance_admin"},
    "change_own_password": set(ROLE_LABELS),
    "load_names": {"headteacher", "senior_leader"},
}


@pytest.mark.parametrize("role", list(ROLE_LABELS))
@pytest.mark.parametrize("page", list(PAGES))
def test_page_matrix(role: str, page: str) -> None:
    viewer = Viewer(role, SCHOOL[role])
    assert permissions.can_open(viewer, page) == (role in PAGES[page])


@pytest.mark.parametrize("role", list(ROLE_LABELS))
@pytest.mark.parametrize("action", list(ACTIONS))
def test_action_matrix(role: str, action: str) -> None:
    viewer = Viewer(role, SCHOOL[role])
    assert permissions.can(viewer, action) == (role in ACTIONS[action])
    if role not in ACTIONS[action]:
        with pytest.raises(Exception, match="does not allow"):
            permissions.require(viewer, action)


def test_every_page_file_is_in_the_matrix() -> None:
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    files = {f"app_pages/{p.name}" for p in (root / "app_pages").glob("*.py")}
    assert files <= set(permissions.PAGES), files - set(permissions.PAGES)
