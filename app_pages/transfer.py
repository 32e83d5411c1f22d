"""Transfer evidence: is partnership work moving practice, at what cost, and who gives to
whom. Figures resting on fewer than three people are hidden by brokering.dashboard."""

from datetime import date

import streamlit as st

import ui
from brokering.changes import store_version
from brokering.dashboard import charts, flows, hiding, report, transfer
from brokering.dashboard.facts import Scope
from brokering.errors import BrokeringError
from brokering.exporting import to_csv_bytes
from brokering.permissions import can_open
from brokering.settings import SUPPRESSION_THRESHOLD
from brokering.taxonomy import skill_areas
from brokering.terms import previous_term, term_of

viewer = st.session_state["viewer"]
con = ui.connection()
today = date.today()

st.title("Transfer evidence")
st.caption(
    "A pairing counts as a transfer only when the recipient is seen doing the practice by "
    "someone else after the pairing began. Unevidenced and overdue work stays in view. "
    f'Figures resting on fewer than {SUPPRESSION_THRESHOLD} people show as "fewer than '
    f'{SUPPRESSION_THRESHOLD}", and so does any figure they could be worked out from.'
)

terms = [term_of(today)]
for _ in range(5):
    terms.append(previous_term(terms[-1]))
schools = ui.schools()
areas = skill_areas(con)
c1, c2, c3 = st.columns(3)
term = c1.selectbox("Term", terms, format_func=lambda t: t.label)
school = c2.selectbox(
    "School",
    [None, *schools["school_id"]],
    format_func=lambda s: ui.school_label(s) if s else "Whole alliance",
)
area = c3.selectbox("Skill area", [None, *areas], format_func=lambda a: a or "All areas")
scope = Scope(school_id=school, area=area)
own_name = ui.school_label(viewer.school_id) if viewer.school_id else None

try:
    figures = transfer.headline(con, viewer, term, scope, today)
except BrokeringError as exc:
    ui.show_error(exc)
    st.stop()

cols = st.columns(len(figures))
for col, fig in zip(cols, figures, strict=True):
    if fig.hidden:
        value = charts.HIDDEN_TEXT
    elif fig.value is None:
        value = "none yet"
    else:
        value = f"{fig.value:,.0f}" if float(fig.value).is_integer() else f"{fig.value:,.1f}"
    if fig.change is None:
        delta = None
    elif fig.change == 0:
        delta = "no change on last term"
    else:
        delta = f"{fig.change:+,.1f} on last term"
    col.metric(
        fig.label,
        value,
        delta,
        delta_color=fig.direction,
        delta_arrow="off" if fig.change == 0 else "auto",
        help=fig.help,
    )


def hidden_note(frame, what: str) -> None:
    """Say under a chart how many of its groups are hidden (they are left out of it)."""
    n = hiding.hidden_groups(frame)
    if n:
        st.caption(
            f"{n} {what}{'s' if n > 1 else ''} not shown: each rests on fewer than "
            f"{SUPPRESSION_THRESHOLD} people."
        )


def all_hidden(frame) -> bool:
    return not frame.empty and frame["pairings"].isna().all()


by_school = transfer.outcomes_by(con, viewer, "school", scope, term.start, term.end)
if by_school.empty:
    st.info(
        "No pairings in this view yet. Log joint practice development on the JPD "
        "pairings page, or widen the filters."
    )
else:
    left, right = st.columns(2)
    with left:
        if all_hidden(by_school):
            st.info(
                "Outcomes by receiving school: every school in this view rests on fewer than "
                f"{SUPPRESSION_THRESHOLD} people, so none is shown."
            )
        else:
            st.altair_chart(
                charts.outcomes_bar(by_school, "Outcomes by receiving school", own_name),
                width="stretch",
            )
            hidden_note(by_school, "school")
        ui.download(
            "Data (CSV)", to_csv_bytes(by_school), "outcomes_by_school.csv", key="dl_school"
        )
    by_area = transfer.outcomes_by(con, viewer, "area", scope, term.start, term.end)
    with right:
        if all_hidden(by_area):
            st.info(
                "Outcomes by skill area: every area in this view rests on fewer than "
                f"{SUPPRESSION_THRESHOLD} people, so none is shown."
            )
        else:
            st.altair_chart(charts.outcomes_bar(by_area, "Outcomes by skill area"), width="stretch")
            hidden_note(by_area, "skill area")
        ui.download("Data (CSV)", to_csv_bytes(by_area), "outcomes_by_area.csv", key="dl_area")
    left, right = st.columns(2)
    ratings = transfer.ratings_before_after(con, viewer, scope)
    with left:
        shown_ratings = ratings[~ratings["hidden"]]
        n_hidden = ratings.loc[ratings["hidden"], "area"].nunique()
        if ratings.empty:
            st.info("No before-and-after observation ratings in this view yet.")
        elif shown_ratings.empty:
            st.info(
                "Ratings before and after: every skill area in this view rests on fewer than "
                f"{SUPPRESSION_THRESHOLD} people, so none is shown."
            )
        else:
            st.altair_chart(charts.ratings_chart(shown_ratings), width="stretch")
        if n_hidden and not shown_ratings.empty:
            st.caption(
                f"{n_hidden} skill area{'s' if n_hidden > 1 else ''} not shown: each rests on "
                f"fewer than {SUPPRESSION_THRESHOLD} people."
            )
        if not ratings.empty:
            ui.download(
                "Data (CSV)",
                to_csv_bytes(ratings.drop(columns=["hidden"])),
                "ratings.csv",
                key="dl_ratings",
            )
    hours = transfer.hours_against_outcome(con, viewer, scope)
    with right:
        if all_hidden(hours):
            st.info(
                "Hours against outcome: every cell rests on fewer than "
                f"{SUPPRESSION_THRESHOLD} people, so none is shown."
            )
        elif hours["pairings"].fillna(0).sum() == 0:
            st.info("No concluded pairings in this view yet, so no cost-and-benefit picture.")
        else:
            st.altair_chart(charts.hours_chart(hours), width="stretch")
            ui.download("Data (CSV)", to_csv_bytes(hours), "hours_outcome.csv", key="dl_hours")
    trend = transfer.trend_by_term(con, viewer, scope, today)
    if not trend.empty:
        st.altair_chart(charts.trend_chart(trend), width="stretch")
        if trend["hidden"].any():
            st.caption(
                f"{int(trend['hidden'].sum())} term(s) hidden (a grey dashed line marks each "
                f"gap): they rest on fewer than {SUPPRESSION_THRESHOLD} people."
            )
        ui.download("Data (CSV)", to_csv_bytes(trend), "trend_by_term.csv", key="dl_trend")

