"""JPD pairings: log the work, follow it to evidence, keep the unevidenced in plain view.
Layout only: brokering.pairings decides; ui_pairings holds the lists' headings, the table
drawer, the lifecycle beside the status control and the accountability and ledger views."""

from datetime import date, timedelta

import pandas as pd
import streamlit as st

import ui
import ui_pairings
from brokering.dates import DAY_FORMAT, INPUT_FORMAT, day
from brokering.errors import BrokeringError
from brokering.pairings import accountability, entries, ledger, lifecycle, model, service, views
from brokering.settings import TRANSFER_LEVEL
from ui_pairings import (
    accountability_view,
    flash,
    history,
    ledger_view,
    next_steps,
    show_table,
)

viewer = st.session_state["viewer"]
con = ui.connection()

st.title("JPD pairings")
st.caption(
    "Joint practice development between colleagues, usually in different schools, followed "
    "through to evidence. A pairing counts as transferred only when someone else has seen the "
    f"recipient's practice change: rated at least {TRANSFER_LEVEL} of 4 after the work began, "
    "and better than any baseline. A baseline never counts."
)

# -- what the alliance holds ---------------------------------------------------------------
try:
    counts = views.status_counts(con, viewer)
except BrokeringError as exc:
    ui.show_error(exc)
    st.stop()
cols = st.columns(len(counts))
for col, (_, row) in zip(cols, counts.iterrows(), strict=True):
    value = row["pairings"]
    col.metric(row["status"].capitalize(), "fewer than 3" if pd.isna(value) else int(value))

if viewer.aggregate_only:
    st.info(
        "Your role sees alliance figures only: pairings by status above and each school's "
        "giving and receiving below. Figures resting on fewer than three people are hidden."
    )
    school = ledger.school_ledger(con, viewer)
    show_table(school.drop(columns=["school_id"]), "ledger_schools", "No pairings yet.")
    st.stop()

ui_pairings.write_pending_entry(con, viewer)
if message := st.session_state.pop("pairings_flash", None):
    st.success(ui.plain(message))

VIEWS = ["Pairings", "Log a pairing", "Accountability", "Reciprocity ledger"]
if goto := st.session_state.pop("pairings_goto", None):
    st.session_state["pairings_view"] = goto
choice = st.radio("Show", VIEWS, horizontal=True, key="pairings_view")


def render_pairing(pairing_id: str, described: str) -> None:
    detail = views.pairing_detail(con, viewer, pairing_id)
    st.subheader(f"{ui.plain(described)} — {ui.plain(detail['status'])}")
    st.caption(f"Reference {ui.plain(pairing_id)}")
    st.caption(
        f"{ui.plain(detail['work_kind'].capitalize())}, started {day(detail['start_date'])}; "
        f"review {day(detail['review_date'], 'not set')}. "
        f"Planned: {detail['planned_sessions'] or 0} sessions, "
        f"{detail['planned_hours'] or 0:g} hours; cover {detail['cover_hours'] or 0:g} hours; "
        f"travel {detail['travel_hours'] or 0:g} hours."
    )
    if detail["same_school"]:
        st.warning("Same-school pairing: everyone in it works at one school.")
    people = detail["participants"]
    ui.table(
        ui.readable(people),
        column_config={"staff_ref": "Staff", "side": "Side", "role": "Role", "school": "School"},
    )
    left, right = st.columns(2)
    given = ui.plain(detail["donor_contribution"] or "not recorded")
    left.markdown(f"**The donor side brings:** {given}")
    back = ui.plain(
        detail["recipient_contribution"]
        or "not recorded yet — JPD is two-way, so record what the donor gains."
    )
    right.markdown(f"**What flows back:** {back}")
    if detail["discipline_names"]:
        st.markdown("**Depends on:** " + ui.plain(", ".join(detail["discipline_names"])))
    if detail["missing_disciplines"]:
        st.info(
            "The taxonomy suggests this practice usually depends on "
            + ui.plain(", ".join(detail["missing_disciplines"]))
            + ": a technique moved without the system around it tends not to last."
        )
    if detail["reason"]:
        st.markdown(f"**Reason recorded:** {ui.plain(detail['reason'])}")
    if detail["transfer_evidence"]:
        st.success(
            f"Transfer evidenced by {detail['transfer_evidence']} observation(s) that meet "
            "the transfer rule."
        )
    else:
        st.warning("No observation yet shows the recipient's practice has changed.")
    st.caption(detail["transfer_rule"] + ".")
    if not detail["observations"].empty:
        ui.table(
            ui.readable(detail["observations"]),
            column_config={
                "date": st.column_config.DateColumn("Date", format=DAY_FORMAT),
                "entry_type": "Type",
                "observed_ref": "Practice seen",
                "rating_after": "Rating of what was seen",
                "baseline": "Baseline to beat",
                "counts": st.column_config.CheckboxColumn("Counts as transfer"),
                "why": "Why",
            },
        )

    st.markdown("#### Activity and evidence log")
    log = views.pairing_log(con, viewer, pairing_id)
    show_table(
        log.drop(columns=["change", "version"]),
        f"{pairing_id}_log",
        "Nothing logged yet. Add a visit, a coaching session or an observation below.",
    )
    if detail["status"] not in lifecycle.FINAL:
        entry_form(pairing_id, detail)
        move_form(pairing_id, detail)
    if st.toggle("Correct the record (every change is kept)", key=f"correct_{pairing_id}"):
        edit_form(pairing_id, detail)
        withdraw_form(pairing_id, log)
    if st.toggle("Show the full history (every version)", key=f"history_{pairing_id}"):
        history(con, viewer, pairing_id, views)


