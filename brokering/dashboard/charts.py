"""Chart specifications (altair) for the dashboard, shared by the pages and the printable
report so both show the same picture. Data comes in already suppressed."""

from __future__ import annotations

import textwrap

import altair as alt
import pandas as pd
from pandas.io.formats.style import Styler

from brokering import concepts

OUTCOME_COLOURS = alt.Scale(
    domain=["transferred", "not transferred", "stopped", "open"],
    range=["#2a7f62", "#c0392b", "#8e8e8e", "#5b8db8"],
)


#: Counts are whole numbers: no "0.000000 Pairings" on an axis.
COUNT_AXIS = alt.Axis(format="d", tickMinStep=1)
HIDDEN_GREY = "#9a9a9a"
#: How a hidden figure reads in a table: never 0, never a dash.
HIDDEN_TEXT = concepts.hidden_words()
#: Characters per line of a name on a chart axis (longer names wrap; the tooltip always
#: carries the full name).
LABEL_WIDTH = 22
#: Vega's label expression drawing a `wrapped` name as its lines.
AXIS_LINES = "split(datum.label, '\\n')"


def wrapped(name: object, width: int = LABEL_WIDTH) -> str:
    """A name for a chart axis: whole words, at most `width` characters a line (drawn as
    lines by `AXIS_LINES`), so every name is read in full the same way, never cut short."""
    lines = textwrap.wrap(str(name), width, break_long_words=False, break_on_hyphens=False)
    return "\n".join(lines) or str(name)


