"""Streamlit-side renderers for an import's report and the Data page's import sections:
the outcome, problems grouped by kind (the whole list downloadable), the before/after
preview, moves, readings to confirm, and undoing a batch. Layout only; the rules and the
grouping live in brokering.importing (problems, batches, value_maps).

The last report is kept in the session (`LAST_REPORT`), so it stays on screen whatever the
reader clicks next — a download, a table, another widget — until other files are chosen.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd
import streamlit as st

import ui
from brokering import dates
from brokering.db import Connection
from brokering.errors import BrokeringError
from brokering.exporting import to_csv_bytes
from brokering.find.maintenance import after_import
from brokering.importing import ImportReport, Problem
from brokering.importing.batches import undo, undoable_described
from brokering.importing.value_maps import confirm
from brokering.settings import MAX_HELD_PROBLEMS, MAX_REPORTED_PROBLEMS
from brokering.viewer import Viewer

#: Session key of the last import's report: {"report", "files" (what was uploaded)}.
LAST_REPORT = "data_last_import"
#: Groups of problems listed on the page; the rest are in the download.
GROUPS_LISTED = 60


def problems_frame(problems: Sequence[Problem]) -> pd.DataFrame:
    """Every problem, one row each, with columns in words (the download)."""
    return pd.DataFrame(
        {
            "File": [p.file for p in problems],
            "Line": [p.line or "whole file" for p in problems],
            "Column": [p.column for p in problems],
            "Value": [p.value for p in problems],
            "Who (as the file names them)": [p.who for p in problems],
            "What is wrong": [p.message for p in problems],
        }
    )


def show_report(report: ImportReport) -> None:
    """The outcome of a check or an import, then everything the data manager must act on."""
    if report.ok and report.applied:
        st.success(
            "Imported: it is the newest import under “Undo an import” below. "
            + "; ".join(
                f"{ui.plain(o.file)}: {o.added} added, {o.updated} updated, {o.unchanged} unchanged"
                for o in report.outcomes
            )
        )
    elif report.ok:
        st.success(
            "Every row is valid. Nothing was written (check only). "
            + "; ".join(
                f"{ui.plain(o.file)}: {o.added} would be added, {o.updated} updated"
                for o in report.outcomes
            )
        )
    else:
        show_problems(report)
    show_changes(report)
    show_moves_and_questions(report)
    for note in report.notes:
        st.caption(ui.plain(note))


def show_problems(report: ImportReport) -> None:
    """A refused batch: the same mistake in many rows said once, with its count and lines;
    the full wording on the page (no column to widen); the whole list as a download."""
    n = report.problem_count
    st.error(
        f"Refused: {n:,} problem{'s' if n != 1 else ''} found, so nothing was written. Fix "
        "them in the file and upload it again."
    )
    if report.more_than_shown:
        held = len(report.problems)
        whole = "every one of them" if held >= n else f"the first {held:,} of them"
        st.warning(
            f"This report is long: {n:,} problems, more than the {MAX_REPORTED_PROBLEMS} "
            f"a report lists. They are grouped below by kind; the download holds {whole}, "
            "one row each."
        )
    groups = report.grouped()
    st.markdown(
        f"**What is wrong, by kind** ({len(groups):,} kind{'s' if len(groups) != 1 else ''})"
    )
    st.markdown(
        "\n".join(
            f"- {ui.plain(g.what())} — **{ui.plain(g.where())}**" for g in groups[:GROUPS_LISTED]
        )
    )
    if len(groups) > GROUPS_LISTED:
        st.caption(f"… and {len(groups) - GROUPS_LISTED:,} more kinds, in the download.")
    if n > MAX_HELD_PROBLEMS:
        st.caption(
            f"Only the first {MAX_HELD_PROBLEMS:,} problems are listed and counted by kind: "
            "fix these and check the file again."
        )
    ui.download(
        "Download every problem (CSV)",
        to_csv_bytes(problems_frame(report.problems)),
        "import_problems.csv",
        mime="text/csv",
        key="download_problems",
    )


def show_changes(report: ImportReport) -> None:
    """Every value the batch changes in rows already held, before and after."""
    if not report.changes:
        return
    st.markdown("**What changes in rows already held** (before and after)")
    changes = pd.DataFrame(report.changes).astype(object)
    st.dataframe(
        changes.where(changes.notna(), dates.NONE),  # a value added where there was none
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
            f"{ui.plain(m['file'])}, line {m['line']} ({ui.plain(m['who'])}): moved from "
            f"{ui.plain(ui.school_label(m['from']))} to {ui.plain(ui.school_label(m['to']))}."
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
                ui.plain(f"{q['file']}, {q['column']}: '{q['value']}' ({q['rows']} rows) means"),
                q["choices"] or [q["suggestion"]],
            )
            if st.form_submit_button("Confirm"):
                try:
                    confirm(con, viewer, q["kind"], q["value"], choice)
                    st.success(
                        ui.plain(f"Saved: '{q['value']}' means {choice}. Import the file again.")
                    )
                except BrokeringError as exc:
                    ui.show_error(exc)


def undo_section(con: Connection, viewer: Viewer) -> None:
    """Undo an applied import batch (refused, with the reason, when later work built on it)."""
    st.subheader("Undo an import")
    if done := st.session_state.pop("data_undone", None):
        st.success(done)
    held = undoable_described(con)
    if not held:
        st.info("No applied import to undo.")
        return
    with st.form("undo_form"):
        batch = st.selectbox("Import", list(held), format_func=held.get)
        st.caption(
            "Puts the store back as it was before that batch. Refused if a later batch or "
            "work in the app has built on it."
        )
        if st.form_submit_button("Undo this import"):
            try:
                with ui.import_connection() as write_con:  # a write, as an import is
                    done = undo(write_con, viewer, int(batch))
                    after_import(write_con, True)
            except BrokeringError as exc:
                ui.show_error(exc)
            else:
                # Read the page again so its tables no longer hold the batch's rows.
                ui.refresh_cached()
                st.session_state.pop(LAST_REPORT, None)
                st.session_state["data_undone"] = f"Undone: {held[done.import_id]}."
                st.rerun()


def consent_table(roster: pd.DataFrame) -> None:
    """A school's consent list: columns in words, dates as "5 Dec 2026", no None. School
    names are read once for the table (a label per row re-read the store's version each
    time: 18 s for the administrator's 633 rows)."""
    names = ui.school_names()
    ui.table(
        pd.DataFrame(
            {
                "Reference": roster["staff_ref"],
                "School": roster["school_id"].map(lambda s: names.get(s, s)),
                "Role": roster["role"].fillna(""),
                "Sharing alliance-wide": roster["share_consent"].map(
                    lambda v: "not recorded" if pd.isna(v) else "yes" if v else "no"
                ),
                "Consent dated": roster["consent_date"],
            }
        ),
        hide_index=True,
        width="stretch",
    )