def entry_form(pairing_id: str, detail: dict) -> None:
    people = detail["participants"]
    shown = [r for r in people["staff_ref"] if r != views.HIDDEN]
    st.markdown("**Add to the log**")
    # Outside the form, so that choosing the type sets who the entry most likely saw.
    kind = st.selectbox("Type of entry", model.ENTRY_TYPES, index=1, key=f"kind_{pairing_id}")
    sides = {r: s for r, s in zip(people["staff_ref"], people["side"], strict=True) if r in shown}
    likely = model.default_observed(kind, sides)
    k = f"entry_{pairing_id}_"  # the form's widget keys, read back by `ui_pairings.queue_entry`
    if (refused := st.session_state.pop(f"{k}refused", None)) is not None:
        ui.show_error(refused)
    with st.form(f"entry_{pairing_id}", clear_on_submit=True):
        a, b, c = st.columns(3)
        b.date_input("Date of the entry", value=date.today(), format=INPUT_FORMAT, key=f"{k}date")
        c.number_input("Hours", min_value=0.0, value=None, step=0.5, key=f"{k}hours")
        a.selectbox(
            "Whose practice was seen",
            [None, *shown],
            index=shown.index(likely) + 1 if likely else 0,
            format_func=lambda r: "nobody in particular" if r is None else f"{r} ({sides[r]})",
            key=f"observed_{pairing_id}_{kind}",
            help="A visit usually sees the donor's practice; an observation or a baseline "
            "the recipient's. Only an observation of a recipient can show transfer.",
        )
        b.text_input(
            "Recorded by",
            help="A staff reference, or a role: SLT, HoD, external…",
            key=f"{k}by",
        )
        c.selectbox("Which way the time went", model.FLOWS, key=f"{k}flow")
        st.multiselect("Present (blank: everyone in the pairing)", shown, key=f"{k}who")
        r1, r2 = st.columns(2)
        rated = {"format_func": lambda v: "not rated" if v is None else str(v)}
        r1.selectbox(
            "Rating before the work (1-4, 4 strongest)",
            [None, 1, 2, 3, 4],
            key=f"{k}before",
            **rated,
        )
        r2.selectbox(
            "Rating of what was seen (1-4, 4 strongest)",
            [None, 1, 2, 3, 4],
            key=f"{k}after",
            **rated,
        )
        st.text_input("What was measured (pupil work or outcome)", key=f"{k}measure")
        v1, v2 = st.columns(2)
        v1.number_input("Value before", value=None, key=f"{k}value_before")
        v2.number_input("Value after", value=None, key=f"{k}value_after")
        st.text_area("What was seen, or the reflection", key=f"{k}note")
        st.text_input("Link (https://…)", key=f"{k}link")
        # Kept by the submit's callback and written at the top of the run that follows,
        # before the log above is drawn: one run shows it (no second run of the page).
        st.form_submit_button(
            "Add to the log", on_click=ui_pairings.queue_entry, args=(pairing_id, kind)
        )


