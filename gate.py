"""The gate: everything a visitor meets before the app proper, and the check on every run.

- On an empty store, a choice: explore the demo alliance, or start our own alliance (the
  first administrator). Nothing is built or created until someone chooses.
- The sign-in form (local accounts), or single sign-on through `st.login` (OIDC).
- On every run of a signed-in session, the account is read again from the store: a
  disabled account, a changed password or a removed account ends the session at once; a
  changed role or school takes effect at once.

The rules live in `brokering.accounts` and `brokering.store`; this module only lays out.
"""

from __future__ import annotations

import os
import threading
from datetime import datetime

import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

import ui
import ui_downloads
from brokering import accounts
from brokering.errors import BrokeringError
from brokering.store import build_first_run_demo, first_run
from brokering.viewer import ROLE_LABELS, Viewer

_BUILD_LOCK = threading.Lock()
_SESSION_KEYS = (
    "signed_in_viewer",
    "signed_in_at",
    "signed_in_stamp",
    "viewer",
    "people_names",  # names loaded by ui_people
)


def sign_in_mode() -> str:
    """`on` (local accounts, the default), `oidc` (single sign-on), or `off` — a picker for
    development and tests only, announced on every page."""
    mode = os.environ.get("BROKERING_SIGN_IN", "on").strip().lower()
    return mode if mode in ("on", "off", "oidc") else "on"


def current_viewer() -> Viewer | None:
    """The acting viewer for this run, or None while nobody is signed in (the caller then
    shows only the signed-out page)."""
    con = ui.connection()
    mode = sign_in_mode()
    offer = first_run(con)
    if offer.offer_demo or (offer.offer_first_admin and mode != "off"):
        return None
    if mode == "off":
        return _picker_viewer()
    state = st.session_state
    viewer, since = state.get("signed_in_viewer"), state.get("signed_in_at")
    if viewer is None or since is None:
        return None
    try:
        viewer = accounts.recheck_session(con, viewer, since, state.get("signed_in_stamp"))
    except accounts.SessionEnded as exc:
        _sign_out(str(exc), viewer, exc.reason)
        return None
    state["signed_in_viewer"] = viewer
    return viewer


def signed_in_sidebar(viewer: Viewer) -> None:
    """Who is signed in, and the way out."""
    if sign_in_mode() == "off":
        return
    with st.sidebar:
        st.caption("Signed in as")
        school = f", {ui.school_label(viewer.school_id)}" if viewer.school_id else ""
        st.text(f"{viewer.username} — {ROLE_LABELS[viewer.role]}{school}")
        if st.button("Sign out", key="sign_out"):
            _sign_out("You have signed out.", viewer)
            st.rerun()


def source() -> str | None:
    """The client's address for the per-source throttle (None on localhost and in tests)."""
    ip = st.context.ip_address
    return ip if isinstance(ip, str) and ip else None


def _start_session(viewer: Viewer) -> None:
    state = st.session_state
    state["signed_in_viewer"] = viewer
    state["signed_in_at"] = datetime.now()
    state["signed_in_stamp"] = accounts.session_stamp(ui.connection(), viewer.username)


def _sign_out(message: str, viewer: Viewer | None = None, reason: str = "signed out") -> None:
    """End the session; the trail records it (the user's choice or the app's `reason`), and
    the session's downloads stop being fetchable by their URLs."""
    if viewer is not None:
        accounts.record_sign_out(ui.connection(), viewer, reason)
    ctx = get_script_run_ctx()
    if ctx is not None:
        ui_downloads.revoke(ctx.session_id)
    for k in _SESSION_KEYS:
        st.session_state.pop(k, None)
    st.session_state["sign_in_message"] = message
    if sign_in_mode() == "oidc" and getattr(st.user, "is_logged_in", False):
        st.logout()


