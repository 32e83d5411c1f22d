"""Allocate all needs: three ways side by side, the leftovers explained, commit, and follow
each batch sent."""

import altair as alt
import streamlit as st

import ui
import ui_people
from brokering.dates import DAY_FORMAT, DAY_TIME_FORMAT
from brokering.errors import BrokeringError
from brokering.exporting import to_csv_bytes
from brokering.matching import allocation, batches
from brokering.matching.commit import commit_allocation
from brokering.matching.rules import require_allocator

viewer = st.session_state["viewer"]
con = ui.connection()

st.title("Allocate all needs")
st.caption(
    "Every open need in the alliance matched at once within each coach's hours this term and "
    "the rules — for the best matches overall, for as many needs as possible, or first come, "
    "first served — then sent as requests to the candidates' schools, and followed."
)
if "allocate_flash" in st.session_state:
    st.success(ui.plain(st.session_state.pop("allocate_flash")), icon=":material/check_circle:")
try:
    require_allocator(viewer)
except BrokeringError as exc:
    ui.show_error(exc)
    st.stop()


def batches_section() -> None:
    """What became of each allocation sent: the batch followed, and a re-run for the rest."""
    sent = batches.list_batches(con, viewer)
    if sent.empty:
        return
    st.subheader("Allocations sent")
    ui.table(
        ui.readable(sent),
        column_config={
            "batch_id": "Reference",
            "sent_at": st.column_config.DatetimeColumn("Sent", format=DAY_TIME_FORMAT),
            "sent_by": "By",
            "sent": "Requests",
            "pending": "Waiting",
            "accepted": "Accepted",
            "declined": "Declined",
            "lapsed": "Lapsed",
            "withdrawn": "Withdrawn",
            "reoffered": "Re-offered",
        },
    )
    labels = {
        r.batch_id: f"Sent {ui.when(r.sent_at)} by {r.sent_by} ({r.sent} requests)"
        for r in sent.itertuples()
    }
    pick = st.selectbox("Batch", list(labels), format_func=labels.get, key="alloc_batch")
    detail = batches.batch_requests(con, viewer, pick)
    ui.table(
        ui.readable(detail),
        column_config={
            "request_id": "Request number",
            "need_id": "Need reference",
            "skill_name": "Skill",
            "coach_ref": "Asked for",
            "coach_school": "Their school",
            "status": "Status",
            "reply_by": st.column_config.DateColumn("Answer by", format=DAY_FORMAT),
            "reason": "Reason",
            "decided_at": st.column_config.DatetimeColumn("Answered", format=DAY_TIME_FORMAT),
            "followed_by": "Then asked (request)",
        },
    )
    st.caption(
        "To match what is left — needs declined, lapsed or never matched — preview again: "
        "needs still awaiting a reply are left out."
    )


batches_section()

# Outside the form, so that the share below can be moved only while the cap is on.
capped = st.checkbox("Cap what each school gives to other schools", key="alloc_capped")
with st.form("allocate_form"):
    cap = st.slider(
        "Share of a school's coaching capacity that may go to other schools",
        0,
        100,
        50,
        step=5,
        format="%d%%",
        key="alloc_cap",
        disabled=not capped,
        help=None if capped else "Tick “Cap what each school gives” to set a share.",
    )
    preview = st.form_submit_button("Preview allocation (re-run for what is left)", type="primary")

if preview:
    try:
        with st.spinner("Scoring every need against every candidate…"):
            plan = allocation.plan_allocation(con, viewer, school_cap=cap / 100 if capped else None)
        st.session_state["allocation_plan"] = (viewer, plan)
    except BrokeringError as exc:
        ui.show_error(exc)
        st.stop()

held = st.session_state.get("allocation_plan")
if not held or held[0] != viewer:
    st.info("Choose the parameters and preview the allocation. Nothing is sent until you commit.")
    st.stop()
plan = held[1]

st.subheader(f"Three ways to allocate, side by side — {plan.term_label}")
if plan.awaiting_reply:
    st.caption(f"{plan.awaiting_reply} open need(s) already awaiting a reply are left out.")