def move_form(pairing_id: str, detail: dict) -> None:
    with st.form(f"move_{pairing_id}"):
        st.markdown("**Move the pairing on**")
        next_steps(detail["status"])
        target = st.selectbox("Move to", detail["next_statuses"])
        reason = st.text_area("Reason (needed for not transferred or stopped)")
        review = st.date_input(
            "New review date (to continue after a review)", value=None, format=INPUT_FORMAT
        )
        if st.form_submit_button("Move"):
            try:
                service.move(con, viewer, pairing_id, target, reason or None, review)
            except BrokeringError as exc:
                ui.show_error(exc)
            else:
                flash(f"The pairing is now {target}.")


def edit_form(pairing_id: str, detail: dict) -> None:
    final = detail["status"] in lifecycle.FINAL
    with st.form(f"edit_{pairing_id}"):
        st.markdown("**Edit the details**" + (" (a closed pairing keeps only its note open)"
                                              if final else ""))  # fmt: skip
        values: dict[str, object] = {"note": st.text_input("Note", detail["note"] or "")}
        if not final:
            a, b = st.columns(2)
            values["review_date"] = a.date_input(
                "Review date", detail["review_date"], format=INPUT_FORMAT
            )
            values["planned_sessions"] = b.number_input(
                "Planned sessions", min_value=0, value=int(detail["planned_sessions"] or 0)
            )
            for col, (key, label) in zip(
                (a, b, a),
                [("planned_hours", "Planned hours"), ("cover_hours", "Cover hours"),
                 ("travel_hours", "Travel hours")],
                strict=True,
            ):  # fmt: skip
                values[key] = col.number_input(label, min_value=0.0, value=float(detail[key] or 0))
            values["donor_contribution"] = st.text_area(
                "What the donor side brings", detail["donor_contribution"] or ""
            )
            values["recipient_contribution"] = st.text_area(
                "What flows back to the donor side", detail["recipient_contribution"] or ""
            )
        if st.form_submit_button("Save the changes"):
            blank = (None, "", 0, 0.0)  # an empty box and "not recorded" are the same
            changes = {
                k: v or None
                for k, v in values.items()
                if not (v in blank and detail[k] in blank) and v != detail[k]
            }
            try:
                version = service.edit_pairing(con, viewer, pairing_id, changes)
            except BrokeringError as exc:
                ui.show_error(exc)
            else:
                flash(f"Saved the pairing as version {version}; the earlier one is kept.")


def withdraw_form(pairing_id: str, log: pd.DataFrame) -> None:
    if log.empty:
        return
    with st.form(f"withdraw_{pairing_id}"):
        st.markdown("**Withdraw a mistaken log entry** (it stays in the full history)")
        labels = {
            int(r.entry_id): f"{r.entry_id} · {day(r.date)} · {r.entry_type}"
            for r in log.itertuples()
        }
        entry_id = st.selectbox("Entry", list(labels), format_func=labels.get)
        reason = st.text_input("Why it is withdrawn")
        if st.form_submit_button("Withdraw the entry"):
            try:
                entries.withdraw_entry(con, viewer, int(entry_id), reason)
            except BrokeringError as exc:
                ui.show_error(exc)
            else:
                flash(f"Entry {entry_id} withdrawn; it remains in the history.")


