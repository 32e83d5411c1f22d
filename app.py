"""Alliance Expertise Broker: the gate (first run, sign-in, the per-run account check) and
navigation for the role.

`st.navigation` is called on every run, signed in or not, so Streamlit never falls back to
listing or running page files by itself. Before sign-in the navigation holds one hidden
page — the sign-in form — registered under every page's address, so a bookmarked address
shows the form and, once signed in, the page it names (if the role may open it).
"""

from __future__ import annotations

from pathlib import Path

import altair as alt
import streamlit as st

import gate
import ui
import ui_inbox
import ui_people
from brokering.permissions import can_open

# Altair checks every part of a chart against the Vega-Lite schema as it is built: a quarter
# of a Transfer page run, for charts that are code (their builders' tests run with the check).
alt.utils.schemapi.disable_debug_mode()

st.set_page_config(
    page_title="Alliance Expertise Broker", page_icon=":material/hub:", layout="wide"
)

_HERE = Path(__file__).parent
_PAGES = [
    ("app_pages/home.py", "Home", ":material/home:"),
    ("app_pages/find.py", "Find expertise", ":material/person_search:"),
    ("app_pages/profile.py", "Staff profile", ":material/badge:"),
    ("app_pages/coaches.py", "Coaches and mentors", ":material/diversity_3:"),
    ("app_pages/allocate.py", "Allocate all needs", ":material/hub:"),
    ("app_pages/pairings.py", "JPD pairings", ":material/handshake:"),
    ("app_pages/transfer.py", "Transfer evidence", ":material/insights:"),
    ("app_pages/maturity.py", "Alliance maturity", ":material/stairs:"),
    ("app_pages/data.py", "Data", ":material/database:"),
    ("app_pages/my_account.py", "Your account", ":material/key:"),
    ("app_pages/accounts.py", "Accounts", ":material/manage_accounts:"),
    ("app_pages/audit.py", "Audit trail", ":material/history:"),
    ("app_pages/settings.py", "Alliance settings", ":material/settings:"),
]
_HOME = "app_pages/home.py"


def _address(path: str) -> str:
    """The page's address (its file name), as Streamlit derives it for a file page."""
    return Path(path).stem


viewer = gate.current_viewer()
if viewer is None:
    st.session_state.pop("viewer", None)
    st.navigation(
        [
            st.Page(
                gate.signed_out_page,
                title="Sign in",
                url_path=_address(path),
                default=(path == _HOME),
            )
            for path, _title, _icon in _PAGES
        ],
        position="hidden",
    ).run()
else:
    st.session_state["viewer"] = viewer
    gate.signed_in_sidebar(viewer)
    ui_people.names_sidebar(viewer)
    waiting = ui_inbox.current_inbox(ui.connection(), viewer).count
    st.navigation(
        [
            st.Page(
                path,
                title=ui_inbox.nav_title(title, waiting) if path == _HOME else title,
                icon=icon,
                default=(path == _HOME),
            )
            for path, title, icon in _PAGES
            if (_HERE / path).exists() and can_open(viewer, path)
        ],
        expanded=True,  # every page listed: the administrator's 13 would fold after 10
    ).run()
