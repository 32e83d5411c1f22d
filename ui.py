"""Streamlit-side helpers shared by the pages: the cached store, cached reads and small
rendering helpers (the sign-in and the acting viewer are in gate.py). Business rules live
in brokering/; nothing here ranks or filters.
"""

from __future__ import annotations

import re

import pandas as pd
import streamlit as st

from brokering import audit
from brokering.db import Connection, default_db_path
from brokering.errors import AmbiguousQuery, BrokeringError
from brokering.overview import list_schools
from brokering.store import open_store

# Marks that start Markdown inline constructs (links, images, emphasis, code, HTML and
# autolinks, Streamlit's :colour[...] / :icon: directives, formulas, tables, strikethrough).
_MARKDOWN_INLINE = re.compile(r"([\\`*_\[\]<>!:$~|{}])")
# Marks that start a block (heading, list, quote) only at the start of the text.
_MARKDOWN_BLOCK = re.compile(r"^(\s*)([#>+=-]|\d+(?=[.)]))")
_WWW = re.compile(r"(?i)\b(www)\.")


def plain(value: object) -> str:
    """Text from the data (a school's name, a reason, a note, a value from a file) made inert
    for Streamlit's Markdown, which every st.markdown, caption, info, title and label renders:
    every mark that could start a link, image, emphasis, HTML, colour directive, icon or
    formula is backslash-escaped, a leading block mark too, "www." cannot become a link, and
    line breaks become spaces. Ordinary punctuation (. , # ( ) ') is left as it is."""
    text = _MARKDOWN_INLINE.sub(r"\\\1", " ".join(str(value).split()))
    text = _MARKDOWN_BLOCK.sub(r"\1\\\2", text)
    return _WWW.sub(r"\1\\.", text)


@st.cache_resource(show_spinner=False)
def _store(path: str) -> Connection:
    """One connection per process and database path; each script run takes a cursor."""
    return open_store(path)


def connection() -> Connection:
    return _store(str(default_db_path())).cursor()


@st.cache_data(ttl=60, show_spinner=False)
def _schools(path: str) -> pd.DataFrame:
    return list_schools(_store(path).cursor())


def refresh_cached() -> None:
    """After a write (an import), cached reads must be recomputed."""
    _schools.clear()


def schools() -> pd.DataFrame:
    return _schools(str(default_db_path()))


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


def _audit_download(file_name: str) -> None:
    viewer = st.session_state.get("viewer")
    if viewer is not None:
        audit.record(connection(), viewer, "export", {"download": file_name})


def download(label: str, data: bytes | str, file_name: str, **kwargs: object) -> None:
    """A download button whose every use is written to the audit trail (who took what)."""
    st.download_button(
        label, data, file_name, on_click=_audit_download, args=(file_name,), **kwargs
    )


def show_error(exc: BrokeringError) -> None:
    """A refusal in plain words; text that could be several skills also offers them."""
    st.error(plain(exc), icon=":material/error:")
    if isinstance(exc, AmbiguousQuery) and exc.suggestions:
        st.caption(f"Did you mean: {plain(', '.join(exc.suggestions))}?")
