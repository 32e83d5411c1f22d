"""Streamlit-side renderers for an import's report and the Data page's import sections:
the before/after preview, moves, readings to confirm, and undoing a batch. Layout only; the
rules live in brokering.importing (batches, value_maps)."""

from __future__ import annotations

import pandas as pd
import streamlit as st

import ui
from brokering.db import Connection
from brokering.errors import BrokeringError
from brokering.find.maintenance import after_import
from brokering.importing import ImportReport
from brokering.importing.batches import undo, undoable
from brokering.importing.value_maps import confirm
from brokering.viewer import Viewer


def show_changes(report: ImportReport) -> None:
    """Every value the batch changes in rows already held, before and after."""
    if not report.changes:
        return
    st.markdown("**What changes in rows already held** (before and after)")
    st.dataframe(
        pd.DataFrame(report.changes),
        hide_index=True,
        width="stretch",
        column_config={
            "table": "Table",
            "key": "Row",
            "column": "Column",
            "before": "Before",
            "after": "After",
        },
    )


def show_moves_and_questions(report: ImportReport) -> None:
    """Moves between schools, said plainly; readings to confirm kept for the section below."""
    if report.questions:
        st.session_state["value_questions"] = report.questions
    for m in report.moves:
        st.warning(
            f"{m['file']}, line {m['line']} ({m['who']}): moved from school {m['from']} "
            f"to {m['to']}."
        )
    for u in report.unmatched:  # answers in a consent sheet from nobody held
        st.warning(ui.plain(f"{u['file']}, line {u['line']} ({u['who']}): {u['message']}"))


def value_questions_section(con: Connection, viewer: Viewer) -> None:
    """Fuzzy readings from the last check, each confirmed once into the value maps."""
    questions = st.session_state.get("value_questions") or []
    if not questions:
        return
    st.subheader("Readings to confirm")
    st.caption(
        "These words were close to, but not exactly, one of ours. Confirm each once and later "
        "files are read the same way; nothing is applied until you do."
    )
    for i, q in enumerate(questions):
        with st.form(f"question_{i}"):
            choice = st.selectbox(
                f"{q['file']}, {q['column']}: '{q['value']}' ({q['rows']} rows) means",
                q["choices"] or [q["suggestion"]],
            )
            if st.form_submit_button("Confirm"):
                try:
                    confirm(con, viewer, q["kind"], q["value"], choice)
                    st.success(f"Saved: '{q['value']}' means {choice}. Import the file again.")
                except BrokeringError as exc:
                    ui.show_error(exc)


def undo_section(con: Connection, viewer: Viewer) -> None:
    """Undo an applied import batch (refused, with the reason, when later work built on it)."""
    st.subheader("Undo an import")
    held = undoable(con)
    if not held:
        st.info("No applied import to undo.")
        return
    with st.form("undo_form"):
        batch = st.selectbox("Import batch", held)
        st.caption(
            "Puts the store back as it was before that batch. Refused if a later batch or "
            "work in the app has built on it."
        )
        if st.form_submit_button("Undo this import"):
            try:
                with ui.import_connection() as write_con:  # a write, as an import is
                    done = undo(write_con, viewer, int(batch))
                    after_import(write_con, True)
                ui.refresh_cached()
                st.success(f"Import batch {done.import_id} undone.")
            except BrokeringError as exc:
                ui.show_error(exc)
