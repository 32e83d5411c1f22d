"""Coaches and mentors: the needs register, candidates for one need, and requests."""

from datetime import date

import pandas as pd
import streamlit as st

import ui
import ui_coaches
import ui_people
from brokering.errors import BrokeringError
from brokering.exporting import to_csv_bytes
from brokering.importing.spec import NEED_STATUSES, PRIORITIES, WANTED_ROLES
from brokering.matching import candidates as cand
from brokering.matching import needs, requests
from brokering.matching.rules import can_decide, can_manage_need
from brokering.profile import confidence_text

viewer = st.session_state["viewer"]
con = ui.connection()


def flash(message: str) -> None:
    """Show a success message after the rerun that follows a change."""
    st.session_state["coaches_flash"] = message
    st.rerun()


st.title("Coaches and mentors")
st.caption(
    "Development needs across the alliance, the best coach or mentor for each — every part "
    "of the match shown — and requests to the candidates' schools."
)
if "coaches_flash" in st.session_state:
    st.success(ui.plain(st.session_state.pop("coaches_flash")), icon=":material/check_circle:")

# --- Needs register ----------------------------------------------------------------------
st.subheader("Needs register")
school_names = ui.school_names()
c1, c2, c3, c4 = st.columns(4)
statuses = c1.multiselect("Status", NEED_STATUSES, default=["open"], key="needs_status")
school_options = [None, *school_names]
school_filter = c2.selectbox(  # opens on the viewer's own school's needs
    "Needs of school",
    school_options,
    index=school_options.index(viewer.school_id) if viewer.school_id in school_names else 0,
    format_func=lambda s: school_names.get(s, "All schools"),
    key="needs_school",
)
priority = c3.selectbox(
    "Priority", [None, *PRIORITIES], format_func=lambda p: p or "Any", key="needs_priority"
)
wanted = c4.selectbox(
    "Role wanted", [None, *WANTED_ROLES], format_func=lambda r: r or "Any", key="needs_role"
)
try:
    register = needs.list_needs(
        con,
        viewer,
        statuses=statuses or None,
        school_id=school_filter,
        priority=priority,
        wanted_role=wanted,
    )
except BrokeringError as exc:
    ui.show_error(exc)
    st.stop()
register = register.assign(note=register["note"].fillna(""))
ui.table(
    ui_people.with_names(
        register,
        ["staff_ref"],
        [
            "staff_ref",
            "school_name",
            "need_id",
            "skill_name",
            "priority",
            "wanted_role",
            "raised_on",
            "status",
            "hours",
            "pending_requests",
            "note",
        ],
    ),
    hide_index=True,
    width="stretch",
    column_config={
        "need_id": st.column_config.TextColumn("Reference", width="small"),
        "staff_ref": "Staff ref",
        "school_name": "School",
        "skill_name": "Skill",
        "priority": "Priority",
        "wanted_role": "Role wanted",
        "raised_on": st.column_config.DateColumn("Raised"),
        "status": "Status",
        "hours": st.column_config.NumberColumn("Hours a term", help="Blank: the default"),
        "pending_requests": "Awaiting reply",
        "note": "Note",
    },
)
ui.download(
    "Download these needs (CSV)",
    to_csv_bytes(ui_people.with_names(register, ["staff_ref"])),
    "needs.csv",
    mime="text/csv",
)
ui_people.profile_link(register["staff_ref"], key="needs_profile")

