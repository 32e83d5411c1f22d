"""Find expertise: who is the best teacher of X, who best coaches it, which school is deep in
it, and where the alliance has no strength at all. Layout only: brokering.find decides."""

from __future__ import annotations

from datetime import date

import altair as alt
import pandas as pd
import streamlit as st

import ui
import ui_people
from brokering import concepts
from brokering.changes import store_version
from brokering.db import default_db_path
from brokering.errors import BrokeringError, PermissionDenied
from brokering.exporting import to_csv_bytes
from brokering.find import (
    RANK_BY,
    FindResult,
    QueryNotResolved,
    QueryResolver,
    ResolvedQuery,
    depth_by_school,
    explain,
    find_expertise,
    gap_map,
    record_search,
)
from brokering.permissions import can
from brokering.phases import KEY_STAGES
from brokering.profile import coaching_text, confidence_text, observers, with_coaching_record
from brokering.strength_map import gaps_by_area, needs_without_strong_coach, strength_map
from brokering.taxonomy import SkillMatcher
from brokering.viewer import Viewer

viewer: Viewer = st.session_state["viewer"]
con = ui.connection()
#: Results offered a "Why this rank" (each worked out when its expander is opened).
EXPLAINED = 10
#: Schools drawn in the depth chart (a national store has thousands).
CHART_SCHOOLS = 25
#: Schools drawn in the map of strengths (an alliance has 5 to 40).
MAP_SCHOOLS = 40


# --- cached reads: keyed by the database, its change signature (so no cache outlives the data
# it was read from: a consent change or an import shows on the next run), the acting viewer
# and every input -------------------------------------------------------------------------
@st.cache_resource(ttl=600, max_entries=4, show_spinner=False)
def _resolver(path: str, version: tuple) -> QueryResolver:
    return QueryResolver(SkillMatcher.from_db(ui.connection()))


def _who(v: Viewer) -> tuple[str, str | None, str]:
    return (v.role, v.school_id, v.username)


@st.cache_data(ttl=60, show_spinner=False)
def _find(
    path: str,
    version: tuple,
    who: tuple,
    query: ResolvedQuery,
    phases: tuple,
    school: str | None,
    rank_by: str,
    blend: float,
    today: date,
) -> FindResult:
    return find_expertise(
        ui.connection(),
        Viewer(*who),
        query,
        phase=phases or None,
        school_id=school,
        rank_by=rank_by,
        blend=blend,
        as_of=today,
        resolver=_resolver(path, version),
        audited=False,  # the page records every showing, cached or not
    )


def _explain(path: str, who: tuple, ref: str, skill: str, phases: tuple, today: date):
    """Not cached: worked out only when its box is opened, and each opening is audited."""
    return explain(ui.connection(), Viewer(*who), ref, skill, phase=phases or None, as_of=today)


@st.cache_data(ttl=60, show_spinner=False)
def _recorded(path: str, version: tuple, who: tuple, refs: tuple, skill: str) -> set[str]:
    return with_coaching_record(ui.connection(), Viewer(*who), list(refs), skill)


@st.cache_data(ttl=60, show_spinner=False)
def _observers(path: str, version: tuple, who: tuple, recorded_by: tuple) -> list[str]:
    return observers(ui.connection(), Viewer(*who), list(recorded_by))


@st.cache_data(ttl=60, show_spinner=False)
def _depth(
    path: str, version: tuple, who: tuple, skill: str, phases: tuple, today: date
) -> pd.DataFrame:
    return depth_by_school(ui.connection(), Viewer(*who), skill, phase=phases or None, as_of=today)


@st.cache_data(ttl=300, show_spinner=False)
def _gaps(path: str, version: tuple, who: tuple, today: date) -> pd.DataFrame:
    return gap_map(ui.connection(), Viewer(*who), as_of=today)


@st.cache_data(ttl=300, show_spinner=False)
def _map(path: str, version: tuple, who: tuple, today: date) -> pd.DataFrame:
    return strength_map(ui.connection(), Viewer(*who), as_of=today)


@st.cache_data(ttl=60, show_spinner=False)
def _thin_needs(path: str, version: tuple, who: tuple, today: date) -> pd.DataFrame:
    return needs_without_strong_coach(ui.connection(), Viewer(*who), as_of=today)


