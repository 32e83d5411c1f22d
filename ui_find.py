"""Streamlit-side helpers for the Find expertise page (app_pages/find.py): its cached reads,
the callbacks its inputs share, and the drawing of the ranked table and each "why this rank".
Layout only: brokering.find ranks, explains and suggests.

Why the callbacks: a search is audited once each time it is *asked* — a changed query or
filter, a suggestion chosen — and not on every rerun a widget elsewhere on the page causes
(opening an explanation, a chart's selection). A search asked again that a cache answers is
still asked, so it is still audited (issue 24).
"""

from __future__ import annotations

from datetime import date

import altair as alt
import pandas as pd
import streamlit as st

import ui
import ui_people
from brokering.dashboard.charts import AXIS_LINES, wrapped
from brokering.dates import DAY_FORMAT
from brokering.exporting import to_csv_bytes
from brokering.find import (
    FindResult,
    QueryResolver,
    ResolvedQuery,
    depth_by_school,
    explain,
    find_expertise,
    gap_map,
)
from brokering.profile import coaching_text, confidence_text, observers, with_coaching_record
from brokering.strength_map import needs_without_strong_coach, strength_map
from brokering.taxonomy import SkillMatcher
from brokering.viewer import Viewer

#: Results offered a "Why this rank" (each worked out when its expander is opened).
EXPLAINED = 10
#: Session keys: the search was asked in this run; the query text whose phase words were
#: last read into the phase filter; whether the filter's phases came from those words.
ASKED, WORDS_READ, FROM_WORDS = "find_asked", "find_words_read", "find_phases_from_words"


# --- cached reads: keyed by the database, its change signature (so no cache outlives the data
# it was read from: a consent change or an import shows on the next run), the acting viewer
# and every input -------------------------------------------------------------------------
@st.cache_resource(ttl=600, max_entries=4, show_spinner=False)
def resolver(path: str, version: tuple) -> QueryResolver:
    return QueryResolver(SkillMatcher.from_db(ui.connection()))


def who(v: Viewer) -> tuple[str, str | None, str]:
    return (v.role, v.school_id, v.username)


@st.cache_data(ttl=60, show_spinner=False)
def find(
    path: str,
    version: tuple,
    who: tuple,
    query: ResolvedQuery,
    school: str | None,
    rank_by: str,
    blend: float,
    today: date,
) -> FindResult:
    """The query carries the phase filter as the page shows it (see `read_phase_words`)."""
    return find_expertise(
        ui.connection(),
        Viewer(*who),
        query,
        school_id=school,
        rank_by=rank_by,
        blend=blend,
        as_of=today,
        resolver=resolver(path, version),
        audited=False,  # the page records each search asked, cached or not
    )


def _explain(who: tuple, ref: str, skill: str, phases: tuple, today: date):  # noqa: ANN202
    """Not cached: worked out only when its box is opened, and each opening is audited."""
    return explain(ui.connection(), Viewer(*who), ref, skill, phase=phases or None, as_of=today)


@st.cache_data(ttl=60, show_spinner=False)
def recorded(path: str, version: tuple, who: tuple, refs: tuple, skill: str) -> set[str]:
    return with_coaching_record(ui.connection(), Viewer(*who), list(refs), skill)


@st.cache_data(ttl=60, show_spinner=False)
def _observers(path: str, version: tuple, who: tuple, recorded_by: tuple) -> list[str]:
    return observers(ui.connection(), Viewer(*who), list(recorded_by))


@st.cache_data(ttl=60, show_spinner=False)
def depth(
    path: str, version: tuple, who: tuple, skill: str, phases: tuple, today: date
) -> pd.DataFrame:
    return depth_by_school(ui.connection(), Viewer(*who), skill, phase=phases or None, as_of=today)


@st.cache_data(ttl=300, show_spinner=False)
def gaps(path: str, version: tuple, who: tuple, today: date) -> pd.DataFrame:
    return gap_map(ui.connection(), Viewer(*who), as_of=today)


@st.cache_data(ttl=300, show_spinner=False)
def strengths(path: str, version: tuple, who: tuple, today: date) -> pd.DataFrame:
    return strength_map(ui.connection(), Viewer(*who), as_of=today)


@st.cache_data(ttl=60, show_spinner=False)
def thin_needs(path: str, version: tuple, who: tuple, today: date) -> pd.DataFrame:
    return needs_without_strong_coach(ui.connection(), Viewer(*who), as_of=today)


# --- callbacks ----------------------------------------------------------------------------
def asked() -> None:
    """A search input changed: the search shown next is one the leader asked for."""
    st.session_state[ASKED] = True


def phases_chosen() -> None:
    """The leader set the phase filter by hand: it is theirs now, not the query's words'."""
    st.session_state[FROM_WORDS] = False
    asked()


def choose(name: str) -> None:
    """A suggested skill chosen: search for it under the phase filter as it stands."""
    st.session_state["find_query"] = name
    st.session_state[WORDS_READ] = name  # its name has no phase words to read
    asked()