skills = needs.skill_choices(con)
skill_names = dict(zip(skills["skill_id"], skills["name"], strict=True))
with st.expander("Add a need"), st.form("add_need", clear_on_submit=True):
    a1, a2 = st.columns(2)
    staff_ref = a1.text_input("Staff ref of the person with the need", key="add_staff_ref")
    skill = a2.selectbox(
        "Skill",
        list(skill_names),
        format_func=skill_names.get,
        index=None,
        placeholder="Choose a skill",
        key="add_skill",
    )
    a3, a4, a5 = st.columns(3)
    new_priority = a3.selectbox("Priority", PRIORITIES, index=1, key="add_priority")
    new_role = a4.selectbox("Role wanted", WANTED_ROLES, index=2, key="add_role")
    new_hours = a5.number_input(
        "Hours a term (0 = the default)", 0.0, 1000.0, 0.0, step=1.0, key="add_hours"
    )
    new_note = st.text_input("Note (optional)", key="add_note")
    if st.form_submit_button("Add need"):
        try:
            added = needs.add_need(
                con,
                viewer,
                staff_ref=staff_ref,
                skill=skill or "",
                priority=new_priority,
                wanted_role=new_role,
                hours=new_hours or None,
                note=new_note or None,
            )
            st.session_state["need_pick"] = added.need_id  # the need just added is chosen
            flash(f"Added the need: {added.describe(ui_people.label(added.staff_ref))}.")
        except BrokeringError as exc:
            ui.show_error(exc)


