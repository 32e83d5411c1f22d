"""Streamlit-side helpers shared by the pages: the cached store, the acting viewer, and
small rendering helpers. Business rules live in brokering/; nothing here ranks or filters.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime

import pandas as pd
import streamlit as st

from brokering import accounts, audit
from brokering.changes import store_version
from brokering.db import Connection, connect, default_db_path
from brokering.errors import AmbiguousQuery, BrokeringError, DatabaseLockedError
from brokering.overview import list_schools
from brokering.sharing import SharedStore
from brokering.store import build_demo, is_fresh, open_store
from brokering.viewer import ROLE_LABELS, Viewer

_BUILD_LOCK = threading.Lock()


def _opener() -> Callable[[str], Connection]:
    """Open the store: the first time in this process also brings the taxonomy in step."""
    synced: set[str] = set()

    def open_(path: str) -> Connection:
        if path in synced:
            return connect(path)
        con = open_store(path)
        synced.add(path)
        return con

    return open_


@st.cache_resource(show_spinner=False)
def _store(path: str) -> SharedStore:
    """One holder per process and database path (brokering/sharing.py): a page run holds
    the file, locked down, until its thread ends; between runs the command line may use it."""
    return SharedStore(path, opener=_opener())


def connection() -> Connection:
    """A cursor for this page run. If the command line (or an import) holds the store, the
    run waits a few seconds, then says so in plain words and stops."""
    try:
        return _store(str(default_db_path())).cursor()
    except DatabaseLockedError as exc:
        st.warning(str(exc), icon=":material/hourglass_top:")
        st.stop()
        raise  # st.stop() raises; this keeps type checkers content


@contextmanager
def import_connection(wait: float = 600.0) -> Iterator[Connection]:
    """A short-lived connection with file access for an import (the page run's own cursors
    end here: take a new one with `connection()` afterwards)."""
    try:
        with _store(str(default_db_path())).exclusive(wait=wait) as con:
            yield con
    except DatabaseLockedError as exc:
        st.warning(str(exc), icon=":material/hourglass_top:")
        st.stop()


def ensure_demo() -> None:
    """Build the demo alliance on a machine's first run, with progress shown."""
    con = connection()
    if not is_fresh(con):  # never into a store started for a real alliance (init --admin)
        return
    with _BUILD_LOCK:
        if not is_fresh(connection()):
            return
        bar = st.progress(0.0, text="First run: building the demo alliance…")
        with import_connection() as con:
            report = build_demo(con, progress=lambda f, m: bar.progress(f, text=m))
        bar.empty()
        if not report.ok:
            st.error(
                "The demo alliance could not be built: "
                + "; ".join(str(p) for p in report.problems[:5])
            )
            st.stop()
        st.toast("Demo alliance ready.")


@st.cache_data(ttl=60, show_spinner=False)
def _schools(path: str, version: tuple) -> pd.DataFrame:
    """Keyed on the store's change signature: an import's schools show on the next run."""
    return list_schools(_store(path).cursor())


def refresh_cached() -> None:
    """Drop cached reads at once (they are keyed on the store's change signature anyway, so
    this only frees memory after a write)."""
    _schools.clear()


def schools() -> pd.DataFrame:
    return _schools(str(default_db_path()), store_version(connection()))


def school_names() -> dict[str, str]:
    """school_id -> name, from the cached school list (for selectbox labels)."""
    frame = schools()
    return dict(zip(frame["school_id"], frame["name"], strict=True))


def school_label(school_id: str | None) -> str:
    if not school_id:
        return "the whole alliance"
    frame = schools()
    match = frame.loc[frame["school_id"] == school_id, "name"]
    return str(match.iloc[0]) if len(match) else school_id


def sign_in_mode() -> str:
    """`on` (local accounts, the default), `oidc` (single sign-on), or `off` — a picker for
    development and tests only, announced on every page."""
    mode = os.environ.get("BROKERING_SIGN_IN", "on").strip().lower()
    return mode if mode in ("on", "off", "oidc") else "on"


def current_viewer() -> Viewer:
    """The acting viewer for this script run; stops the script at the sign-in form."""
    mode = sign_in_mode()
    if mode == "off":
        return _picker_viewer()
    state = st.session_state
    viewer, since = state.get("signed_in_viewer"), state.get("signed_in_at")
    if viewer is not None and since is not None and accounts.session_expired(since):
        _sign_out("Your session has expired. Please sign in again.")
        viewer = None
    if viewer is None:
        if mode == "oidc":
            _oidc_sign_in()
        else:
            _sign_in_form()
        st.stop()
    with st.sidebar:
        st.caption("Signed in as")
        st.markdown(
            f"**{viewer.username}** — {ROLE_LABELS[viewer.role]}"
            + (f", {school_label(viewer.school_id)}" if viewer.school_id else "")
        )
        if st.button("Sign out", key="sign_out"):
            _sign_out("You have signed out.")
            st.rerun()
    return viewer


def _sign_out(message: str) -> None:
    for k in ("signed_in_viewer", "signed_in_at", "people_names"):  # names: ui_people
        st.session_state.pop(k, None)
    st.session_state["sign_in_message"] = message
    if sign_in_mode() == "oidc" and getattr(st.user, "is_logged_in", False):
        st.logout()