def without_filters() -> None:
    """The same skill again, with the phase and school filters cleared."""
    st.session_state["find_phases"] = []
    st.session_state["find_school"] = None
    st.session_state[FROM_WORDS] = False
    asked()


def pick_gap() -> None:
    """A gap skill chosen: search for it (the results appear at the top of the page)."""
    if picked := st.session_state.get("gap_pick"):
        st.session_state["find_query"] = picked
        asked()
    st.session_state["gap_pick"] = None


def read_phase_words(text: str, phases: tuple[str, ...]) -> None:
    """Show the phases a query's words became in the phase filter itself, so what is searched
    is what the filter says. Read once per query text (before the filter is drawn); a filter
    the words set is cleared by a query without phase words, one set by hand is kept."""
    state = st.session_state
    if state.get(WORDS_READ) == text:
        return
    state[WORDS_READ] = text
    if phases:
        state["find_phases"] = list(phases)
        state[FROM_WORDS] = True
    elif state.get(FROM_WORDS):
        state["find_phases"] = []
        state[FROM_WORDS] = False


# --- drawing ------------------------------------------------------------------------------
def suggestions(result: FindResult) -> None:
    """An empty answer: why, and where to go next (computed by brokering.find)."""
    st.info(ui.plain(result.message))
    if result.without_filters:
        st.button(
            f"Search {ui.plain(result.skill_name)} at every phase and school",
            key="find_widen",
            on_click=without_filters,
        )
    if result.related:
        cols = st.columns(len(result.related))
        for i, (col, rel) in enumerate(zip(cols, result.related, strict=True)):
            col.button(ui.plain(rel.name), key=f"find_rel_{i}", on_click=choose, args=(rel.name,))


def results_table(result: FindResult, held: set[str]) -> None:
    """The ranked people, their download and the link to a profile."""
    rows = result.rows
    shown = rows.assign(
        phases=rows["phases"].map(", ".join),
        coaching=[
            coaching_text(c, r in held)
            for c, r in zip(rows["coaching_score"], rows["staff_ref"], strict=True)
        ],
        confidence_words=[confidence_text(c) for c in rows["confidence"]],
    )
    # Reference, school, scores and confidence first: a tablet shows these unscrolled.
    columns = ["staff_ref", "school", "practice_score", "coaching", "confidence_words", "rank"]
    columns += ["role", "phases", "evidence_count", "latest_evidence"]
    ui.table(
        ui.readable(ui_people.with_names(shown, ["staff_ref"], columns)),
        # Widths in pixels so the whole row fits at 1400 px with the sidebar open
        # (tests/browser/test_decision_columns.py).
        column_config={
            "rank": st.column_config.NumberColumn("#", width=40),
            "staff_ref": st.column_config.TextColumn("Ref", width=70),
            "school": st.column_config.TextColumn("School", width=180),
            "role": st.column_config.TextColumn("Role", width=100),
            "phases": st.column_config.TextColumn("Phases", width=80),
            "practice_score": st.column_config.NumberColumn("Practice", format="%.1f", width=70),
            "coaching": st.column_config.TextColumn(
                "Coaching",
                width=110,
                help="“no record yet”: no coaching outcome, coachee rating or "
                "coaching-feedback evidence is recorded.",
            ),
            "confidence_words": st.column_config.TextColumn(
                "Confidence",
                width=90,
                help="How much of the score rests on evidence rather than the neutral "
                "starting point: low, moderate or high.",
            ),
            "evidence_count": st.column_config.NumberColumn("Evidence", width=70),
            "latest_evidence": st.column_config.DateColumn(
                "Latest evidence", format=DAY_FORMAT, width=100
            ),
        },
    )
    ui_people.profile_link(rows["staff_ref"], key=f"find_profile_{result.skill_id}")
    ui.download(
        "Download these results (CSV)",
        to_csv_bytes(
            ui_people.with_names(
                shown.drop(columns=["score", "coaching", "confidence_words"]), ["staff_ref"]
            )
        ),
        f"find_{result.skill_id}.csv",
        mime="text/csv",
    )


_ARITHMETIC = {
    "type_weight": st.column_config.NumberColumn("Type weight", format="%.2f"),
    "recency_weight": st.column_config.NumberColumn("Recency", format="%.2f"),
    "weight": st.column_config.NumberColumn("Weight", format="%.2f"),
    "share": st.column_config.NumberColumn("Share", format="percent"),
    "contribution": st.column_config.NumberColumn("Points", format="%.1f"),
}
_PRACTICE_PARTS = ["date", "evidence_type", "strength", "recorded_by", "phase", *_ARITHMETIC]
_COACHING_PARTS = ["part", "skill", "date", "strength", "skill_factor", "base_weight"]
_COACHING_PARTS += list(_ARITHMETIC)


def _typed(parts: pd.DataFrame) -> pd.DataFrame:
    """A score's parts for the screen: dates as dates and figures as numbers even where every
    value is missing (training and the prior have no date), so an empty cell is drawn empty
    rather than as "None"; missing text as an empty text."""
    out = parts.copy()
    for name in out.columns:
        if name == "date":
            out[name] = pd.to_datetime(out[name])
        elif name not in ("part", "skill", "evidence_type", "recorded_by", "observer", "phase",
                          "note"):  # fmt: skip
            out[name] = pd.to_numeric(out[name])
    return ui.readable(out)