def _pick_gap() -> None:
    """A gap skill chosen: search for it (the results appear at the top of the page)."""
    if picked := st.session_state.get("gap_pick"):
        st.session_state["find_query"] = picked
    st.session_state["gap_pick"] = None


def _choose(name: str, phases: tuple[str, ...]) -> None:
    """A "did you mean" choice: search for that skill, keeping the phase the words gave."""
    st.session_state["find_query"] = name
    if phases and not st.session_state.get("find_phases"):
        st.session_state["find_phases"] = list(phases)


path, who, today = str(default_db_path()), _who(viewer), date.today()
version = store_version(con)

st.title("Find expertise")
st.caption(
    "The strongest practitioners of a skill across the alliance, ranked on their evidence — "
    "and, separately, who is best placed to coach it. Staff appear as pseudonymous "
    "references; partner-school staff only if they have agreed to share."
)

query_text = st.text_input(
    "What are you looking for?",
    key="find_query",
    placeholder="e.g. Year 6 maths, phonics, behaviour, A-level chemistry, SEND",
    help="Typos and everyday names are fine. Phase words (Year 6, reception, GCSE, A level, "
    "sixth form) become a phase filter.",
)
names = ui.school_names()
c1, c2, c3, c4 = st.columns([2, 2, 2, 2])
phases = c1.multiselect("Phase", list(KEY_STAGES), key="find_phases", placeholder="Any phase")
school = c2.selectbox(
    "School",
    [None, *names],
    format_func=lambda s: names.get(s, "Every school"),
    key="find_school",
)
rank_by = c3.radio(
    "Rank by",
    RANK_BY,
    horizontal=True,
    key="find_rank_by",
    format_func={"practice": "Practice", "coaching": "Coaching", "blend": "Blend"}.get,
)
blend = 0.5
if rank_by == "blend":
    blend = c4.slider(
        "Coaching's share of the blend",
        0.0,
        1.0,
        0.5,
        0.1,
        key="find_blend",
        help="0 ranks on practice alone, 1 on coaching alone.",
    )

resolved: ResolvedQuery | None = None
if not query_text.strip():
    st.info(
        "Type a skill to see who is strongest in it — for example **Year 6 maths**, "
        "**phonics**, **behaviour and routines** or **adaptive teaching for SEND**. The gap "
        "map below shows where no one in the alliance has strong, recent evidence."
    )
else:
    try:
        resolved = _resolver(path, version).resolve(query_text)
    except QueryNotResolved as exc:
        st.warning(ui.plain(exc), icon=":material/help:")
        if exc.suggestions:
            st.write("Did you mean:")
            cols = st.columns(len(exc.suggestions))
            for i, (col, name) in enumerate(zip(cols, exc.suggestions, strict=True)):
                col.button(
                    ui.plain(name), key=f"find_dym_{i}", on_click=_choose, args=(name, exc.phases)
                )
    except BrokeringError as exc:
        ui.show_error(exc)

result: FindResult | None = None
if resolved is not None:
    understood = f"Searching for **{ui.plain(resolved.skill_name)}**"
    if resolved.how == "corrected":
        understood += f" (read “{ui.plain(resolved.text)}” as “{ui.plain(resolved.understood_as)}”)"
    if resolved.phases and not phases:
        understood += (
            f", phase filter **{ui.plain(', '.join(resolved.phases))}** from "
            f"“{ui.plain(' '.join(resolved.phase_words))}”"
        )
    elif phases:
        understood += f", phase filter **{ui.plain(', '.join(phases))}**"
    st.markdown(understood + ".")
    try:
        result = _find(path, version, who, resolved, tuple(phases), school, rank_by, blend, today)
        record_search(con, viewer, result)
    except PermissionDenied as exc:
        st.info(f"{ui.plain(exc)} The depth by school and the gap map below are open to you.")
    except BrokeringError as exc:
        ui.show_error(exc)

