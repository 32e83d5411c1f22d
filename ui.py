"""Streamlit-side helpers shared by the pages: the cached store, the acting viewer, and
small rendering helpers. Business rules live in brokering/; nothing here ranks or filters.
"""

from __future__ import annotations

import threading

import pandas as pd
import streamlit as st

from brokering.db import Connection, default_db_path
from brokering.errors import BrokeringError
from brokering.overview import list_schools
from brokering.store import build_demo, is_empty, open_store
from brokering.viewer import ROLE_LABELS, Viewer

_BUILD_LOCK = threading.Lock()


@st.cache_resource(show_spinner=False)
def _store(path: str) -> Connection:
    """One connection per process and database path; each script run takes a cursor."""
    return open_store(path)


def connection() -> Connection:
    return _store(str(default_db_path())).cursor()


def ensure_demo() -> None:
    """Build the demo alliance on a machine's first run, with progress shown."""
    con = connection()
    if not is_empty(con):
        return
    with _BUILD_LOCK:
        if not is_empty(connection()):
            return
        bar = st.progress(0.0, text="First run: building the demo alliance…")
        report = build_demo(connection(), progress=lambda f, m: bar.progress(f, text=m))
        bar.empty()
        if not report.ok:
            st.error(
                "The demo alliance could not be built: "
                + "; ".join(str(p) for p in report.problems[:5])
            )
            st.stop()
        st.toast("Demo alliance ready.")


@st.cache_data(ttl=60, show_spinner=False)
def _schools(path: str) -> pd.DataFrame:
    return list_schools(_store(path).cursor())


def refresh_cached() -> None:
    """After a write (an import), cached reads must be recomputed."""
    _schools.clear()


def schools() -> pd.DataFrame:
    return _schools(str(default_db_path()))


def school_label(school_id: str | None) -> str:
    if not school_id:
        return "the whole alliance"
    frame = schools()
    match = frame.loc[frame["school_id"] == school_id, "name"]
    return str(match.iloc[0]) if len(match) else school_id


def sidebar_viewer() -> Viewer:
    """Until sign-in lands, the sidebar says who is acting (role and school)."""
    frame = schools()
    ids = frame["school_id"].tolist()
    with st.sidebar:
        st.caption("Acting as")
        role = st.selectbox(
            "Role", list(ROLE_LABELS), format_func=ROLE_LABELS.get, key="viewer_role", index=3
        )
        school = None
        if role in ("headteacher", "senior_leader") or role == "sle_coordinator":
            options = ids if role != "sle_coordinator" else [None, *ids]
            school = st.selectbox(
                "School",
                options,
                key="viewer_school",
                format_func=lambda s: school_label(s) if s else "No school",
            )
    try:
        return Viewer(role=role, school_id=school, username=f"demo-{role}")
    except BrokeringError as exc:
        st.sidebar.error(str(exc))
        st.stop()


def show_error(exc: BrokeringError) -> None:
    st.error(str(exc), icon=":material/error:")