def _sign_in_form() -> None:
    st.title("Alliance Expertise Broker")
    st.subheader("Sign in")
    if msg := st.session_state.pop("sign_in_message", None):
        st.info(msg)
    with st.form("sign_in"):
        username = st.text_input("Username")
        password = st.text_input("Password", type="password")
        submitted = st.form_submit_button("Sign in", type="primary")
    if submitted:
        try:
            viewer = accounts.authenticate(connection(), username, password)
        except BrokeringError as exc:
            st.error(str(exc))
        else:
            st.session_state["signed_in_viewer"] = viewer
            st.session_state["signed_in_at"] = datetime.now()
            st.rerun()
    if accounts.demo_accounts_present(connection()):
        st.info(
            "**This is the demo alliance.** Sign in as `admin`, `coordinator`, `governor`, "
            "`head-sch01` … `head-sch10` or `leader-sch01` … `leader-sch10`, all with the "
            f"password `{accounts.DEMO_PASSWORD}`. To use real accounts, sign in as `admin`, "
            "create them on the Accounts page (or `python -m brokering users add`), then "
            "disable the demo ones."
        )


def _oidc_sign_in() -> None:
    user = st.user
    if not getattr(user, "is_logged_in", False):
        st.title("Alliance Expertise Broker")
        st.button("Sign in with your organisation account", on_click=st.login, type="primary")
        return
    try:
        viewer = accounts.viewer_for_email(connection(), str(user.get("email", "")))
    except BrokeringError as exc:
        st.error(str(exc))
        st.button("Sign out", on_click=st.logout)
        return
    st.session_state["signed_in_viewer"] = viewer
    st.session_state["signed_in_at"] = datetime.now()
    st.rerun()


def _remember(widget_key: str, store_key: str) -> None:
    st.session_state[store_key] = st.session_state[widget_key]


def _picker_school(widget_key: str, store_key: str, options: list) -> str | None:
    state = st.session_state
    stored = state.get(store_key, state.get(widget_key))
    index = options.index(stored) if stored in options else 0
    school = st.selectbox(
        "School",
        options,
        key=widget_key,
        index=index,
        format_func=lambda s: school_label(s) if s else "No school",
        on_change=_remember,
        args=(widget_key, store_key),
    )
    state[store_key] = school
    return school


def _picker_viewer() -> Viewer:
    """Development and test mode: choose any role and school in the sidebar.

    The choice is also kept under its own key (set by the widget's callback): a widget in
    the entry script can be recreated under a new identity on the first page change, and
    its value would otherwise fall back to the default.
    """
    frame = schools()
    ids = frame["school_id"].tolist()
    roles = list(ROLE_LABELS)
    state = st.session_state
    stored_role = state.get("picked_role") or state.get("viewer_role") or "senior_leader"
    with st.sidebar:
        st.warning("Sign-in is switched off (BROKERING_SIGN_IN=off): for development only.")
        st.caption("Acting as")
        role = st.selectbox(
            "Role",
            roles,
            format_func=ROLE_LABELS.get,
            key="viewer_role",
            index=roles.index(stored_role),
            on_change=_remember,
            args=("viewer_role", "picked_role"),
        )
        state["picked_role"] = role
        school = None
        if role in ("headteacher", "senior_leader"):
            school = _picker_school("viewer_school", "picked_school", ids)
        elif role == "sle_coordinator":  # alliance-wide unless a school is chosen for them
            school = _picker_school("viewer_sle_school", "picked_sle_school", [None, *ids])
    try:
        return Viewer(role=role, school_id=school, username=f"demo-{role}")
    except BrokeringError as exc:
        st.sidebar.error(str(exc))
        st.stop()


def served_audited(
    store: SharedStore, viewer: Viewer | None, data: bytes | str, file_name: str
) -> Callable[[], bytes | str]:
    """The file's contents, handed over only as it is served — and audited then, on the
    server, whoever asks: Streamlit calls this when the download is fetched (a deferred
    download), so no file sits at a media address before, and every file served is in the
    trail. It runs outside any page run, so it holds the store for itself."""

    def serve() -> bytes | str:
        with store.lease() as cursor:
            audit.record(
                cursor(),
                viewer or Viewer("viewer", None, "unknown"),
                "export",
                {"download": file_name, "bytes": len(data)},
            )
        return data

    return serve


def download(label: str, data: bytes | str, file_name: str, **kwargs: object) -> None:
    """A download button whose every file served is written to the audit trail."""
    serve = served_audited(
        _store(str(default_db_path())), st.session_state.get("viewer"), data, file_name
    )
    st.download_button(label, serve, file_name, on_click="ignore", **kwargs)


def show_error(exc: BrokeringError) -> None:
    """A refusal in plain words; text that could be several skills also offers them."""
    st.error(str(exc), icon=":material/error:")
    if isinstance(exc, AmbiguousQuery) and exc.suggestions:
        st.caption(f"Did you mean: {', '.join(exc.suggestions)}?")


def pseudonym_secret() -> str | None:
    """The alliance key from the app's secrets (`pseudonym_key`), if set; the environment's
    BROKERING_PSEUDONYM_KEY is read by brokering.pseudonymise when this is None."""
    try:
        value = st.secrets.get("pseudonym_key")
    except Exception:  # no secrets file at all
        return None
    return str(value) if value else None
