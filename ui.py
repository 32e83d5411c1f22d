"""Streamlit-side helpers shared by the pages: the cached store, cached reads and small
rendering helpers (the sign-in and the acting viewer are in gate.py). Business rules live
in brokering/; nothing here ranks or filters.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import pandas as pd
import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

import ui_downloads
from brokering import audit, dates
from brokering.changes import store_version
from brokering.db import Connection, connect, default_db_path
from brokering.errors import AmbiguousQuery, BrokeringError, DatabaseLockedError
from brokering.overview import list_schools
from brokering.sharing import SharedStore
from brokering.store import open_store
from brokering.viewer import Viewer

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


@st.cache_data(ttl=60, show_spinner=False)
def _schools(path: str, version: tuple) -> pd.DataFrame:
    """Keyed on the store's change signature: an import's schools show on the next run."""
    return list_schools(_store(path).cursor())


#: The school list as read in each session's current run: session id -> (the run's cursor
#: registry, the list, names by id). Why: a page labels every school in a picker with
#: `school_label`, and each call read the store's change signature afresh (ten counts) —
#: at alliance scale, fifty reads to draw one selectbox. The registry is the object
#: Streamlit replaces at the start of every run, so an entry serves one run only; schools
#: change only by an import, after which `refresh_cached` drops every entry, so a write and
#: then a read in the same run still see the write.
_RUN_SCHOOLS: dict[str, tuple[object, pd.DataFrame, dict[str, str]]] = {}
_RUN_SCHOOLS_KEPT = 64


def refresh_cached() -> None:
    """Drop cached reads at once (they are keyed on the store's change signature anyway, so
    this only frees memory after a write; the run's school list is read again)."""
    _schools.clear()
    _RUN_SCHOOLS.clear()


#: The school names last read in a page run, for labels asked for outside one: a widget's
#: `format_func` may be called on another thread (AppTest calls it on the test's own), and a
#: store read there would leave that thread holding the store (brokering/sharing.py).
_LAST_NAMES: dict[str, str] = {}


def _run_schools() -> tuple[pd.DataFrame, dict[str, str]]:
    """The school list and names for this page run, read once per run (see `_RUN_SCHOOLS`)."""
    ctx = get_script_run_ctx()
    run = ctx.cursors if ctx is not None else None
    held = _RUN_SCHOOLS.get(ctx.session_id) if ctx is not None else None
    if held is not None and held[0] is run:
        return held[1], held[2]
    frame = _schools(str(default_db_path()), store_version(connection()))
    names = dict(zip(frame["school_id"], frame["name"], strict=True))
    _LAST_NAMES.clear()
    _LAST_NAMES.update(names)
    if ctx is not None:
        if len(_RUN_SCHOOLS) >= _RUN_SCHOOLS_KEPT:
            _RUN_SCHOOLS.pop(next(iter(_RUN_SCHOOLS)))
        _RUN_SCHOOLS[ctx.session_id] = (run, frame, names)
    return frame, names


def schools() -> pd.DataFrame:
    """Every school (a copy: a page may add columns to it)."""
    return _run_schools()[0].copy()


def school_names() -> dict[str, str]:
    """school_id -> name, from the cached school list (for selectbox labels)."""
    return dict(_run_schools()[1])


def school_label(school_id: str | None) -> str:
    if not school_id:
        return "the whole alliance"
    if get_script_run_ctx() is None:  # not a page run: no store read on this thread
        return _LAST_NAMES.get(school_id, school_id)
    return str(_run_schools()[1].get(school_id, school_id))


def served_audited(
    store: SharedStore,
    viewer: Viewer | None,
    data: bytes | str,
    file_name: str,
    session: str = "",
) -> Callable[[], bytes | str]:
    """The file's contents, handed over only as it is served — and audited then, on the
    server, whoever asks: Streamlit calls this when the download is fetched (a deferred
    download), so no file sits at a media address before, and every file served is in the
    trail. It runs outside any page run, so it holds the store for itself. The file is then
    fetchable by its URL only by this session, briefly, each fetch audited (ui_downloads)."""

    def serve() -> bytes | str:
        who = viewer or Viewer("viewer", None, "unknown")
        with store.lease() as cursor:
            audit.record(cursor(), who, "export", {"download": file_name, "bytes": len(data)})
        ui_downloads.issue(data, who, file_name, session)
        return data

    return serve


def download(label: str, data: bytes | str, file_name: str, **kwargs: object) -> None:
    """A download button whose every file served, and every fetch of it, is audited."""
    store = _store(str(default_db_path()))
    ui_downloads.guard_this_server(store.lease)
    ctx = get_script_run_ctx()
    serve = served_audited(
        store, st.session_state.get("viewer"), data, file_name, ctx.session_id if ctx else ""
    )
    st.download_button(label, serve, file_name, on_click="ignore", **kwargs)


def show_error(exc: BrokeringError) -> None:
    """A refusal in plain words; text that could be several skills also offers them."""
    st.error(plain(exc), icon=":material/error:")
    if isinstance(exc, AmbiguousQuery) and exc.suggestions:
        st.caption(f"Did you mean: {plain(', '.join(exc.suggestions))}?")


def pseudonym_secret() -> str | None:
    """The alliance key from the app's secrets (`pseudonym_key`), if set; the environment's
    BROKERING_PSEUDONYM_KEY is read by brokering.pseudonymise when this is None."""
    try:
        value = st.secrets.get("pseudonym_key")
    except Exception:  # no secrets file at all
        return None
    return str(value) if value else None


def when(value: object) -> str:
    """A date, or a moment with its time of day when it has one ("5 Dec 2026, 14:05")."""
    if value is None or pd.isna(value):
        return ""
    stamp = pd.Timestamp(value)
    return dates.day(stamp) + (f", {stamp:%H:%M}" if stamp != stamp.normalize() else "")


def _is_date(value: object) -> bool:
    return not isinstance(value, str) and hasattr(value, "year") and hasattr(value, "month")


def _whole(column: pd.Series) -> bool:
    """A float column that only holds whole numbers and gaps (an integer column the gaps
    turned into floats): shown as whole numbers, not "3.0"."""
    present = column.dropna()
    return bool(len(present)) and bool((present == present.round()).all())


def readable(frame: pd.DataFrame, skip: tuple[str, ...] | list[str] = ()) -> pd.DataFrame:
    """A table for the screen whose columns sort as what they hold: dates stay dates (a
    column of Python dates becomes one), figures stay figures (whole numbers with gaps as
    whole numbers), so clicking a heading sorts by date or size, never alphabetically; a
    missing text becomes an empty text. Gaps in dates and figures stay gaps, which `table`
    draws as empty cells (never the grid's grey "None"), in the format `columns` gives each
    date ("5 Dec 2026", or "5 Dec 2026, 14:05" for moments). Columns in `skip` are left as
    they are (hidden figures drawn as "fewer than 3")."""
    out = frame.copy()
    for name in out.columns:
        if name in skip:
            continue
        column = out[name]
        if pd.api.types.is_datetime64_any_dtype(column.dtype):
            continue
        textual = column.dtype == object or pd.api.types.is_string_dtype(column.dtype)
        present = column[column.notna()]
        if textual and len(present) and all(_is_date(v) for v in present):
            try:
                out[name] = pd.to_datetime(column.astype(object))
            except (ValueError, OverflowError):  # a date pandas cannot hold (year 9999)
                out[name] = [when(v) for v in column]
        elif pd.api.types.is_float_dtype(column.dtype) and column.isna().any() and _whole(column):
            out[name] = column.astype("Int64")
        elif textual and column.isna().any() and all(isinstance(v, str) for v in present):
            out[name] = column.astype(object).where(column.notna(), "")
    return out


def _moments(column: pd.Series) -> bool:
    """A date column some of whose values have a time of day (a moment, not a day)."""
    present = column.dropna()
    return bool(len(present)) and bool((present != present.dt.normalize()).any())


def columns(config: dict, shown: pd.DataFrame) -> dict:
    """`config` for a table `readable` prepared: each date column drawn the UK's one way —
    "5 Dec 2026" for days, "5 Dec 2026, 14:05" where a time of day is held (never a bare
    midnight) — under its heading (from `config`: a label or a column); a column now holding
    text keeps its heading and help but not a date or number format it no longer has."""
    out = {}
    for name, value in config.items():
        if name not in shown.columns:
            continue
        kind = value.get("type_config", {}).get("type") if isinstance(value, dict) else None
        textual = shown[name].dtype == object or pd.api.types.is_string_dtype(shown[name].dtype)
        label = value.get("label") if isinstance(value, dict) else value
        helps = value.get("help") if isinstance(value, dict) else None
        if kind in ("date", "datetime", "number") and textual:
            value = st.column_config.TextColumn(label, help=helps)
        out[name] = value
    for name in shown.columns:
        if not pd.api.types.is_datetime64_any_dtype(shown[name].dtype):
            continue
        value = out.get(name)
        label = value.get("label") if isinstance(value, dict) else value
        helps = value.get("help") if isinstance(value, dict) else None
        width = value.get("width") if isinstance(value, dict) else None
        kind = value.get("type_config", {}).get("type") if isinstance(value, dict) else None
        chosen = value.get("type_config", {}).get("format") if kind == "datetime" else None
        if _moments(shown[name]) and chosen:
            continue  # the page's own layout for moments (the audit trail's seconds)
        if _moments(shown[name]):
            out[name] = st.column_config.DatetimeColumn(
                label, help=helps, width=width, format=dates.DAY_TIME_FORMAT, step=60
            )
        else:
            out[name] = st.column_config.DateColumn(
                label, help=helps, width=width, format=dates.DAY_FORMAT
            )
    return out


#: Columns holding a record's reference ("N0012", "P0007"): a leader reads the row's words
#: first, so a reference is kept only last, for matching a row to a file or a message.
REFERENCES = ("pairing_id", "need_id", "request_id", "batch_id", "batch", "entry_id")


def references_last(frame: pd.DataFrame) -> pd.DataFrame:
    """The frame with its reference columns (`REFERENCES`) moved to the end."""
    refs = [c for c in REFERENCES if c in frame.columns]
    return frame[[c for c in frame.columns if c not in refs] + refs] if refs else frame


def table(frame: pd.DataFrame, column_config: dict | None = None, **kwargs: object) -> None:
    """`st.dataframe` for a table people read: `readable` cells (dates as dates, drawn as
    "5 Dec 2026"; figures as figures; no "None" anywhere: a gap is an empty cell) under
    `column_config`'s headings, references last, full width, no index."""
    shown = readable(references_last(frame))
    kwargs.setdefault("hide_index", True)
    kwargs.setdefault("width", "stretch")
    st.dataframe(shown, column_config=columns(column_config or {}, shown), placeholder="", **kwargs)
