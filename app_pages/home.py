"""Home: what waits for you (the inbox, decided here), then what the product does and holds."""

from datetime import date

import streamlit as st

import ui
import ui_inbox
import ui_people
from brokering.db import table_counts
from brokering.errors import BrokeringError
from brokering.inbox import acknowledge, decide_many
from brokering.matching import availability, lapse, requests
from brokering.overview import school_summary

viewer = st.session_state["viewer"]
con = ui.connection()


def flash(message: str, ok: bool = True) -> None:
    """Show a message after the rerun that follows a change."""
    st.session_state["home_flash"] = (message, ok)
    ui_inbox.forget()
    st.rerun()


def requests_to_decide(items: list) -> None:
    st.markdown(f"#### Requests for your colleagues ({len(items)})")
    ids = [int(i.id) for i in items]
    waiting = requests.list_requests(con, viewer, direction="incoming", statuses=("pending",))
    waiting = waiting[waiting["request_id"].isin(ids)]
    ui.table(
        ui_people.with_names(
            waiting,
            ["coach_ref"],
            [
                "request_id",
                "coach_ref",
                "mode",
                "skill_name",
                "coachee_school",
                "hours",
                "reply_by",
                "note",
                "requested_by",
            ],
        ),
        hide_index=True,
        width="stretch",
        column_config={
            "request_id": "Request number",
            "coach_ref": "Your colleague",
            "mode": "As",
            "skill_name": "Skill",
            "coachee_school": "For a colleague at",
            "hours": st.column_config.NumberColumn("Hours a term", format="%g"),
            "reply_by": st.column_config.DateColumn("Answer by"),
            "note": st.column_config.TextColumn("Their note", width="large"),
            "requested_by": "Asked by",
        },
    )
    labels = {
        int(r.request_id): f"#{r.request_id}: {r.coach_ref} to {r.mode} in {r.skill_name} "
        f"for {r.coachee_school}"
        for r in waiting.itertuples()
    }
    with st.form("inbox_decide"):
        picked = st.multiselect(
            "Requests to answer (one or several, with one reason)",
            list(labels),
            format_func=labels.get,
            key="inbox_pick",
        )
        reason = st.text_input("Reason (needed to decline; the other school reads it)")
        c1, c2 = st.columns([1, 2])
        agreed = c1.checkbox("My colleague(s) agreed to this", key="inbox_agreed")
        agreed_on = c2.date_input(
            "Day they agreed", value=date.today(), max_value=date.today(), key="inbox_agreed_on"
        )
        b1, b2 = st.columns(2)
        accept = b1.form_submit_button("Accept", type="primary")
        decline = b2.form_submit_button("Decline")
    if accept or decline:
        try:
            outcomes = decide_many(
                con,
                viewer,
                picked,
                accept=bool(accept),
                reason=reason,
                colleague_agreed_on=agreed_on if agreed else None,
            )
        except BrokeringError as exc:
            ui.show_error(exc)
            return
        done = [o for o in outcomes if o.ok]
        refused = [o.message for o in outcomes if not o.ok]
        message = " ".join(o.message for o in done)
        if accept and done:
            message += " The coaching is recorded and the needs are matched."
        if refused:
            message += (" " if message else "") + "Not done: " + " ".join(refused)
        flash(message, ok=not refused)


def answers(items: list) -> None:
    st.markdown(f"#### Answers to your requests ({len(items)})")
    for item in items:
        c1, c2 = st.columns([3, 1])
        c1.markdown(f"**#{item.id}** {ui.plain(item.title)}")
        if item.state in lapse.REOFFERABLE:
            try:
                row = lapse.next_candidate(con, viewer, int(item.id))
            except BrokeringError:
                row = None
            if row is not None and c2.button(
                f"Ask {row['staff_ref']} ({ui.plain(row['school_name'])}) instead",
                key=f"reoffer_{item.id}",
                help="The next proposable candidate for this need, not asked before.",
            ):
                try:
                    sent = lapse.reoffer(con, viewer, int(item.id))
                    flash(f"Request #{sent.request_id} for {sent.coach_ref} sent.")
                except BrokeringError as exc:
                    ui.show_error(exc)
            elif row is None:
                c2.caption("Nobody else can be proposed now.")
    if st.button("Mark these answers as read", key="inbox_noted"):
        n = acknowledge(con, viewer, [int(i.id) for i in items])
        flash(f"{n} answer(s) marked as read.")


