"""Staff profile: the person behind a reference — strengths, what was seen, coaching,
pairings, time this term, open needs and similar colleagues. Layout only:
brokering.profile decides what the viewer may see, and audits the opening."""

from __future__ import annotations

from datetime import date

import pandas as pd
import streamlit as st

import ui
import ui_people
from brokering.dates import DAY_FORMAT
from brokering.errors import BrokeringError
from brokering.exporting import to_csv_bytes
from brokering.profile import NO_RECORD, coaching_text, confidence_text, staff_profile
from brokering.viewer import Viewer

viewer: Viewer = st.session_state["viewer"]
con = ui.connection()

asked = st.query_params.get("ref", "")
if asked and st.session_state.get("profile_asked") != asked:
    st.session_state["profile_asked"] = asked
    st.session_state["profile_ref"] = asked

st.title("Staff profile")
ref = st.text_input(
    "Staff reference",
    key="profile_ref",
    placeholder="e.g. S00185",
    help="Open any reference from the find, the candidates, the needs register or pairings.",
).strip()
if not ref:
    st.info(
        "Type a staff reference, or open one from a list with **Open profile**. A partner "
        "school's colleague appears only if they have agreed to share."
    )
    st.stop()
if st.query_params.get("ref") != ref:
    st.query_params["ref"] = ref

try:
    profile = staff_profile(con, viewer, ref, as_of=date.today())
except BrokeringError as exc:
    ui.show_error(exc)
    st.stop()

who = profile.person
st.subheader(ui.plain(ui_people.label(profile.staff_ref)))
trained = [
    t for t, on in (("coach", who["coach_trained"]), ("mentor", who["mentor_trained"])) if on
]
st.markdown(
    f"**{ui.plain(who['role'].capitalize())}**, {ui.plain(who['school'])} · phases "
    f"{ui.plain(', '.join(who['phases'])) or 'not recorded'} · subjects "
    f"{ui.plain(', '.join(who['subject_names'])) or 'not recorded'}"
    + (f" · trained as {' and '.join(trained)}" if trained else "")
)

cap = profile.capacity
st.markdown(f"**Time this term** ({cap.term})")
m1, m2, m3, m4 = st.columns(4)
m1.metric("Hours offered", f"{cap.capacity_hours:g}")
m2.metric("Committed", f"{cap.hours_committed:g}")
m3.metric("Awaiting an answer", f"{cap.hours_reserved:g}")
m4.metric("Left", f"{cap.hours_left:g}")

st.subheader("Strengths")
if profile.strengths.empty:
    st.info("No evidence or coaching is recorded for this person yet.")
else:
    s = profile.strengths
    shown = pd.DataFrame(
        {
            "Skill": s["skill"],
            "Practice": s["practice_score"],
            "Confidence": [confidence_text(c) for c in s["practice_confidence"]],
            "Coaching": [
                coaching_text(c, bool(h))
                for c, h in zip(s["coaching_score"], s["has_coaching_record"], strict=True)
            ],
            "Coaching confidence": [
                confidence_text(c if h else 0.0)
                for c, h in zip(s["coaching_confidence"], s["has_coaching_record"], strict=True)
            ],
            "Evidence": s["evidence_count"],
            "Latest": s["latest_evidence"],
            "Area": s["area"],
        }
    )
    ui.table(
        shown,
        hide_index=True,
        width="stretch",
        column_config={
            "Practice": st.column_config.NumberColumn(format="%.1f"),
            "Latest": st.column_config.DateColumn(),
        },
    )
    st.caption(
        "Scores run 0–100. Confidence says how much of a score rests on evidence rather "
        f"than the neutral starting point. “{NO_RECORD}” means no coaching outcome, "
        "coachee rating or coaching-feedback evidence is recorded, so there is no coaching "
        "score to show."
    )

st.subheader("What was seen")
if profile.evidence.empty:
    st.info("No evidence is recorded.")