st.header("Flows between schools")
st.caption(
    "Pairings and coaching hours from the giving school to the receiving school, in "
    "the chosen term. One-way relationships show as a strong colour on one side only. "
    + flows.WITHIN_SCHOOL
)
matrix = flows.flow_matrix(con, viewer, term.start, term.end, scope)
if matrix.empty:
    st.info("No pairings or coaching ran between schools in this term.")
else:
    st.altair_chart(charts.flow_heatmap(matrix), width="stretch")
    if n_hidden := flows.hidden_cells(matrix):
        st.caption(
            f"{n_hidden} flow{'s' if n_hidden > 1 else ''} between schools not shown (left "
            f"blank): each rests on fewer than {SUPPRESSION_THRESHOLD} people, or would give "
            "one that does away."
        )
    ui.download(
        "Data (CSV)", to_csv_bytes(matrix.drop(columns=["people"])), "flows.csv", key="dl_flows"
    )
    st.subheader("Given and received")
    st.caption(flows.BALANCE_COUNTS)
    if can_open(viewer, "app_pages/pairings.py"):
        st.page_link("app_pages/pairings.py", label="The reciprocity ledger: JPD pairings")
    bal = flows.balance(con, viewer, term.start, term.end)
    shown_bal = bal.dropna(subset=["balance"])
    if not shown_bal.empty:
        st.altair_chart(charts.balance_chart(shown_bal), width="stretch")
    st.dataframe(
        charts.hidden_table(
            bal.drop(columns=["school_id"]), ["hours given", "hours received", "balance"]
        ),
        hide_index=True,
        width="stretch",
    )

st.subheader("Complementary strengths")
st.caption(
    "Where one school has several strong practitioners and another has open needs "
    "in the same skill: natural partners for the next round of pairings."
)
comp = flows.complementary_strengths(con, viewer, today)
if comp.empty:
    st.info("No complementary strengths found yet.")
else:
    st.dataframe(charts.hidden_table(comp, ["open needs"]), hide_index=True, width="stretch")
    ui.download("Data (CSV)", to_csv_bytes(comp), "complementary_strengths.csv", key="dl_comp")

st.subheader("Half-term summary for governors")
st.caption(
    "The term and filters chosen above, as one page to print on A4 or send: the headline "
    "figures, the outcomes and the term-by-term picture, giving and receiving between "
    "schools and the suggested maturity stages, each with a short paragraph in words."
)
report.warm_up()  # the chart engine starts now, not on the first click


@st.fragment
def summary_section() -> None:
    """Prepared on a click that reruns only this section (not the whole page), and kept
    for the session keyed on what it was prepared from: it can be downloaded again without
    preparing it again until the data (the store's change counter) or the filters move."""
    here = ui.connection()  # a fragment's rerun is a run of its own: its own cursor
    key = (store_version(here), term, scope, viewer)
    kept = st.session_state.get("half_term_summary")
    if kept is not None and kept[0] != key:
        kept = None
    if st.button("Prepare the printable summary" if kept is None else "Prepare it again"):
        with st.spinner("Drawing the charts…"):
            kept = (key, report.half_term_summary(here, viewer, term, scope, today))
        st.session_state["half_term_summary"] = kept
    if kept is not None:
        ui.download(
            "Download the summary (HTML, opens offline, prints on A4)",
            kept[1].encode(),
            f"half-term-summary-{term.label.replace(' ', '-').lower()}.html",
            mime="text/html",
            key="dl_report",
        )


summary_section()
