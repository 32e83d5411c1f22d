"""Streamlit-side helpers for people: the link from any list to a profile, and the names a
head or senior leader loads for their own school (brokering/names.py says why and how).

The names live only in this session's memory (`st.session_state`), bound to the viewer and
sign-in they were read for; they are applied after every cached read, at the moment a table
is drawn, so no `st.cache_data` entry ever holds one. Sign-out, expiry and a change of
viewer drop them.
"""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd
import streamlit as st

import ui
from brokering import names as people_names
from brokering import permissions
from brokering.errors import BrokeringError
from brokering.viewer import Viewer

KEY = "people_names"
PROFILE_PAGE = "app_pages/profile.py"
_UPLOADS = "people_names_upload"
_MESSAGE = "people_names_message"


def _sign_in() -> object:
    return st.session_state.get("signed_in_at")


def forget() -> None:
    """Drop the names from this session (sign-out calls this too)."""
    key = st.session_state.pop(KEY, None)
    if isinstance(key, people_names.NameKey):
        key.clear()


def current() -> people_names.NameKey | None:
    """The names loaded for the acting viewer in this sign-in, if any."""
    viewer = st.session_state.get("viewer")
    key = st.session_state.get(KEY)
    if key is None or viewer is None:
        return None
    usable = people_names.usable(key, viewer, _sign_in())
    if usable is None:
        forget()
    return usable


def label(ref: object) -> str:
    """A reference as the viewer may read it: "Name (REF)" for their own school's staff once
    names are loaded, the reference otherwise."""
    key = current()
    return key.label(ref) if key is not None else str(ref)


def heading(column: str) -> str:
    """The heading of the name column beside a reference column ("Name", "Coach name")."""
    return people_names.name_column(column).replace("_", " ").capitalize()


def with_names(
    frame: pd.DataFrame, refs: Iterable[str], columns: list[str] | None = None
) -> pd.DataFrame:
    """The frame (or just `columns` of it) with a name column beside each reference column in
    `refs`, when names are loaded for this viewer; as it was otherwise. Call it on what is
    about to be drawn or downloaded, never on what a cache keeps."""
    refs = [r for r in refs if r in frame.columns]
    shown = frame if columns is None else frame[columns]
    key = current()
    if key is None:
        return shown
    named = people_names.with_names(shown, key, [r for r in refs if r in shown.columns])
    return named.rename(columns={people_names.name_column(r): heading(r) for r in refs})


def refs_in(frame: pd.DataFrame, refs: Iterable[str]) -> list[str]:
    """Every reference in the given columns (lists of references too), in order of appearance."""
    out: list[str] = []
    for col in refs:
        if col not in frame.columns:
            continue
        for v in frame[col]:
            out.extend(v if isinstance(v, (list, tuple)) else [v])
    return [r for r in out if isinstance(r, str)]


def _pseudonym_key() -> bytes | None:
    from brokering.pseudonymise import alliance_key

    try:
        return alliance_key()
    except BrokeringError:
        return None


def _load(viewer: Viewer, widget: str) -> None:
    upload = st.session_state.get(widget)
    if upload is None:
        return
    try:
        key, report = people_names.read_key_file(
            ui.connection(),
            viewer,
            upload.getvalue(),
            pseudonym_key=_pseudonym_key(),
            session=_sign_in(),
        )
    except BrokeringError as exc:
        st.session_state[_MESSAGE] = ("error", str(exc))
    else:
        st.session_state[KEY] = key
        st.session_state[_MESSAGE] = ("ok", report.message)
    # A new uploader replaces this one, so the file's bytes are not kept by the widget.
    st.session_state[_UPLOADS] = st.session_state.get(_UPLOADS, 0) + 1


def names_sidebar(viewer: Viewer) -> None:
    """The sidebar control: load this school's key file, or stop showing names."""
    if not permissions.can(viewer, "load_names"):
        forget()
        return
    key = current()
    with st.sidebar.expander("Names for your school", expanded=False):
        kind, text = st.session_state.pop(_MESSAGE, (None, None))
        if kind == "error":
            st.error(text, icon=":material/error:")
        elif kind == "ok":
            st.success(text)
        if key is not None:
            st.caption(
                f"Showing names for {len(key)} of your school's staff. They are held only in "
                "this signed-in session and go when you sign out."
            )
            st.button("Stop showing names", key="people_names_forget", on_click=forget)
            return
        st.caption(
            "Load your school's key file (staff codes and names, or the lookup the "
            "pseudonymiser wrote) to see your own staff by name in this session. Names are "
            "never saved; partner schools' staff stay references."
        )
        widget = f"people_names_file_{st.session_state.get(_UPLOADS, 0)}"
        st.file_uploader(
            "Key file (CSV)",
            type=["csv", "txt"],
            key=widget,
            on_change=_load,
            args=(viewer, widget),
        )


def profile_link(refs: Iterable[object], key: str, label_text: str = "Open a profile") -> None:
    """A chooser of the references in a list and a link to the chosen one's profile."""
    viewer = st.session_state.get("viewer")
    if viewer is None or not permissions.can_open(viewer, PROFILE_PAGE):
        return
    hidden = {"not shared", ""}
    choices = list(dict.fromkeys(r for r in refs if isinstance(r, str) and r not in hidden))
    if not choices:
        return
    left, right = st.columns([3, 1], vertical_alignment="bottom")
    chosen = left.selectbox(label_text, choices, key=key, format_func=label)
    right.page_link(
        PROFILE_PAGE,
        label="Open profile",
        icon=":material/badge:",
        query_params={"ref": chosen},
    )


def open_profile(ref: str) -> None:
    """A link to one reference's profile (beside a chooser the page already has)."""
    viewer = st.session_state.get("viewer")
    if viewer is None or not permissions.can_open(viewer, PROFILE_PAGE) or not ref:
        return
    st.page_link(
        PROFILE_PAGE,
        label=f"Open the profile of {label(ref)}",
        icon=":material/badge:",
        query_params={"ref": ref},
    )