else:
    ev = profile.evidence
    ui.table(
        ev[["date", "skill", "note", "observer", "evidence_type", "strength", "phase", "weight"]],
        hide_index=True,
        width="stretch",
        column_config={
            "date": st.column_config.DateColumn("Date"),
            "skill": "Skill",
            "evidence_type": "Evidence",
            "strength": st.column_config.NumberColumn("Strength (1–4)", format="%d"),
            "observer": "Seen by",
            "note": st.column_config.TextColumn("Note", width="large"),
            "phase": "Phase",
            "weight": st.column_config.NumberColumn(
                "Weight", format="%.2f", help="Type weight × recency: how much it counts now."
            ),
        },
    )
    with st.expander("How the weights are worked out"):
        ui.table(
            ev[["date", "skill", "evidence_type", "type_weight", "recency_weight", "weight"]],
            hide_index=True,
            width="stretch",
            column_config={
                "date": st.column_config.DateColumn("Date"),
                "skill": "Skill",
                "evidence_type": "Evidence",
                "type_weight": st.column_config.NumberColumn("Type weight", format="%.2f"),
                "recency_weight": st.column_config.NumberColumn("Recency", format="%.2f"),
                "weight": st.column_config.NumberColumn("Weight", format="%.2f"),
            },
        )
        st.caption(
            "Observed lessons and pupil outcomes weigh 1, self-assessment 0.25; a record's "
            "weight halves every 18 months. Each skill's score is the weighted mean of its "
            "records, pulled towards “no demonstrated strength” by three records' worth "
            "(docs/SCORING.md)."
        )

st.subheader("Coaching and mentoring")
if profile.coaching.empty:
    st.info("No coaching or mentoring is recorded, given or received.")
else:
    rel = ui_people.with_names(profile.coaching, ["other_ref"])
    ui.table(
        rel,
        hide_index=True,
        width="stretch",
        column_config={
            "direction": "Given or received",
            "skill": "Skill",
            "mode": "Kind",
            "start_date": st.column_config.DateColumn("From"),
            "end_date": st.column_config.DateColumn("To"),
            "outcome_strength": st.column_config.NumberColumn("Outcome (1–4)", format="%d"),
            "feedback_score": st.column_config.NumberColumn("Coachee rating (1–4)", format="%d"),
            "hours": st.column_config.NumberColumn("Hours", format="%g"),
            "other_ref": "With",
            "other_school": "Their school",
            "state": "State",
        },
    )


def listed(title: str, frame: pd.DataFrame, empty: str, headings: dict) -> None:
    """One of the profile's short lists: a heading, then its table or what it lacks."""
    st.subheader(title)
    if frame.empty:
        st.info(empty)
    else:
        ui.table(frame[list(headings)], column_config=headings)


left, right = st.columns(2)
with left:
    listed(
        "Pairings",
        profile.pairings,
        "No JPD pairings.",
        {
            "pairing_id": st.column_config.TextColumn("Reference", width="small"),
            "practice": "Practice",
            "side": "Side",
            "status": "State",
            "review_date": st.column_config.DateColumn("Review", format=DAY_FORMAT),
        },
    )
with right:
    listed(
        "Open needs",
        profile.needs,
        "No open development needs.",
        {
            "need_id": st.column_config.TextColumn("Reference", width="small"),
            "skill": "Skill",
            "priority": "Priority",
            "wanted_role": "Wants a",
            "raised_on": st.column_config.DateColumn("Raised", format=DAY_FORMAT),
        },
    )

st.subheader("People with a similar profile")
if not profile.similar:
    st.info("No one you can see has evidence in the same skills.")
else:
    similar = pd.DataFrame(
        [
            {
                "staff_ref": s.staff_ref,
                "school": profile.similar_schools.get(s.staff_ref, ""),
                "similarity": s.similarity,
                "shared": len(s.shared_skills),
            }
            for s in profile.similar
        ]
    )
    similar = ui_people.with_names(similar, ["staff_ref"])
    ui.table(
        similar,
        hide_index=True,
        width="stretch",
        column_config={
            "staff_ref": "Ref",
            "school": "School",
            "similarity": st.column_config.ProgressColumn(
                "Similarity", min_value=0.0, max_value=1.0, format="%.2f"
            ),
            "shared": "Skills in common",
        },
    )
    st.caption(
        "Similar: evidence in the same skills at similar strengths (cosine of the practice "
        "scores). Only colleagues you can see are compared."
    )
    ui_people.profile_link(similar["staff_ref"], key="profile_similar_pick")

download = ui_people.with_names(profile.evidence.assign(staff_ref=profile.staff_ref), ["staff_ref"])
ui.download(
    "Download what was seen (CSV)",
    to_csv_bytes(download.drop(columns=["type_weight", "recency_weight"])),
    f"profile_{profile.staff_ref}.csv",
    mime="text/csv",
)
