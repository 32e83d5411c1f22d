"""Allocate all needs: optimal and greedy side by side, the leftovers explained, then commit."""

import altair as alt
import streamlit as st

import ui
from brokering.errors import BrokeringError
from brokering.exporting import to_csv_bytes
from brokering.matching import allocation
from brokering.matching.rules import require_allocator

viewer = st.session_state["viewer"]
con = ui.connection()

st.title("Allocate all needs")
st.caption(
    "Every open need in the alliance matched at once, maximising the total match quality "
    "within each coach's hours this term and the rules — compared with a greedy first-come "
    "allocation — then sent as requests to the candidates' schools."
)
if "allocate_flash" in st.session_state:
    st.success(ui.plain(st.session_state.pop("allocate_flash")), icon=":material/check_circle:")
try:
    require_allocator(viewer)
except BrokeringError as exc:
    ui.show_error(exc)
    st.stop()

with st.form("allocate_form"):
    capped = st.checkbox("Cap what each school gives to other schools", key="alloc_capped")
    cap = st.slider(
        "Share of a school's coaching capacity that may go to other schools",
        0,
        100,
        50,
        step=5,
        format="%d%%",
        key="alloc_cap",
    )
    preview = st.form_submit_button("Preview allocation", type="primary")

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

st.subheader(f"Optimal and greedy, side by side — {plan.term_label}")
if plan.awaiting_reply:
    st.caption(f"{plan.awaiting_reply} open need(s) already awaiting a reply are left out.")
optimal, greedy = plan.results["optimal"], plan.results["greedy"]
cols = st.columns(2)
for col, res, other in ((cols[0], optimal, greedy), (cols[1], greedy, optimal)):
    with col:
        st.markdown(f"**{res.method.capitalize()}** · {res.solver}, {res.seconds:.2f} s")
        m1, m2, m3 = st.columns(3)
        m1.metric(
            "Total match quality",
            f"{res.total_quality:,.1f}",
            delta=f"{res.total_quality - other.total_quality:+.1f}" if res is optimal else None,
        )
        m2.metric("Needs covered", f"{res.needs_covered} of {res.needs_considered}")
        m3.metric("Schools involved", res.schools_involved)
        st.caption(f"{res.cross_school} of the proposals cross between schools.")
chart = (
    alt.Chart(plan.chart_data())
    .mark_bar()
    .encode(
        x=alt.X("method:N", title=None),
        y=alt.Y("value:Q", title=None),
        color=alt.Color("method:N", title="Method"),
        column=alt.Column("measure:N", title=None),
        tooltip=["method", "measure", "value"],
    )
    .resolve_scale(y="independent")
    .properties(width=150, height=200)
)
st.altair_chart(chart)

method = st.radio(
    "Proposals to review and commit",
    list(allocation.METHODS),
    format_func=str.capitalize,
    horizontal=True,
    key="alloc_method",
)
chosen = plan.results[method]
st.dataframe(
    chosen.proposals,
    hide_index=True,
    width="stretch",
    column_config={
        "need_id": "Need",
        "staff_ref": "Staff ref",
        "school_id": None,
        "school_name": "School",
        "skill_id": None,
        "skill_name": "Skill",
        "priority": "Priority",
        "raised_on": st.column_config.DateColumn("Raised"),
        "coach_ref": "Proposed",
        "coach_school_id": None,
        "coach_school_name": "Their school",
        "proposed_as": "As",
        "hours": st.column_config.NumberColumn("Hours", format="%g"),
        "match_score": st.column_config.NumberColumn("Match score", format="%.1f"),
    },
)
ui.download(
    f"Download the {method} proposals (CSV)",
    to_csv_bytes(chosen.proposals),
    f"allocation_{method}.csv",
    mime="text/csv",
)

st.subheader("Needs left unmatched")
if chosen.unmatched.empty:
    st.success("Every need considered has a proposal.")
else:
    st.dataframe(
        chosen.unmatched,
        hide_index=True,
        width="stretch",
        column_config={
            "need_id": "Need",
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
    f"Send these {len(chosen.proposals)} {method} proposals as requests to the candidates' schools",
    key="alloc_confirm",
)
if st.button("Commit the requests", type="primary", disabled=not confirmed):
    try:
        done = allocation.commit_allocation(con, viewer, plan, method)
    except BrokeringError as exc:
        ui.show_error(exc)
        st.stop()
    del st.session_state["allocation_plan"]
    st.session_state["allocate_flash"] = (
        f"Sent {len(done.request_ids)} requests (batch {done.batch_id}). Each school's leaders "
        "answer them on the Coaches and mentors page."
    )
    st.rerun()