if result is not None:
    label = {"practice": "practice strength", "coaching": "coaching strength"}.get(
        rank_by, f"a blend ({blend:.0%} coaching)"
    )
    st.subheader(f"{ui.plain(result.skill_name)}: ranked by {label}")
    if result.empty:
        st.info(ui.plain(result.message))
        if result.related:
            cols = st.columns(len(result.related))
            for i, (col, rel) in enumerate(zip(cols, result.related, strict=True)):
                col.button(
                    ui.plain(rel.name), key=f"find_rel_{i}", on_click=_choose, args=(rel.name, ())
                )
    else:
        recorded = _recorded(path, version, who, tuple(result.rows["staff_ref"]), result.skill_id)
        shown = result.rows.assign(
            phases=result.rows["phases"].map(", ".join),
            coaching=[
                coaching_text(c, r in recorded)
                for c, r in zip(
                    result.rows["coaching_score"], result.rows["staff_ref"], strict=True
                )
            ],
            confidence_words=[confidence_text(c) for c in result.rows["confidence"]],
        )
        # Reference, school, scores and confidence first: a tablet shows these unscrolled.
        st.dataframe(
            ui_people.with_names(
                shown,
                ["staff_ref"],
                [
                    "staff_ref",
                    "school",
                    "practice_score",
                    "coaching",
                    "confidence_words",
                    "rank",
                    "role",
                    "phases",
                    "evidence_count",
                    "latest_evidence",
                ],
            ),
            hide_index=True,
            width="stretch",
            column_config={
                "rank": st.column_config.NumberColumn("#", width="small"),
                "staff_ref": "Ref",
                "school": "School",
                "role": "Role",
                "phases": "Phases",
                "practice_score": st.column_config.NumberColumn("Practice", format="%.1f"),
                "coaching": st.column_config.TextColumn(
                    "Coaching",
                    help="“no record yet”: no coaching outcome, coachee rating or "
                    "coaching-feedback evidence is recorded.",
                ),
                "confidence_words": st.column_config.TextColumn(
                    "Confidence",
                    help="How much of the score rests on evidence rather than the neutral "
                    "starting point: low, moderate or high.",
                ),
                "evidence_count": "Evidence",
                "latest_evidence": st.column_config.DateColumn("Latest evidence"),
            },
        )
        ui_people.profile_link(result.rows["staff_ref"], key=f"find_profile_{result.skill_id}")
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
        st.caption(
            "Scores run 0–100 (4 on the evidence scale is 100). Observed lessons and pupil "
            "outcomes weigh more than self-assessment, a record's weight halves every 18 "
            "months, and everyone starts from “no demonstrated strength” worth three records, "
            "so one glowing record does not beat sustained practice. See docs/SCORING.md."
        )
        st.markdown("**Why this rank**")
        for row in result.rows.head(EXPLAINED).itertuples(index=False):
            # Worked out only when opened: each explanation costs a few queries, and a
            # search should not wait for ten of them.
            why_box = st.expander(
                f"#{row.rank} {ui.plain(ui_people.label(row.staff_ref))} — {ui.plain(row.school)}: "
                "why this rank",
                key=f"find_why_{result.skill_id}_{row.staff_ref}",
                on_change="rerun",
            )
            if not why_box.open:
                continue
            with why_box:
                why = _explain(path, who, row.staff_ref, result.skill_id, result.phases, today)
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
                            observer=_observers(path, version, who, tuple(records["recorded_by"]))
                        )
                        st.dataframe(
                            seen[
                                ["date", "evidence_type", "strength", "observer", "note", "weight"]
                            ],
                            hide_index=True,
                            width="stretch",
                            column_config={
                                "date": st.column_config.DateColumn("Date"),
                                "evidence_type": "Evidence",
                                "strength": st.column_config.NumberColumn(
                                    "Strength (1–4)", format="%d"
                                ),
                                "observer": "Seen by",
                                "note": st.column_config.TextColumn("Note", width="large"),
                                "weight": st.column_config.NumberColumn("Weight", format="%.2f"),
                            },
                        )
                    st.caption(
                        f"Practice {row.practice_score:.1f} (confidence "
                        f"{confidence_text(row.practice_confidence)}); coaching "
                        f"{coaching_text(row.coaching_score, row.staff_ref in recorded)}. "
                        "Newest first; the arithmetic is in the next tab."
                    )
                with sums_tab:
                    st.markdown(
                        f"Practice **{row.practice_score:.1f}**: each record's weight is its "
                        "type weight × recency; its share of all the weight times its strength "
                        "gives its points, and the points add up to the score."
                    )
                    p = why.practice
                    st.dataframe(
                        p[
                            [
                                c
                                for c in (
                                    "date",
                                    "evidence_type",
                                    "strength",
                                    "recorded_by",
                                    "phase",
                                    "type_weight",
                                    "recency_weight",
                                    "weight",
                                    "share",
                                    "contribution",
                                )
                                if c in p.columns
                            ]
                        ],
                        hide_index=True,
                        width="stretch",
                        column_config={
                            "date": st.column_config.DateColumn("Date"),
                            "evidence_type": "Evidence",
                            "strength": st.column_config.NumberColumn("Strength (1–4)"),
                            "recorded_by": "Recorded by",
                            "phase": "Phase",
                            "type_weight": st.column_config.NumberColumn(
                                "Type weight", format="%.2f"
                            ),
                            "recency_weight": st.column_config.NumberColumn(
                                "Recency", format="%.2f"
                            ),
                            "weight": st.column_config.NumberColumn("Weight", format="%.2f"),
                            "share": st.column_config.NumberColumn("Share", format="percent"),
                            "contribution": st.column_config.NumberColumn("Points", format="%.1f"),
                        },
                    )
                    st.caption(f"Points add up to {why.practice_score:.1f}.")
                    st.markdown(f"Coaching **{row.coaching_score:.1f}**:")
                    st.dataframe(
                        why.coaching,
                        hide_index=True,
                        width="stretch",
                        column_config={
                            "part": "Part",
                            "skill_id": "Skill",
                            "date": st.column_config.DateColumn("Date"),
                            "strength": st.column_config.NumberColumn("Value (1–4)"),
                            "skill_factor": st.column_config.NumberColumn("Skill factor"),
                            "base_weight": st.column_config.NumberColumn("Base weight"),
                            "recency_weight": st.column_config.NumberColumn(
                                "Recency", format="%.2f"
                            ),
                            "weight": st.column_config.NumberColumn("Weight", format="%.2f"),
                            "share": st.column_config.NumberColumn("Share", format="percent"),
                            "contribution": st.column_config.NumberColumn("Points", format="%.1f"),
                        },
                    )
                    st.caption(f"Points add up to {why.coaching_score:.1f}.")
        if len(result.rows) > EXPLAINED:
            st.caption(f"“Why this rank” is shown for the top {EXPLAINED}.")