# --- Candidates for one need -------------------------------------------------------------
def candidates_section() -> None:
    """Pick a need, see its ranked candidates, open one's breakdown, send a request."""
    st.subheader("Candidates for a need")
    open_needs = needs.list_needs(con, viewer, statuses=("open",))
    if open_needs.empty:
        st.info("There are no open needs you can see.")
    else:
        labels = {
            r.need_id: needs.describe_need(
                r.skill_name,
                ui_people.label(r.staff_ref),
                r.school_name,
                r.raised_on,
                r.wanted_role,
                r.priority,
            )
            for r in open_needs.itertuples()
        }
        asked = st.query_params.get("need")  # opened from an inbox item
        if asked in labels and st.session_state.get("need_opened") != asked:
            st.session_state["need_pick"] = asked
            st.session_state["need_opened"] = asked
        if st.session_state.get("need_pick") not in labels:  # open on the viewer's own needs
            own = open_needs[open_needs["school_id"] == viewer.school_id]["need_id"]
            st.session_state["need_pick"] = own.iloc[0] if len(own) else next(iter(labels))
        need_id = st.selectbox("Need", list(labels), format_func=labels.get, key="need_pick")
        try:
            result = cand.candidates_for_need(con, viewer, need_id)
        except BrokeringError as exc:
            ui.show_error(exc)
            return
        need = result.need
        st.markdown(
            f"**{ui.plain(need.staff_ref)}** at {ui.plain(need.school_name)} wants a "
            f"**{ui.plain(need.wanted_role)}** in "
            f"**{ui.plain(need.skill_name)}** ({ui.plain(need.priority)} priority, "
            f"{need.effective_hours(result.params.default_hours):g} hours a term). "
            f"{len(result.proposable)} of {len(result.frame)} candidates can be proposed; hours "
            f"left are for {result.term_label}."
            + (
                f" Close skills used: {ui.plain(', '.join(result.close_skills))}."
                if result.close_skills
                else ""
            )
        )
        frame = result.frame.assign(
            confidence=[confidence_text(c) for c in result.frame["practice_confidence"]],
            not_proposed_reason=result.frame["not_proposed_reason"].fillna(""),
        )
        st.caption(
            "Ordered as they would be proposed: those who can be proposed first, by match score "
            "(highest first; then expertise), and anyone possibly unavailable after the other "
            "proposable candidates; then those who cannot be, by match score, with the rule "
            "that excluded them. Job, confidence, phase fit, distance and flags are under "
            "“Why this match”."
        )
        ui_coaches.candidates_table(frame)
        if not frame.empty:
            choice = {
                r.staff_ref: f"{ui_people.label(r.staff_ref)} — {r.school_name}, "
                f"{r.match_score:.1f}" + ("" if r.proposable else " (not proposed)")
                for r in frame.itertuples()
            }
            ref = st.selectbox(
                "Candidate", list(choice), format_func=choice.get, key=f"candidate_{need_id}"
            )
            ui_people.open_profile(ref)
            row = result.row(ref)
            ui_coaches.why_this_match(ref, row, frame, *cand.explain(result, ref))
            if can_manage_need(viewer, need.school_id):
                n1, n2 = st.columns([3, 1])
                note = n1.text_input("Note for the other school (optional)", key="request_note")
                reply_by = n2.date_input(
                    "Answer by",
                    value=None,
                    min_value=date.today(),
                    help="Blank: the alliance's usual time to answer.",
                    key="request_reply_by",
                )
                if st.button(
                    f"Send request for {ui.plain(ref)}",
                    type="primary",
                    disabled=not bool(row["proposable"]),
                ):
                    try:
                        sent = requests.send_request(
                            con, viewer, need.need_id, ref, note=note, reply_by=reply_by
                        )
                        flash(
                            f"Request #{sent.request_id} for {ref} sent to "
                            f"{school_names.get(sent.coach_school_id, sent.coach_school_id)}."
                        )
                    except BrokeringError as exc:
                        ui.show_error(exc)
            else:
                st.caption(
                    f"Requests for this need are sent by leaders of {ui.plain(need.school_name)}."
                )

        if can_manage_need(viewer, need.school_id):
            with st.expander("Edit or close this need"):
                with st.form("edit_need"):
                    ed_skill = st.text_input(
                        "Skill (leave blank to keep it)",
                        placeholder=need.skill_name,
                        help="A skill's name, an alias or a close spelling, as in the taxonomy.",
                        key=f"edit_skill_{need.need_id}",
                    )
                    e1, e2, e3 = st.columns(3)
                    ed_priority = e1.selectbox(
                        "Priority",
                        PRIORITIES,
                        key=f"edit_priority_{need.need_id}",
                        index=PRIORITIES.index(need.priority),
                    )
                    ed_role = e2.selectbox(
                        "Role wanted",
                        WANTED_ROLES,
                        key=f"edit_role_{need.need_id}",
                        index=WANTED_ROLES.index(need.wanted_role),
                    )
                    ed_hours = e3.number_input(
                        "Hours a term (0 = the default)",
                        0.0,
                        1000.0,
                        float(need.hours or 0.0),
                        step=1.0,
                        key=f"edit_hours_{need.need_id}",
                    )
                    ed_note = st.text_input(
                        "Note", value=need.note or "", key=f"edit_note_{need.need_id}"
                    )
                    if st.form_submit_button("Save changes"):
                        try:
                            needs.edit_need(
                                con,
                                viewer,
                                need.need_id,
                                skill=ed_skill.strip() or None,
                                priority=ed_priority,
                                wanted_role=ed_role,
                                hours=ed_hours or None,
                                note=ed_note or None,
                            )
                            flash(f"Updated the need of {need.staff_ref} at {need.school_name}.")
                        except BrokeringError as exc:
                            ui.show_error(exc)
                with st.form("close_need"):
                    how = st.radio("Close as", ["closed", "withdrawn"], horizontal=True)
                    why = st.text_input("Reason for closing")
                    if st.form_submit_button("Close need"):
                        try:
                            needs.close_need(con, viewer, need.need_id, status=how, reason=why)
                            flash(
                                f"The need ({need.skill_name} for {need.staff_ref}) is now {how}."
                            )
                        except BrokeringError as exc:
                            ui.show_error(exc)


candidates_section()

# --- Requests ----------------------------------------------------------------------------
if viewer.school_id and can_decide(viewer, viewer.school_id):
    waiting = requests.list_requests(con, viewer, direction="incoming", statuses=("pending",))
    if not waiting.empty:
        st.info(
            f"{len(waiting)} request(s) for colleagues at "
            f"{ui.plain(school_names.get(viewer.school_id))} wait for an answer: they are "
            "answered on Home."
        )
        st.page_link("app_pages/home.py", label="Answer them on Home", icon=":material/inbox:")

st.subheader("Requests and decisions")
try:
    history = requests.list_requests(con, viewer)
except BrokeringError as exc:
    ui.show_error(exc)
    history = pd.DataFrame()
if history.empty:
    st.caption("No requests yet.")
else:
    ui_coaches.requests_table(history)
st.caption(f"Today is {date.today():%d %B %Y}; staff appear as pseudonymous references only.")
