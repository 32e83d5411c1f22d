"""The Coaches and mentors page's tables: candidates (the columns a decision rests on, so
they fit at 1400 px), one candidate's breakdown (the rest of their facts, in words), and the
requests. Streamlit-side renderers only: the ranking and its reasons are
`brokering.matching`'s."""

from __future__ import annotations

import altair as alt
import pandas as pd
import streamlit as st

import ui
import ui_people

#: The columns a decision rests on (the rest, days left among them, are in "Why this match"):
#: they fit at 1400 px with the sidebar open (tests/browser/test_decision_columns.py), so
#: their widths are set in pixels, the reason taking what is left.
CANDIDATE_COLUMNS = [
    "rank",
    "staff_ref",
    "school_name",
    "match_score",
    "expertise_score",
    "craft_score",
    "proposed_as",
    "hours_left",
    "proposable",
    "not_proposed_reason",
]


#: The requests table's columns, in words.
REQUEST_COLUMNS = {
    "request_id": "Request number",
    "status": "Status",
    "need_id": "Need reference",
    "skill_name": "Skill",
    "coachee_ref": "For (staff ref)",
    "coachee_school": "From school",
    "coach_ref": "Asked for",
    "coach_school": "Their school",
    "mode": "As",
    "source": "Sent from",
    "requested_by": "Asked by",
    "requested_at": "Asked at",
    "decided_by": "Answered by",
    "decided_at": "Answered at",
    "reason": "Reason",
    "reply_by": "Answer by",
    "colleague_agreed_on": "Colleague agreed on",
}


def details(row: pd.Series, frame: pd.DataFrame) -> str:
    """The candidate's facts left out of the table, in words."""
    conf = frame.loc[frame["staff_ref"] == row["staff_ref"], "confidence"].iloc[0]
    km, fit = row["distance_km"], row["phase_fit"]
    away = (
        "same school"
        if row["same_school"]
        else (f"{km:.1f} km apart" if pd.notna(km) else "distance not known")
    )
    fit_text = f"phase fit {fit:.1f}" if pd.notna(fit) else "phase fit not known"
    flags = f" Note: {row['flags']}." if row["flags"] else ""
    days = row.get("days_left")
    left = f" Time left this term: {days:g} days." if days is not None and pd.notna(days) else ""
    return f"Job: {row['role']}. Confidence: {conf}; {fit_text}; {away}.{left}{flags}"


def candidates_table(frame: pd.DataFrame) -> None:
    """The ranked candidates, in the order given."""
    ui.table(
        ui_people.with_names(frame, ["staff_ref"], CANDIDATE_COLUMNS),
        hide_index=True,
        width="stretch",
        column_config={
            "rank": st.column_config.NumberColumn("Rank", width=50),
            "staff_ref": st.column_config.TextColumn("Staff ref", width=75),
            "school_name": st.column_config.TextColumn("School", width=150),
            "match_score": st.column_config.NumberColumn("Match", format="%.1f", width=60),
            "expertise_score": st.column_config.NumberColumn("Expertise", format="%.1f", width=75),
            "craft_score": st.column_config.NumberColumn(
                "Coaching / mentoring", format="%.1f", width=80
            ),
            "proposed_as": st.column_config.TextColumn("As", width=60),
            "hours_left": st.column_config.NumberColumn("Hours left", format="%g", width=75),
            "proposable": st.column_config.CheckboxColumn("Proposed", width=75),
            "not_proposed_reason": st.column_config.TextColumn("Why not proposed", width=210),
        },
    )


def why_this_match(
    ref: str, row: pd.Series, frame: pd.DataFrame, parts: pd.DataFrame, notes: list[str]
) -> None:
    """One candidate's match score opened to its parts, and the facts left out of the table."""
    with st.expander(f"Why this match: {ui.plain(ref)}"):
        st.markdown(
            f"**{ui.plain(ref)}** ({ui.plain(row['role'])}, "
            f"{ui.plain(row['school_name'])}) as **{ui.plain(row['proposed_as'])}** — "
            f"match score **{row['match_score']:.1f}**, the sum of these parts:"
        )
        st.caption(ui.plain(details(row, frame)))
        st.dataframe(
            parts,
            hide_index=True,
            width="stretch",
            column_config={"part": "Part", "points": "Points", "how": "How"},
        )
        st.altair_chart(
            alt.Chart(parts)
            .mark_bar()
            .encode(
                x=alt.X("points:Q", title="Points"),
                y=alt.Y("part:N", sort=None, title=None),
                color=alt.condition("datum.points < 0", alt.value("#b5523b"), alt.value("#1d5b79")),
                tooltip=["part", "points", "how"],
            )
            .properties(height=180),
            width="stretch",
        )
        for note in notes:
            st.caption(ui.plain(note))


def requests_table(history: pd.DataFrame) -> None:
    """Every request the viewer may see, its dates in the UK's format, blanks left blank."""
    history = history.assign(
        **{c: history[c].fillna("") for c in ("decided_by", "reason") if c in history}
    )
    dates = {"requested_at": "Asked at", "decided_at": "Answered at"}
    days = {"reply_by": "Answer by", "colleague_agreed_on": "Colleague agreed on"}
    ui.table(
        ui_people.with_names(history, ["coachee_ref", "coach_ref"], list(REQUEST_COLUMNS)),
        hide_index=True,
        width="stretch",
        column_config={
            **REQUEST_COLUMNS,
            **{
                c: st.column_config.DatetimeColumn(t, format="D MMM YYYY, HH:mm")
                for c, t in dates.items()
            },
            **{c: st.column_config.DateColumn(t, format="D MMM YYYY") for c, t in days.items()},
        },
    )