if resolved is not None:
    st.subheader("By school")
    try:
        depth = _depth(
            path, version, who, resolved.skill_id, tuple(phases or resolved.phases), today
        )
    except BrokeringError as exc:
        ui.show_error(exc)
    else:
        if int(depth["depth"].sum()) == 0:
            st.info(
                f"No school has staff with strong, recent evidence in "
                f"{ui.plain(resolved.skill_name)} "
                "that can be shown. The alliance may need to look outside for it."
            )
        else:
            top = depth[depth["depth"] > 0].head(CHART_SCHOOLS)
            long = pd.concat(
                [
                    top.assign(kind="Can be listed", count=top["listed"]),
                    top.assign(
                        kind=f"Not shared (shown when {concepts.HIDDEN_BELOW} or more)",
                        count=top["not_shared"].fillna(0).astype(int),
                    ),
                ]
            )
            chart = (
                alt.Chart(long[long["count"] > 0])
                .mark_bar()
                .encode(
                    x=alt.X("sum(count):Q", title="Staff with strong, recent evidence"),
                    y=alt.Y("school:N", sort=list(top["school"]), title=None),
                    color=alt.Color("kind:N", title=None, legend=alt.Legend(orient="bottom")),
                    tooltip=["school:N", "kind:N", "count:Q"],
                )
            )
            st.altair_chart(chart, width="stretch")
            notes = [ui.plain(f"{r.school}: {r.note}") for r in depth.itertuples() if r.note]
            st.caption(
                concepts.strong_meaning() + " Counts of staff who have not agreed to "
                f"share appear only when there are {concepts.HIDDEN_BELOW} or more, so no one "
                "is singled out." + (" " + "; ".join(notes[:5]) + "." if notes else "")
            )

st.subheader("Map of strengths")
st.caption(
    "Staff with strong, recent evidence in each area of the skills list, school by school: "
    "the darker the cell, the deeper the school. "
    + concepts.strong_meaning()
    + " Staff who have not agreed to share are counted only where there are "
    f"{concepts.HIDDEN_BELOW} or more, so no one is singled out."
)
try:
    smap = _map(path, version, who, today)
