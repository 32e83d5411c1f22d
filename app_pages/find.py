"""Find expertise: who is the best teacher of X, who best coaches it, which school is deep in
it, and where the alliance has no strength at all. Layout only: brokering.find decides;
ui_find holds the page's cached reads, callbacks and larger drawings."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pandas as pd
import streamlit as st

import ui
import ui_find
import ui_people
from brokering import concepts
from brokering.changes import store_version
from brokering.dashboard import charts
from brokering.dates import DAY_FORMAT
from brokering.db import default_db_path
from brokering.errors import BrokeringError, PermissionDenied
from brokering.find import RANK_BY, FindResult, QueryNotResolved, ResolvedQuery, record_search
from brokering.permissions import can
from brokering.phases import KEY_STAGES
from brokering.strength_map import gaps_by_area
from brokering.viewer import Viewer

viewer: Viewer = st.session_state["viewer"]
con = ui.connection()
#: Schools drawn in the depth chart (a national store has thousands).
CHART_SCHOOLS = 25
#: Schools drawn in the map of strengths (an alliance has 5 to 40).
MAP_SCHOOLS = 40

path, who, today = str(default_db_path()), ui_find.who(viewer), date.today()
version = store_version(con)
# A search is audited once when it is asked (an input changed, a suggestion chosen), not on
# every rerun: the callbacks in ui_find mark it, and this run takes the mark.
asked = bool(st.session_state.pop(ui_find.ASKED, False))

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
    "sixth form) set the phase filter beside it.",
    on_change=ui_find.asked,
)
resolved: ResolvedQuery | None = None
unresolved: QueryNotResolved | None = None
failure: BrokeringError | None = None
if query_text.strip():
    try:
        resolved = ui_find.resolver(path, version).resolve(query_text)
    except QueryNotResolved as exc:
        unresolved = exc
    except BrokeringError as exc:
        failure = exc
# Before the filter is drawn: the phases the words became are shown in the filter itself.
ui_find.read_phase_words(
    query_text, resolved.phases if resolved else unresolved.phases if unresolved else ()
)

names = ui.school_names()
c1, c2, c3, c4 = st.columns([2, 2, 2, 2])
phases = c1.multiselect(
    "Phase",
    list(KEY_STAGES),
    key="find_phases",
    placeholder="Any phase",
    on_change=ui_find.phases_chosen,
)
school = c2.selectbox(
    "School",
    [None, *names],
    format_func=lambda s: names.get(s, "Every school"),
    key="find_school",
    on_change=ui_find.asked,
)
rank_by = c3.radio(
    "Rank by",
    RANK_BY,
    horizontal=True,
    key="find_rank_by",
    format_func={"practice": "Practice", "coaching": "Coaching", "blend": "Blend"}.get,
    on_change=ui_find.asked,
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
        on_change=ui_find.asked,
    )

if not query_text.strip():
    st.info(
        "Type a skill to see who is strongest in it — for example **Year 6 maths**, "
        "**phonics**, **behaviour and routines** or **adaptive teaching for SEND**. The gap "
        "map below shows where no one in the alliance has strong, recent evidence."
    )
elif unresolved is not None:
    st.warning(ui.plain(unresolved), icon=":material/help:")
    if unresolved.suggestions:
        st.write("Did you mean:")
        cols = st.columns(len(unresolved.suggestions))
        for i, (col, name) in enumerate(zip(cols, unresolved.suggestions, strict=True)):
            col.button(ui.plain(name), key=f"find_dym_{i}", on_click=ui_find.choose, args=(name,))
elif failure is not None:
    ui.show_error(failure)

result: FindResult | None = None
if resolved is not None:
    understood = f"Searching for **{ui.plain(resolved.skill_name)}**"
    if resolved.how == "corrected":
        understood += f" (read “{ui.plain(resolved.text)}” as “{ui.plain(resolved.understood_as)}”)"
    if resolved.phases and tuple(phases) == resolved.phases:
        understood += (
            f", phase filter **{ui.plain(', '.join(resolved.phases))}** from "
            f"“{ui.plain(' '.join(resolved.phase_words))}”"
        )
    elif phases:
        understood += f", phase filter **{ui.plain(', '.join(phases))}**"
    elif resolved.phase_words:
        understood += (
            f", at any phase (the filter from “{ui.plain(' '.join(resolved.phase_words))}” cleared)"
        )
    st.markdown(understood + ".")
    try:
        searched = replace(resolved, phases=tuple(phases))  # the filter as shown is searched
        result = ui_find.find(path, version, who, searched, school, rank_by, blend, today)
        if asked:  # once per search asked, whether the cache or the store answered it
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
        ui_find.suggestions(result)
    else:
        held = ui_find.recorded(
            path, version, who, tuple(result.rows["staff_ref"]), result.skill_id
        )
        ui_find.results_table(result, held)
        st.caption(
            "Scores run 0–100 (4 on the evidence scale is 100). Observed lessons and pupil "
            "outcomes weigh more than self-assessment, a record's weight halves every 18 "
            "months, and everyone starts from “no demonstrated strength” worth three records, "
            "so one glowing record does not beat sustained practice. Open “why this rank” "
            "below to see any score's arithmetic."
        )
        ui_find.why_this_rank(result, held, (path, version, who), today)

if resolved is not None:
    st.subheader("By school")
    try:
        depth = ui_find.depth(path, version, who, resolved.skill_id, tuple(phases), today)
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
            chart = ui_find.depth_chart(
                long[long["count"] > 0], list(top["school"]), resolved.skill_name
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
    smap = ui_find.strengths(path, version, who, today)
except BrokeringError as exc:
    ui.show_error(exc)
else:
    by_school = smap.groupby("school")["depth"].sum().sort_values(ascending=False)
    drawn = smap[smap["school"].isin(by_school.index[:MAP_SCHOOLS])]
    if len(by_school) > MAP_SCHOOLS:
        st.caption(f"The {MAP_SCHOOLS} deepest of {len(by_school):,} schools are drawn.")
    st.altair_chart(charts.strength_map(drawn, list(by_school.index)), width="stretch")

st.subheader("Gap map")
st.caption(
    "Skills taught in the alliance's key stages where no one has strong, recent evidence: "
    "where to look outside the alliance (skills with open needs first). Choose one to see "
    "who has any evidence in it."
)
try:
    gaps = ui_find.gaps(path, version, who, today)
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
            on_change=ui_find.pick_gap,
        )
        with st.expander("Every such skill, as a table"):
            ui.table(
                ui.readable(
                    gaps[["area", "skill", "kind", "status", "open_needs", "people_with_evidence"]]
                ),
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
        thin = ui_find.thin_needs(path, version, who, today)
    except BrokeringError as exc:
        ui.show_error(exc)
    else:
        if thin.empty:
            st.success("Every open need has a strong coach somewhere in the alliance.")
        else:
            ui.table(
                ui.readable(
                    ui_people.with_names(
                        thin,
                        ["staff_ref"],
                        [
                            "staff_ref",
                            "school_name",
                            "skill_name",
                            "priority",
                            "raised_on",
                            "need_id",
                        ],
                    )
                ),
                column_config={
                    "staff_ref": "Staff ref",
                    "school_name": "School",
                    "skill_name": "Skill",
                    "priority": "Priority",
                    "raised_on": st.column_config.DateColumn("Raised", format=DAY_FORMAT),
                    "need_id": st.column_config.TextColumn("Reference", width="small"),
                },
            )
            ui_people.profile_link(thin["staff_ref"], key="thin_needs_profile")