def log_form() -> None:
    staff = views.staff_choices(con, viewer)
    label = {r.staff_ref: f"{r.staff_ref} · {r.school} · {r.role}" for r in staff.itertuples()}
    disciplines = views.discipline_choices(con)
    with st.form("log_pairing"):
        practice = st.text_input("Practice", placeholder="e.g. Retrieval practice")
        a, b = st.columns(2)
        donors = a.multiselect("Donor (shares the practice)", list(label), format_func=label.get)
        recipients = b.multiselect(
            "Recipient (develops the practice)", list(label), format_func=label.get
        )
        kind = a.selectbox("Kind of work", model.WORK_KINDS)
        status = b.selectbox("Starts as", lifecycle.STARTING)
        start = a.date_input("Start date", value=date.today(), format=INPUT_FORMAT)
        review = b.date_input(
            "Review date", value=date.today() + timedelta(weeks=12), format=INPUT_FORMAT
        )
        gives = a.text_area("What the donor side brings")
        back = b.text_area("What flows back to the donor side (JPD is two-way)")
        c1, c2, c3, c4 = st.columns(4)
        sessions = c1.number_input("Planned sessions", min_value=0, value=6, step=1)
        hours = c2.number_input("Planned hours", min_value=0.0, value=9.0, step=0.5)
        cover = c3.number_input("Cover hours", min_value=0.0, value=0.0, step=0.5)
        travel = c4.number_input("Travel hours", min_value=0.0, value=0.0, step=0.5)
        suggested = st.checkbox(
            "Record the encompassing disciplines the taxonomy suggests for this practice",
            value=True,
        )
        extra = st.multiselect(
            "Other encompassing disciplines it depends on",
            list(disciplines),
            format_func=disciplines.get,
        )
        submitted = st.form_submit_button("Log the pairing", type="primary")
    if not submitted:
        return
    try:
        draft = model.PairingDraft(
            donors=tuple(donors),
            recipients=tuple(recipients),
            skill_id=service.resolve_practice(con, practice),
            skill_text=practice,
            work_kind=kind,
            status=status,
            start_date=start,
            review_date=review,
            donor_contribution=gives or None,
            recipient_contribution=back or None,
            planned_sessions=int(sessions),
            planned_hours=hours,
            cover_hours=cover,
            travel_hours=travel,
            disciplines=tuple(extra),
        )
        if suggested:
            draft = service.with_suggested_disciplines(con, draft)
        pairing_id = service.log_pairing(con, viewer, draft)
    except BrokeringError as exc:
        ui.show_error(exc)
    else:
        st.session_state["pairings_open"] = pairing_id
        st.session_state["pairings_goto"] = "Pairings"
        flash("Logged the pairing, opened below: add to its log as the work goes on.")


def pairings_view() -> None:
    status = st.selectbox(
        "Status", [None, *lifecycle.STATUSES], format_func=lambda s: s or "every status"
    )
    frame = views.list_pairings(con, viewer, status=status)
    if frame.empty:
        st.info(
            "No pairings to show yet. Log one under 'Log a pairing', or import pairings.csv "
            "on the Data page."
        )
        return
    overdue = accountability.overdue(con, viewer)
    if not overdue.empty:
        st.warning(
            f"{len(overdue)} pairing(s) past the review date with no evidence of transfer: "
            "see Accountability."
        )
    show_table(frame, "pairings", "", ui_pairings.PAIRING_COLUMNS)
    ids = frame["pairing_id"].tolist()
    wanted = st.session_state.get("pairings_open")
    described = views.descriptions(frame)
    names = dict(zip(ids, frame["status"], strict=True))
    pairing_id = st.selectbox(
        "Open a pairing",
        ids,
        index=ids.index(wanted) if wanted in ids else 0,
        format_func=lambda p: f"{described[p]} ({names[p]})",
    )
    st.session_state["pairings_open"] = pairing_id
    render_pairing(pairing_id, described[pairing_id])


try:
    if choice == "Pairings":
        pairings_view()
    elif choice == "Log a pairing":
        log_form()
    elif choice == "Accountability":
        accountability_view(con, viewer)
    else:
        ledger_view(con, viewer)
except BrokeringError as exc:
    ui.show_error(exc)
