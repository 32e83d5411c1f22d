"""Alliance Expertise Broker: navigation, the acting viewer, and first-run set-up."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

import ui

st.set_page_config(
    page_title="Alliance Expertise Broker", page_icon=":material/hub:", layout="wide"
)

ui.ensure_demo()
st.session_state["viewer"] = ui.sidebar_viewer()

_HERE = Path(__file__).parent
_PAGES = [
    ("pages/home.py", "Home", ":material/home:", True),
    ("pages/find.py", "Find expertise", ":material/person_search:", False),
    ("pages/coaches.py", "Coaches and mentors", ":material/diversity_3:", False),
    ("pages/allocate.py", "Allocate all needs", ":material/hub:", False),
    ("pages/pairings.py", "JPD pairings", ":material/handshake:", False),
    ("pages/transfer.py", "Transfer evidence", ":material/insights:", False),
    ("pages/maturity.py", "Alliance maturity", ":material/stairs:", False),
    ("pages/data.py", "Data", ":material/database:", False),
]
pages = [
    st.Page(path, title=title, icon=icon, default=default)
    for path, title, icon, default in _PAGES
    if (_HERE / path).exists()
]
st.navigation(pages).run()
