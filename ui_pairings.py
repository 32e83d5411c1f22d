"""Streamlit-side helpers for the JPD pairings page (app_pages/pairings.py): every list's
headings in words, the one table drawer, the lifecycle beside the status control, and the
accountability and ledger views. Layout only: brokering.pairings holds the rules; dates are
written the one way brokering.dates says."""

from __future__ import annotations

import altair as alt
import pandas as pd
import streamlit as st

import ui
import ui_people
from brokering.dashboard import charts
from brokering.dates import DAY_FORMAT, DAY_TIME_FORMAT
from brokering.db import Connection
from brokering.errors import BrokeringError
from brokering.pairings import accountability, entries, ledger, lifecycle, model
from brokering.permissions import can_open
from brokering.viewer import Viewer

LIST_COLUMNS = {
    "pairing_id": st.column_config.TextColumn(
        "Reference", width="small", help="The pairing's reference in files and the log"
    ),
    "practice": "Practice",
    "work_kind": "Kind of work",
    "status": "Status",
    "donors": st.column_config.ListColumn("Donors"),
    "recipients": st.column_config.ListColumn("Recipients"),
    "donor_schools": st.column_config.ListColumn("Donor schools"),
    "recipient_schools": st.column_config.ListColumn("Recipient schools"),
    "same_school": st.column_config.CheckboxColumn("Same school"),
    "start_date": st.column_config.DateColumn("Started", format=DAY_FORMAT),
    "review_date": st.column_config.DateColumn("Review", format=DAY_FORMAT),
    "review_overdue": st.column_config.CheckboxColumn("Review overdue"),
    "transfer_evidence": "Observations of transfer",
    "entries": "Log entries",
    "hours_logged": "Hours logged",
    "last_activity": st.column_config.DateColumn("Last activity", format=DAY_FORMAT),
    "days_overdue": "Days overdue",
    "weeks_quiet": "Weeks quiet",
    "reason": "Reason",
    "judged_on": st.column_config.DateColumn("Judged on", format=DAY_FORMAT),
    # the log
    "entry_id": "Entry",
    "date": st.column_config.DateColumn("Date", format=DAY_FORMAT),
    "entry_type": "Type",
    "hours": "Hours",
    "who": st.column_config.ListColumn("Present"),
    "flow": "Time went",
    "observed_ref": "Practice seen",
    "recorded_by": "Recorded by",
    "rating_before": "Rating before",
    "rating_after": "Rating now",
    "measure": "Measure",
    "value_before": "Before",
    "value_after": "After",
    "note": "Note",
    "link": st.column_config.LinkColumn("Link"),
    "changed_by": "Logged by",
    "changed_at": st.column_config.DatetimeColumn("Logged at", format=DAY_TIME_FORMAT),
    # the ledger
    "school": "School",
    "pairings_given": "Pairings given",
    "pairings_received": "Pairings received",
    "hours_given": "Hours given",
    "hours_received": "Hours received",
    "balance": "Balance (hours)",
    "people": "People",
    "staff_ref": "Staff",
    "school_a_name": "School A",
    "school_b_name": "School B",
    "pairings_a_to_b": "Pairings A to B",
    "pairings_b_to_a": "Pairings B to A",
    "hours_a_to_b": "Hours A to B",
    "hours_b_to_a": "Hours B to A",
    "relationship": "Relationship",
    # the full history
    "version": "Version",
    "change": "Change",
    "withdrawn": st.column_config.CheckboxColumn("Withdrawn"),
    "participants": st.column_config.ListColumn("People"),
    "planned_sessions": "Planned sessions",
    "planned_hours": "Planned hours",
    "cover_hours": "Cover hours",
    "travel_hours": "Travel hours",
    "donor_contribution": "The donor side brings",
    "recipient_contribution": "What flows back",
}