def signed_out_page() -> None:
    """The one page that exists before sign-in: the first-run choice, or sign-in."""
    st.title("Alliance Expertise Broker")
    con = ui.connection()
    offer = first_run(con)
    if offer.offer_demo or (offer.offer_first_admin and sign_in_mode() != "off"):
        _first_run(offer.offer_demo)
    elif sign_in_mode() == "oidc":
        _oidc_sign_in()
    else:
        _sign_in_form()


def _first_run(offer_demo: bool) -> None:
    st.subheader("Welcome")
    st.markdown(
        "Nothing is set up here yet. Try the product on a made-up alliance, or start your "
        "own alliance by creating its administrator account."
    )
    left, right = st.columns(2)
    if offer_demo:
        with left:
            st.markdown("**Explore the demo**")
            st.caption(
                "A fictional hub and nine partner schools, with demo accounts for every role "
                "sharing one published password. For trying the product only: never put real "
                "staff data into the demo."
            )
            if st.button("Explore the demo alliance", type="primary"):
                _build_demo()
    with right:
        st.markdown("**Start our alliance**")
        st.caption(
            "Create the first administrator: the data manager, who imports each school's "
            "files and creates everyone else's accounts."
        )
        with st.form("first_admin"):
            username = st.text_input("Username", key="first_admin_username")
            email = st.text_input("Email for single sign-on (optional)", key="first_admin_email")
            password = st.text_input("Password", type="password", key="first_admin_password")
            again = st.text_input("Password again", type="password", key="first_admin_password2")
            submitted = st.form_submit_button("Start our alliance")
        if submitted:
            if password != again:
                st.error("The two passwords differ.")
                return
            try:
                viewer = accounts.create_first_administrator(
                    ui.connection(), username, password, email
                )
            except BrokeringError as exc:
                ui.show_error(exc)
                return
            _start_session(viewer)
            st.rerun()


def _build_demo() -> None:
    with _BUILD_LOCK:
        bar = st.progress(0.0, text="Building the demo alliance…")
        try:
            with ui.import_connection() as con:  # the demo's import reads its CSV files
                report = build_first_run_demo(con, progress=lambda f, m: bar.progress(f, text=m))
        except BrokeringError as exc:
            bar.empty()
            ui.show_error(exc)
            return
        bar.empty()
    if not report.ok:
        st.error(
            "The demo alliance could not be built: "
            + "; ".join(str(p) for p in report.problems[:5])
        )
        return
    ui.refresh_cached()
    st.rerun()


def _sign_in_form() -> None:
    st.subheader("Sign in")
    if msg := st.session_state.pop("sign_in_message", None):
        st.info(msg)
    with st.form("sign_in"):
        username = st.text_input("Username", max_chars=accounts.MAX_USERNAME)
        password = st.text_input("Password", type="password", max_chars=accounts.MAX_PASSWORD)
        submitted = st.form_submit_button("Sign in", type="primary")
    if submitted:
        try:
            viewer = accounts.authenticate(ui.connection(), username, password, source=source())
        except BrokeringError as exc:
            st.error(ui.plain(exc))
        else:
            _start_session(viewer)
            st.rerun()
    if accounts.is_demo_store(ui.connection()):
        st.info(
            "**This is the demo alliance.** Sign in as `admin`, `coordinator`, `governor`, "
            "`head-sch01` … `head-sch10` or `leader-sch01` … `leader-sch10`, all with the "
            f"password `{accounts.DEMO_PASSWORD}`. The demo accounts stop working as soon as "
            "a real administrator account is created."
        )


def _oidc_sign_in() -> None:
    if msg := st.session_state.pop("sign_in_message", None):
        st.info(msg)
    user = st.user
    if not getattr(user, "is_logged_in", False):
        st.subheader("Sign in")
        st.button("Sign in with your organisation account", on_click=st.login, type="primary")
        return
    try:
        viewer = accounts.viewer_for_email(ui.connection(), str(user.get("email", "")))
    except BrokeringError as exc:
        st.error(ui.plain(exc))
        st.button("Sign out", on_click=st.logout)
        return
    _start_session(viewer)
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
        format_func=lambda s: ui.school_label(s) if s else "No school",
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
    frame = ui.schools()
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
