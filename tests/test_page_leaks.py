"""The leak matrix over every page (ui_leakcheck.py): the canary alliance of
brokering/leakcheck.py — a member of staff who withheld consent at each of three schools —
served through the app, signed in as every role's account, on every page that role may
open, explored without writing (searches, profiles asked for, every selectbox and radio
moved through its options, lazy boxes and toggles opened, downloads fetched). No canary from
a school the user may not see appears in any text, table, chart's data, widget option or
download.

The page caches are process-wide (st.cache_data), so the roles run one after another in
this process without clearing them — the administrator, who sees every canary, first — and
a dedicated test serves user B the very search user A has just made.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest
import streamlit as st

import ui_leakcheck
from brokering import leakcheck, permissions
from brokering.leakcheck import CANARIES, ROLES
from brokering.viewer import Viewer

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def canary_db(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    path = tmp_path_factory.mktemp("page-leaks") / "alliance.duckdb"
    leakcheck.build_store(path)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("BROKERING_DB", str(path))
        patch.setenv("BROKERING_SIGN_IN", "on")
        st.cache_resource.clear()
        st.cache_data.clear()
        with ui_leakcheck.recording_downloads():
            yield path
    st.cache_resource.clear()
    st.cache_data.clear()


def _explored(db: Path, username: str, page: str) -> list[tuple[str, str]]:
    return list(ui_leakcheck.explore(ui_leakcheck.signed_in(db, username), page))


#: Every role, the school-bound ones at different schools, the administrator first: each
#: later user meets the caches the earlier ones filled. (`python -m ui_leakcheck` and
#: `python -m brokering robustness` run all nine accounts: each role at each school.)
USERS = ["m-admin", "m-coordinator", "m-governor", "m-head-b", "m-leader-c"]


@pytest.mark.parametrize("username", USERS)
def test_no_page_shows_a_canary_the_user_may_not_see(canary_db: Path, username: str) -> None:
    role, school = ROLES[username]
    found: list[str] = []
    states = 0
    for page in ui_leakcheck.pages():
        if not permissions.can_open(Viewer(role, school, username), page):
            continue
        for state, text in _explored(canary_db, username, page):
            states += 1
            found += ui_leakcheck.check(username, page, state, text)
    assert states >= 10, f"{username}: only {states} page states explored"
    assert not found, "\n".join(found)


def test_the_canaries_show_where_they_may(canary_db: Path) -> None:
    """The matrix proves something only if the canaries would be seen when allowed: the
    administrator's find shows all three, a head's shows their own school's."""
    admin = "\n".join(t for _s, t in _explored(canary_db, "m-admin", "app_pages/find.py"))
    assert set(CANARIES.values()) <= {c for c in CANARIES.values() if c in admin}
    assert "\ufeffrank,staff_ref," in admin  # the results' CSV was fetched and read too
    head = "\n".join(t for _s, t in _explored(canary_db, "m-head-a", "app_pages/find.py"))
    assert CANARIES["A"] in head
    profile = "\n".join(t for _s, t in _explored(canary_db, "m-head-b", "app_pages/profile.py"))
    assert CANARIES["B"] in profile


def test_a_cached_page_for_one_user_is_never_served_to_another(canary_db: Path) -> None:
    """User A (the administrator) searches; user B (a head at Birch) makes the same search
    with the same filters in the same process, straight after, from warm caches."""
    st.cache_data.clear()
    for_a = ui_leakcheck.signed_in(canary_db, "m-admin")
    for_a.switch_page("app_pages/find.py").run()
    for_a.text_input(key="find_query").input("Mathematics").run()
    assert {CANARIES["A"], CANARIES["C"]} <= {
        c for c in CANARIES.values() if c in ui_leakcheck.shown(for_a)
    }

    for_b = ui_leakcheck.signed_in(canary_db, "m-head-b")
    for_b.switch_page("app_pages/find.py").run()
    for_b.text_input(key="find_query").input("Mathematics").run()
    seen = ui_leakcheck.shown(for_b)
    assert not for_b.exception
    assert CANARIES["A"] not in seen and CANARIES["C"] not in seen
    assert CANARIES["B"] in seen  # B's own school's canary: the page did show results


#: Cached reads that hold no staff data, so need no viewer in their key.
NO_STAFF_DATA = {
    ("ui.py", "_store"): "the shared store holder (a connection, no rows)",
    ("ui.py", "_schools"): "the list of schools: public bodies, every viewer may see it",
    ("ui_find.py", "resolver"): "the skill matcher: the taxonomy, no people",
}


def _cached_functions() -> Iterator[tuple[str, ast.FunctionDef]]:
    files = [*ROOT.glob("*.py"), *ROOT.glob("app_pages/*.py")]
    for path in files:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.FunctionDef):
                continue
            for deco in node.decorator_list:
                target = deco.func if isinstance(deco, ast.Call) else deco
                if isinstance(target, ast.Attribute) and target.attr in (
                    "cache_data",
                    "cache_resource",
                ):
                    yield str(path.relative_to(ROOT)), node


def test_every_page_cache_is_keyed_on_the_viewer() -> None:
    """st.cache_data and st.cache_resource are shared by every session in the server: a
    cached read of staff data must take the acting viewer (`who`) as a hashed argument (a
    leading underscore would leave it out of the key), or hold no staff data at all."""
    seen = []
    for where, func in _cached_functions():
        seen.append((where, func.name))
        if (where, func.name) in NO_STAFF_DATA:
            continue
        args = [a.arg for a in func.args.args + func.args.kwonlyargs]
        assert "who" in args, f"{where}:{func.name} is cached but not keyed on the viewer"
    assert ("ui_find.py", "find") in seen
    assert set(NO_STAFF_DATA) <= set(seen), "an exempt cache has gone: update the list"