#: The pairings list: who, which schools, the state and its evidence first (a tablet shows
#: these without scrolling), the rest after.
PAIRING_COLUMNS = [
    "donors",
    "recipients",
    "donor_schools",
    "recipient_schools",
    "status",
    "transfer_evidence",
    "practice",
    "work_kind",
    "same_school",
    "start_date",
    "review_date",
    "review_overdue",
    "entries",
    "hours_logged",
    "last_activity",
    "pairing_id",
]


#: Ledger figures that may be hidden (drawn as a grey "fewer than 3", never 0).
SUPPRESSED = [
    "pairings_given",
    "pairings_received",
    "hours_given",
    "hours_received",
    "balance",
    "people",
    "pairings_a_to_b",
    "pairings_b_to_a",
    "hours_a_to_b",
    "hours_b_to_a",
    "relationship",
]


def show_table(
    frame: pd.DataFrame, name: str, empty: str, columns: list[str] | None = None
) -> None:
    """A list in words: headings from `LIST_COLUMNS`, dates as "5 Dec 2026", hidden figures
    as "fewer than 3", missing text empty; with its download and a link to a profile."""
    if frame.empty:
        (st.success if name.startswith("pairings_") else st.info)(empty)
        return
    refs = ("staff_ref", "donors", "recipients")
    named = ui_people.with_names(frame, refs, columns)
    named = ui.references_last(named)
    suppressed = [c for c in SUPPRESSED if c in named.columns]
    config = {k: v for k, v in LIST_COLUMNS.items() if k in named.columns}
    shown = ui.readable(named, skip=suppressed)
    for c in suppressed:  # figures as people write them (16.5, not 16.500000); gaps kept
        shown[c] = [v if pd.isna(v) or not isinstance(v, float) else f"{v:g}" for v in shown[c]]
    st.dataframe(
        charts.hidden_table(shown, suppressed) if suppressed else shown,
        hide_index=True,
        width="stretch",
        column_config=ui.columns(config, shown),
        placeholder="",
    )
    ui.download(
        "Download (CSV)",
        accountability.export(ui_people.with_names(frame, refs)),
        f"{name}.csv",
        mime="text/csv",
        key=name,
    )
    ui_people.profile_link(ui_people.refs_in(frame, refs), key=f"{name}_profile")


def flash(message: str) -> None:
    """Say what was done after the rerun that shows it."""
    st.session_state["pairings_flash"] = message
    st.rerun()


def next_steps(status: str) -> None:
    """Beside the status control: where the pairing can go from here, in a sentence and a
    small picture, both read from the lifecycle's own rules."""
    st.caption(ui.plain(lifecycle.next_steps_text(status)))
    with st.expander("The whole lifecycle", expanded=False):
        st.graphviz_chart(lifecycle.diagram(status))


def history(con: Connection, viewer: Viewer, pairing_id: str, views: object) -> None:
    """Every version of the pairing and of each log entry, in words."""
    versions = views.pairing_history(con, viewer, pairing_id)
    st.markdown("**Versions of the pairing**")
    show_table(versions, f"{pairing_id}_versions", "No versions recorded.")
    st.markdown("**Every version of every log entry**")
    show_table(
        views.pairing_log(con, viewer, pairing_id, history=True),
        f"{pairing_id}_log_history",
        "Nothing logged yet.",
    )


def accountability_view(con: Connection, viewer: Viewer) -> None:
    """Past the review date, quiet, and judged not transferred: nothing slips from view."""
    weeks = st.number_input(
        "Quiet for at least (weeks)", min_value=1, value=accountability.DEFAULT_QUIET_WEEKS
    )
    st.subheader("Past the review date, with no evidence of transfer")
    show_table(
        accountability.overdue(con, viewer),
        "pairings_overdue",
        "Nothing overdue: every open pairing past its review date has an observation of transfer.",
    )
    st.subheader(f"No activity for {weeks} weeks or more")
    show_table(
        accountability.quiet(con, viewer, weeks=int(weeks)),
        "pairings_quiet",
        f"Nothing quiet: every open pairing has had activity in the last {weeks} weeks.",
    )
    st.subheader("Judged not transferred, or stopped — with the reasons")
    show_table(
        accountability.not_transferred(con, viewer),
        "pairings_not_transferred",
        "No pairing has been judged not transferred or stopped so far.",
    )


