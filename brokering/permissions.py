"""Which role may open which page and do which action: the role x page x action matrix,
once. The app's navigation and every guarded function consult it."""

from __future__ import annotations

from brokering.errors import PermissionDenied
from brokering.viewer import Viewer

ALL = frozenset({"alliance_admin", "sle_coordinator", "headteacher", "senior_leader", "viewer"})
LEADERS = frozenset({"alliance_admin", "sle_coordinator", "headteacher", "senior_leader"})

#: action -> roles allowed
ACTIONS: dict[str, frozenset[str]] = {
    "view_home": ALL,
    "view_aggregates": ALL,
    "find_people": LEADERS,
    "view_needs": LEADERS,
    "request_coach": LEADERS,
    "decide_request": frozenset({"headteacher", "senior_leader"}),
    "allocate": frozenset({"alliance_admin", "sle_coordinator"}),
    "log_pairing": frozenset({"alliance_admin", "sle_coordinator", "headteacher", "senior_leader"}),
    "view_dashboard": ALL,
    "record_maturity_judgement": frozenset({"alliance_admin", "headteacher"}),
    "import": frozenset({"alliance_admin"}),
    "export_people": LEADERS,
    "manage_accounts": frozenset({"alliance_admin"}),
    "view_audit": frozenset({"alliance_admin"}),
    "change_settings": frozenset({"alliance_admin"}),
    "change_own_password": ALL,
    "init_demo": frozenset({"alliance_admin"}),
    "load_names": frozenset({"headteacher", "senior_leader"}),
}

#: page file -> the action needed to open it
PAGES: dict[str, str] = {
    "app_pages/home.py": "view_home",
    "app_pages/find.py": "view_aggregates",
    "app_pages/profile.py": "find_people",
    "app_pages/coaches.py": "view_needs",
    "app_pages/allocate.py": "allocate",
    "app_pages/pairings.py": "view_aggregates",
    "app_pages/transfer.py": "view_dashboard",
    "app_pages/maturity.py": "view_dashboard",
    "app_pages/data.py": "view_aggregates",
    "app_pages/my_account.py": "change_own_password",
    "app_pages/accounts.py": "manage_accounts",
    "app_pages/audit.py": "view_audit",
    "app_pages/settings.py": "change_settings",
}


def can(viewer: Viewer, action: str) -> bool:
    return viewer.role in ACTIONS[action]


def require(viewer: Viewer, action: str) -> None:
    if not can(viewer, action):
        raise PermissionDenied(
            "Your role does not allow this. Ask the alliance administrator if you need it."
        )


def can_open(viewer: Viewer, page: str) -> bool:
    return can(viewer, PAGES.get(page, "view_home"))