except BrokeringError as exc:
    ui.show_error(exc)
else:
    by_school = smap.groupby("school")["depth"].sum().sort_values(ascending=False)
    drawn = smap[smap["school"].isin(by_school.index[:MAP_SCHOOLS])]
    if len(by_school) > MAP_SCHOOLS:
        st.caption(f"The {MAP_SCHOOLS} deepest of {len(by_school):,} schools are drawn.")
    base = alt.Chart(drawn).encode(
        x=alt.X("school:N", title=None, sort=list(by_school.index)),
        y=alt.Y("area:N", title=None),
    )
    heat = base.mark_rect().encode(
        color=alt.Color("depth:Q", title="Staff", scale=alt.Scale(scheme="blues")),
        tooltip=[
            alt.Tooltip("area:N", title="Area"),
            alt.Tooltip("school:N", title="School"),
            alt.Tooltip("depth:Q", title="Staff with strong, recent evidence"),
            alt.Tooltip("not_shared:Q", title="Of whom not shared"),
        ],
    )
    labels = base.mark_text(fontSize=11).encode(
        text=alt.condition("datum.depth > 0", "depth:Q", alt.value("")),
        color=alt.condition("datum.depth > 4", alt.value("white"), alt.value("black")),
    )
    st.altair_chart(heat + labels, width="stretch")

st.subheader("Gap map")
st.caption(
    "Skills taught in the alliance's key stages where no one has strong, recent evidence: "
    "where to look outside the alliance (skills with open needs first). Choose one to see "
    "who has any evidence in it."
)
try:
    gaps = _gaps(path, version, who, today)
except BrokeringError as exc:
    ui.show_error(exc)
else:
    if gaps.empty:
        st.success("Every skill has someone with strong, recent evidence somewhere.")
    else:
        needed = gaps[gaps["open_needs"].fillna(0) > 0]
        m1, m2 = st.columns(2)
        m1.metric("Skills with no strong, recent evidence", f"{len(gaps):,}")
        m2.metric("… of which someone has an open need", f"{len(needed):,}")
        by_area = gaps_by_area(gaps)
        area = st.selectbox(
            "Area",
            list(by_area),
            key="gap_area",
            format_func=lambda a: f"{a} ({len(by_area[a])} skills with no one strong)",
        )
        st.pills(
            "Skills in this area where no one is strong",
            by_area[area],
            key="gap_pick",
            on_change=_pick_gap,
        )
        with st.expander("Every such skill, as a table"):
            st.dataframe(
                gaps[["area", "skill", "kind", "status", "open_needs", "people_with_evidence"]],
                hide_index=True,
                width="stretch",
                column_config={
                    "area": "Area",
                    "skill": "Skill",
                    "kind": "Kind",
                    "status": "What the alliance has",
                    "open_needs": st.column_config.NumberColumn(
                        "Open needs", help="Blank: fewer than 3, not shown."
                    ),
                    "people_with_evidence": st.column_config.NumberColumn(
                        "Staff with some evidence", help="Blank: fewer than 3, not shown."
                    ),
                },
            )

if can(viewer, "view_needs"):
    st.subheader("Open needs with no strong coach anywhere")
    st.caption(
        "Open development needs in skills where no one in the alliance has a coaching score "
        f"of {concepts.STRONG_SCORE:.0f} or more: look outside the alliance, or grow a coach."
    )
    try:
        thin = _thin_needs(path, version, who, today)
    except BrokeringError as exc:
        ui.show_error(exc)
    else:
        if thin.empty:
            st.success("Every open need has a strong coach somewhere in the alliance.")
        else:
            st.dataframe(
                ui_people.with_names(
                    thin,
                    ["staff_ref"],
                    ["staff_ref", "school_name", "skill_name", "priority", "raised_on", "need_id"],
                ),
                hide_index=True,
                width="stretch",
                column_config={
                    "staff_ref": "Staff ref",
                    "school_name": "School",
                    "skill_name": "Skill",
                    "priority": "Priority",
                    "raised_on": st.column_config.DateColumn("Raised"),
                    "need_id": "Need",
                },
            )
            ui_people.profile_link(thin["staff_ref"], key="thin_needs_profile")