def ledger_view(con: Connection, viewer: Viewer) -> None:
    """Giving and receiving: school by school, between schools, person by person."""
    st.subheader("Giving and receiving, school by school")
    st.caption(
        ledger.COUNTS + " Figures resting on fewer than three people you cannot see are "
        "hidden, and so is any total they could be worked back from."
    )
    if can_open(viewer, "app_pages/transfer.py"):
        st.page_link(
            "app_pages/transfer.py", label="Giving and receiving by term: Transfer evidence"
        )
    school = ledger.school_ledger(con, viewer)
    long = ledger.chart_frame(school)
    if long["hours"].sum() > 0:
        chart = (
            alt.Chart(long, title="Hours given and received (person-hours)")
            .mark_bar()
            .encode(
                x=alt.X("hours:Q", title="Person-hours"),
                y=alt.Y(
                    "school:N",
                    title=None,
                    sort=school["school"].tolist(),
                    axis=alt.Axis(labelLimit=320),
                ),
                yOffset="direction:N",
                color=alt.Color("direction:N", title=None),
                tooltip=[
                    alt.Tooltip("school:N", title="School"),
                    alt.Tooltip("direction:N", title="Direction"),
                    alt.Tooltip("hours:Q", title="Person-hours"),
                ],
            )
        )
        st.altair_chart(chart, width="stretch")
    else:
        st.caption("No hours logged yet: add the time spent to each pairing's log.")
    show_table(school.drop(columns=["school_id"]), "ledger_schools", "No pairings yet.")
    st.subheader("Between schools: reciprocal or one-way")
    relations = ledger.school_relationships(con, viewer)
    show_table(
        relations.drop(columns=["school_a", "school_b"]),
        "ledger_relationships",
        "No two schools have worked together yet.",
    )
    st.subheader("Person by person")
    show_table(ledger.person_ledger(con, viewer), "ledger_people", "Nobody you can see yet.")


def queue_entry(pairing_id: str, kind: str) -> None:
    """The entry form's submit: the draft from the form's widgets, kept for the run that
    follows to write (after the sign-in check, before anything is drawn)."""
    k, state = f"entry_{pairing_id}_", st.session_state
    state["pairings_pending_entry"] = (
        pairing_id,
        model.EntryDraft(
            entry_type=kind,
            date=state[f"{k}date"],
            hours=state[f"{k}hours"],
            who=tuple(state[f"{k}who"]),
            flow=state[f"{k}flow"],
            observed_ref=state[f"observed_{pairing_id}_{kind}"],
            recorded_by=state[f"{k}by"] or None,
            rating_before=state[f"{k}before"],
            rating_after=state[f"{k}after"],
            measure=state[f"{k}measure"] or None,
            value_before=state[f"{k}value_before"],
            value_after=state[f"{k}value_after"],
            note=state[f"{k}note"] or None,
            link=state[f"{k}link"] or None,
        ),
    )


def write_pending_entry(con: Connection, viewer: Viewer) -> None:
    """Write an entry submitted in the last run (`queue_entry`) by the viewer this run's
    sign-in check confirmed, before the pairing's log is drawn; a refusal is kept for the
    form to show."""
    pending = st.session_state.pop("pairings_pending_entry", None)
    if pending is None:
        return
    pending_id, draft = pending
    try:
        added = entries.add_entry(con, viewer, pending_id, draft)
    except BrokeringError as exc:
        st.session_state[f"entry_{pending_id}_refused"] = exc
    else:
        st.session_state["pairings_flash"] = (
            f"Added the {draft.entry_type} to this pairing's log (entry {added})."
        )
