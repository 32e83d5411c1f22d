"""Alliance Expertise Broker: first-run set-up, sign-in, and navigation for the role."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

import ui
import ui_inbox
import ui_people
from brokering.permissions import can_open

st.set_page_config(
    page_title="Alliance Expertise Broker", page_icon=":material/hub:", layout="wide"
)

ui.ensure_demo()
viewer = ui.current_viewer()
st.session_state["viewer"] = viewer
ui_people.names_sidebar(viewer)

_HERE = Path(__file__).parent
_PAGES = [
    ("pages/home.py", "Home", ":material/home:"),
    ("pages/find.py", "Find expertise", ":material/person_search:"),
    ("pages/profile.py", "Staff profile", ":material/badge:"),
    ("pages/coaches.py", "Coaches and mentors", ":material/diversity_3:"),
    ("pages/allocate.py", "Allocate all needs", ":material/hub:"),
    ("pages/pairings.py", "JPD pairings", ":material/handshake:"),
    ("pages/transfer.py", "Transfer evidence", ":material/insights:"),
    ("pages/maturity.py", "Alliance maturity", ":material/stairs:"),
    ("pages/data.py", "Data", ":material/database:"),
    ("pages/accounts.py", "Accounts", ":material/manage_accounts:"),
    ("pages/audit.py", "Audit trail", ":material/history:"),
]
waiting = ui_inbox.current_inbox(ui.connection(), viewer).count
pages = [
    st.Page(
        path,
        title=ui_inbox.nav_title(title, waiting) if path == "pages/home.py" else title,
        icon=icon,
        default=(path == "pages/home.py"),
    )
    for path, title, icon in _PAGES
    if (_HERE / path).exists() and can_open(viewer, path)
]
st.navigation(pages).run()