def why_this_rank(result: FindResult, held: set[str], key: tuple, today: date) -> None:
    """An expander per leading rank, each worked out only when opened: an explanation costs a
    few queries, and a search should not wait for ten of them."""
    path, version, viewer = key
    st.markdown("**Why this rank**")
    for row in result.rows.head(EXPLAINED).itertuples(index=False):
        box = st.expander(
            f"#{row.rank} {ui.plain(ui_people.label(row.staff_ref))} — {ui.plain(row.school)}: "
            "why this rank",
            key=f"find_why_{result.skill_id}_{row.staff_ref}",
            on_change="rerun",
        )
        if not box.open:
            continue
        with box:
            why = _explain(viewer, row.staff_ref, result.skill_id, result.phases, today)
            seen_tab, sums_tab = st.tabs(["What was seen", "The arithmetic"])
            with seen_tab:
                records = why.practice[why.practice["evidence_type"] != "prior (shrinkage)"]
                if records.empty:
                    st.caption(
                        "No evidence in this skill yet: the practice score is the neutral "
                        "starting point."
                    )
                else:
                    seen = records.assign(
                        observer=_observers(path, version, viewer, tuple(records["recorded_by"]))
                    )
                    ui.table(
                        _typed(
                            seen[
                                ["date", "evidence_type", "strength", "observer", "note", "weight"]
                            ]
                        ),
                        column_config={
                            "date": st.column_config.DateColumn("Date", format=DAY_FORMAT),
                            "evidence_type": "Evidence",
                            "strength": st.column_config.NumberColumn(
                                "Strength (1–4)", format="%d"
                            ),
                            "observer": "Seen by",
                            "note": st.column_config.TextColumn("Note", width="large"),
                            "weight": _ARITHMETIC["weight"],
                        },
                    )
                st.caption(
                    f"Practice {row.practice_score:.1f} (confidence "
                    f"{confidence_text(row.practice_confidence)}); coaching "
                    f"{coaching_text(row.coaching_score, row.staff_ref in held)}. "
                    "Newest first; the arithmetic is in the next tab."
                )
            with sums_tab:
                st.markdown(
                    f"Practice **{row.practice_score:.1f}**: each record's weight is its type "
                    "weight × recency; its share of all the weight times its strength gives "
                    "its points, and the points add up to the score."
                )
                p = why.practice
                ui.table(
                    _typed(p[[c for c in _PRACTICE_PARTS if c in p.columns]]),
                    column_config={
                        "date": st.column_config.DateColumn("Date", format=DAY_FORMAT),
                        "evidence_type": "Evidence",
                        "strength": st.column_config.NumberColumn("Strength (1–4)"),
                        "recorded_by": "Recorded by",
                        "phase": "Phase",
                        **_ARITHMETIC,
                    },
                )
                st.caption(f"Points add up to {why.practice_score:.1f}.")
                st.markdown(f"Coaching **{row.coaching_score:.1f}**:")
                ui.table(
                    _typed(why.coaching[[c for c in _COACHING_PARTS if c in why.coaching]]),
                    column_config={
                        "part": "Part",
                        "skill": "Skill",
                        "date": st.column_config.DateColumn("Date", format=DAY_FORMAT),
                        "strength": st.column_config.NumberColumn("Value (1–4)"),
                        "skill_factor": st.column_config.NumberColumn("Skill factor"),
                        "base_weight": st.column_config.NumberColumn("Base weight"),
                        **_ARITHMETIC,
                    },
                )
                st.caption(f"Points add up to {why.coaching_score:.1f}.")
    if len(result.rows) > EXPLAINED:
        st.caption(f"“Why this rank” is shown for the top {EXPLAINED}.")


def depth_chart(long: pd.DataFrame, order: list[str], skill_name: str) -> alt.Chart:
    """Staff with strong, recent evidence per school, listed and not shared: whole-number
    ticks (people come whole), every name wrapped the same way, the full name on hover."""
    drawn = long.assign(label=long["school"].map(wrapped))
    return (
        alt.Chart(drawn, title=f"{skill_name}: staff with strong, recent evidence, by school")
        .mark_bar()
        .encode(
            x=alt.X(
                "sum(count):Q",
                title="Staff (people)",
                axis=alt.Axis(tickMinStep=1, format="d"),
                scale=alt.Scale(nice=True),
            ),
            y=alt.Y(
                "label:N",
                sort=[wrapped(s) for s in order],
                title=None,
                axis=alt.Axis(labelExpr=AXIS_LINES, labelLimit=0),
            ),
            color=alt.Color("kind:N", title=None, legend=alt.Legend(orient="bottom")),
            tooltip=[
                alt.Tooltip("school:N", title="School"),
                alt.Tooltip("kind:N", title="Staff"),
                alt.Tooltip("count:Q", title="People", format="d"),
            ],
        )
    )