def strength_map(frame: pd.DataFrame, order: list[str]) -> alt.LayerChart:
    """The map of strengths: one row per school (in `order`, deepest first), one column per
    area, the darker the deeper, each cell's count written in it. Schools run down the side
    so every name is written in full on one line (a name along the bottom was cut at Vega's
    180 pixels and readable only on hover); the areas' names wrap below their columns."""
    drawn = frame.assign(area_label=frame["area"].map(lambda a: wrapped(a, 10)))
    base = alt.Chart(drawn).encode(
        y=alt.Y("school:N", title=None, sort=order, axis=alt.Axis(labelLimit=0)),
        x=alt.X(
            "area_label:N",
            title=None,
            sort=sorted(set(drawn["area_label"]), key=lambda s: s.replace("\n", " ")),
            axis=alt.Axis(
                labelAngle=0,
                labelExpr=AXIS_LINES,
                labelLimit=0,
                labelOverlap=False,  # every area named, none hidden to avoid a neighbour
                labelPadding=6,
                labelFontSize=10,
                labelAlign="center",
            ),
        ),
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
    return alt.layer(heat, labels, title="Staff with strong, recent evidence, by area").properties(
        height=alt.Step(22)
    )


def hidden_table(frame: pd.DataFrame, columns: list[str]) -> Styler:
    """A table for display with the hidden cells of `columns` written as a grey "fewer than
    3" (downloads keep them blank)."""
    cols = [c for c in columns if c in frame.columns]
    out = frame.copy()
    for c in cols:
        out[c] = out[c].astype(object).where(out[c].notna(), HIDDEN_TEXT)
    # A column of objects is drawn as given: hours as "53.5", not "53.500000".
    numbers = {
        c: (lambda v: f"{v:,.1f}" if isinstance(v, float) else str(v))
        for c in cols
        if pd.api.types.is_float_dtype(frame[c])
    }
    return out.style.format(numbers).map(
        lambda v: f"color: {HIDDEN_GREY}; font-style: italic" if v == HIDDEN_TEXT else "",
        subset=cols,
    )


def outcomes_bar(frame: pd.DataFrame, title: str, highlight: str | None = None) -> alt.Chart:
    """Stacked outcomes per group; `highlight` (a group name, e.g. the head's own school)
    stays full strength while the others fade a little."""
    data = frame.dropna(subset=["pairings"]).astype({"pairings": "int64"})
    data = data.assign(yours=data["group"] == highlight)
    return (
        alt.Chart(data, title=title)
        .mark_bar()
        .encode(
            y=alt.Y("group:N", title=None, sort="ascending"),
            x=alt.X("pairings:Q", title="Pairings", axis=COUNT_AXIS),
            color=alt.Color("outcome:N", scale=OUTCOME_COLOURS, title="Outcome"),
            opacity=alt.condition(
                alt.datum.yours | (highlight is None), alt.value(1.0), alt.value(0.55)
            ),
            tooltip=["group", "outcome", "pairings"],
        )
    )


def ratings_chart(frame: pd.DataFrame) -> alt.Chart:
    return (
        alt.Chart(frame, title="Recipients' observation ratings, before and after (1-4)")
        .mark_bar()
        .encode(
            y=alt.Y("area:N", title=None),
            yOffset=alt.YOffset("when:N", sort=["before", "after"]),
            x=alt.X("rating:Q", title="Mean rating", scale=alt.Scale(domain=[1, 4])),
            color=alt.Color(
                "when:N",
                sort=["before", "after"],
                title=None,
                scale=alt.Scale(range=["#b8c5d6", "#1d5b79"]),
            ),
            tooltip=["area", "when", "rating", "pairings"],
        )
    )


def hours_chart(frame: pd.DataFrame) -> alt.Chart:
    data = frame.dropna(subset=["pairings"]).astype({"pairings": "int64"})
    return (
        alt.Chart(data, title="Hours invested against outcome (concluded pairings)")
        .mark_bar()
        .encode(
            x=alt.X(
                "hours:N",
                title="Hours logged plus cover and travel",
                sort=["under 6 h", "6-12 h", "12-24 h", "24 h+"],
            ),
            xOffset="outcome:N",
            y=alt.Y("pairings:Q", title="Pairings", axis=COUNT_AXIS),
            color=alt.Color("outcome:N", scale=OUTCOME_COLOURS, title="Outcome"),
            tooltip=["hours", "outcome", "pairings"],
        )
    )


def trend_chart(frame: pd.DataFrame) -> alt.Chart:
    """Lines per term; a hidden term breaks the line (never drawn as 0 or bridged) and is
    marked by a grey dashed rule labelled as hidden."""
    long = frame.melt(
        id_vars=["term", "start"],
        value_vars=["pairings active", "evidenced transfers"],
        var_name="measure",
        value_name="count",
    )
    # A hidden term ends one stretch of a line and the next term starts another (`part`):
    # its value is left out, so it is neither drawn as 0 nor bridged.
    long = long.sort_values(["measure", "start"], kind="stable")
    long["part"] = long.groupby("measure")["count"].transform(lambda c: c.isna().cumsum())
    long = long.dropna(subset=["count"])
    terms = list(frame.sort_values("start")["term"])  # every term on the axis, hidden too
    x = alt.X("term:N", sort=terms, title=None, scale=alt.Scale(domain=terms))
    lines = (
        alt.Chart(long, title="By term")
        .mark_line(point=True)
        .encode(
            x=x,
            y=alt.Y("count:Q", title="Pairings", axis=COUNT_AXIS),
            color=alt.Color("measure:N", title=None),
            detail="part:N",
            tooltip=["term", "measure", "count"],
        )
    )
    gaps = frame[frame["evidenced transfers"].isna() | frame["pairings active"].isna()]
    if gaps.empty:
        return lines
    gaps = gaps.assign(note="fewer than 3 people: hidden")
    marks = (
        alt.Chart(gaps)
        .mark_rule(strokeDash=[4, 4], color=HIDDEN_GREY)
        .encode(x=x, tooltip=["term", "note"])
    )
    return alt.layer(lines, marks)


def flow_heatmap(frame: pd.DataFrame) -> alt.Chart:
    data = frame.assign(hours=pd.to_numeric(frame["hours"], errors="coerce"))
    data = data.assign(
        shown=data["hours"].map(lambda h: "fewer than 3 people" if pd.isna(h) else f"{h:g} h")
    )
    return (
        alt.Chart(data, title="Hours given (row) to each school (column)")
        .mark_rect()
        .encode(
            y=alt.Y("giver_name:N", title="Giving school"),
            x=alt.X("receiver_name:N", title="Receiving school"),
            color=alt.Color("hours:Q", title="Hours", scale=alt.Scale(scheme="blues")),
            tooltip=[
                alt.Tooltip("giver_name:N", title="From"),
                alt.Tooltip("receiver_name:N", title="To"),
                alt.Tooltip("shown:N", title="Hours"),
            ],
        )
    )


def balance_chart(frame: pd.DataFrame) -> alt.Chart:
    return (
        alt.Chart(frame, title="Give and receive balance with other schools (hours)")
        .mark_bar()
        .encode(
            y=alt.Y("school:N", title=None, sort="-x"),
            x=alt.X("balance:Q", title="Hours given minus hours received"),
            color=alt.condition(alt.datum.balance >= 0, alt.value("#2a7f62"), alt.value("#c07a2b")),
            tooltip=["school", "hours given", "hours received", "relationship"],
        )
    )