def unavailable(items: list) -> None:
    st.markdown(f"#### Colleagues who may no longer be available ({len(items)})")
    st.caption(
        "Only leaders of your school see this. Until you confirm, they are proposed after "
        "other candidates."
    )
    for item in items:
        c1, c2 = st.columns([3, 1])
        c1.markdown(ui.plain(item.title))
        if c2.button(f"{item.id} is available", key=f"available_{item.id}"):
            try:
                availability.confirm_available(con, viewer, item.id)
                flash(f"{item.id} is confirmed as available.")
            except BrokeringError as exc:
                ui.show_error(exc)


def elsewhere(items: list, heading: str, param: str) -> None:
    """Items decided on another page: each a link that opens it there."""
    st.markdown(f"#### {heading} ({len(items)})")
    for item in items[:20]:
        st.page_link(
            item.page,
            label=ui.plain(item.title),  # the item in words; its reference only in the link
            icon=":material/arrow_forward:",
            query_params={param: item.id},
        )
    if len(items) > 20:
        st.caption(f"… and {len(items) - 20} more.")


st.title("Alliance Expertise Broker")
if held := st.session_state.pop("home_flash", None):
    (st.success if held[1] else st.warning)(held[0])
box = ui_inbox.current_inbox(con, viewer)
if not viewer.aggregate_only:
    st.subheader(f"What waits for you ({box.count})" if box.count else "Nothing waits for you")
    if items := box.of("request_to_decide"):
        requests_to_decide(items)
    if items := box.of("request_lapsed") + box.of("request_answered"):
        answers(items)
    if items := box.of("coach_unavailable"):
        unavailable(items)
    if items := box.of("pairing_overdue") + box.of("pairing_quiet"):
        elsewhere(items, "Pairings overdue or quiet", "pairing")
    if items := box.of("need_unproposed"):
        elsewhere(items, "Needs nobody has been asked for", "need")
    st.divider()

st.markdown(
    "Find the strongest practitioners and the best coaches across your alliance's schools, "
    "match them to the development needs of colleagues, and follow each piece of joint "
    "practice development through to evidence that the practice really moved."
)
st.markdown(
    "- **Find expertise** — who is the best teacher of *X*, and separately who is best at "
    "coaching it, with every score explained.\n"
    "- **Coaches and mentors** — the right coach or mentor for one need, or every open need "
    "allocated at once within each person's capacity.\n"
    "- **JPD pairings and transfer evidence** — pairings logged, followed to evidence, and "
    "the unevidenced kept in plain view.\n"
    "- **Data** — what is loaded, and the import of each school's export."
)
counts = table_counts(con)
cols = st.columns(5)
for col, (label, table) in zip(
    cols,
    [
        ("Schools", "schools"),
        ("Staff records", "staff"),
        ("Evidence records", "evidence"),
        ("Coaching records", "coaching"),
        ("Development needs", "needs"),
    ],
    strict=True,
):
    col.metric(label, f"{counts.get(table, 0):,}")

st.subheader("Schools in the alliance")
summary = school_summary(con, viewer)
st.dataframe(
    summary[["name", "phase", "is_hub", "staff", "evidence_rows", "open_needs"]],
    hide_index=True,
    width="stretch",
    column_config={
        "name": "School",
        "phase": "Phase",
        "is_hub": st.column_config.CheckboxColumn("Hub"),
        "staff": "Staff",
        "evidence_rows": "Evidence records",
        "open_needs": "Open needs",
    },
)
st.caption(
    f"You are acting as {viewer.role.replace('_', ' ')}"
    f"{' of ' + ui.plain(ui.school_label(viewer.school_id)) if viewer.school_id else ''}. "
    "Staff appear only as pseudonymous references; names stay with each school."
)