best = plan.results["optimal"]
cols = st.columns(len(plan.results))
for col, res in zip(cols, plan.results.values(), strict=True):
    with col:
        st.markdown(f"**{allocation.METHOD_LABELS[res.method]}**")
        st.metric("Needs matched", f"{res.needs_covered} of {res.needs_considered}")
        st.metric(
            "Average match",
            f"{res.average_match:.1f}",
            delta=None if res is best else f"{res.average_match - best.average_match:+.1f}",
            help="The average match score (0–100) of the needs this way matches.",
        )
        st.caption(
            f"{res.schools_involved} schools involved; {res.cross_school} proposals cross "
            "between schools."
        )
chart = (
    alt.Chart(plan.chart_data())
    .mark_bar()
    .encode(
        x=alt.X("method:N", title=None, axis=alt.Axis(labelAngle=-20)),
        y=alt.Y("value:Q", title=None),
        color=alt.Color("method:N", title="Way"),
        column=alt.Column("measure:N", title=None),
        tooltip=["method", "measure", "value"],
    )
    .resolve_scale(y="independent")
    .properties(width=170, height=200)
)
st.altair_chart(chart)
changed = plan.differences("optimal", "greedy")
with st.expander(
    f"Needs that get a different coach first come, first served ({len(changed)})",
    expanded=bool(len(changed)),
):
    if changed.empty:
        st.caption("Both ways propose the same coach for every need.")
    else:
        ui.table(
            ui.readable(changed),
            column_config={
                "need_id": "Need reference",
                "staff_ref": "Staff ref",
                "school_name": "School",
                "skill_name": "Skill",
                "coach_ref_optimal": allocation.METHOD_LABELS["optimal"],
                "match_score_optimal": st.column_config.NumberColumn("Match", format="%.1f"),
                "coach_ref_greedy": allocation.METHOD_LABELS["greedy"],
                "match_score_greedy": st.column_config.NumberColumn("Match ", format="%.1f"),
            },
        )

method = st.radio(
    "Proposals to review and commit",
    list(allocation.METHODS),
    format_func=allocation.METHOD_LABELS.get,
    horizontal=True,
    key="alloc_method",
)
chosen = plan.results[method]
ui.table(
    ui.readable(chosen.proposals),
    column_config={
        "need_id": "Need reference",
        "staff_ref": "Staff ref",
        "school_id": None,
        "school_name": "School",
        "skill_id": None,
        "skill_name": "Skill",
        "priority": "Priority",
        "raised_on": st.column_config.DateColumn("Raised", format=DAY_FORMAT),
        "coach_ref": "Proposed",
        "coach_school_id": None,
        "coach_school_name": "Their school",
        "proposed_as": "As",
        "hours": st.column_config.NumberColumn("Hours", format="%g"),
        "match_score": st.column_config.NumberColumn("Match score", format="%.1f"),
        "hours_left_after": st.column_config.NumberColumn(
            "Hours left after",
            format="%g",
            help="The coach's hours left this term once every proposal here is accepted.",
        ),
        "days_left_after": st.column_config.NumberColumn(
            "Release days left after", format="%g", help="The same, in release days."
        ),
    },
)
ui_people.profile_link(
    ui_people.refs_in(chosen.proposals, ["staff_ref", "coach_ref"]), key="alloc_profile"
)
ui.download(
    "Download these proposals (CSV)",
    to_csv_bytes(chosen.proposals),
    f"allocation_{method}.csv",
    mime="text/csv",
)

st.subheader("Needs left unmatched")
if chosen.unmatched.empty:
    st.success("Every need considered has a proposal.")
else:
    ui.table(
        ui.readable(chosen.unmatched),
        column_config={
            "need_id": "Need reference",
            "staff_ref": "Staff ref",
            "school_name": "School",
            "skill_name": "Skill",
            "priority": "Priority",
            "reason": "Why not matched",
        },
    )

st.subheader("Commit")
if chosen.proposals.empty:
    st.info("There is nothing to commit.")
    st.stop()
confirmed = st.checkbox(
    f"Send these {len(chosen.proposals)} proposals as requests to the candidates' schools",
    key="alloc_confirm",
)
if st.button("Commit the requests", type="primary", disabled=not confirmed):
    try:
        done = commit_allocation(con, viewer, plan, method)
    except BrokeringError as exc:
        ui.show_error(exc)
        st.stop()
    del st.session_state["allocation_plan"]
    st.session_state["allocate_flash"] = (
        f"Sent {len(done.request_ids)} requests (batch {done.batch_id}). Each school's leaders "
        "answer them on Home, where they wait in their inbox."
    )
    st.rerun()
