"""The printable half-term summary for governors: one self-contained HTML file whose charts
are embedded as PNG images (rendered offline by vl-convert), so it opens with no network."""

from __future__ import annotations

import base64
import html
from datetime import date

import altair as alt
import pandas as pd
import vl_convert as vlc

from brokering import audit
from brokering.dashboard import charts, flows, maturity, transfer
from brokering.dashboard.facts import ALLIANCE, Scope
from brokering.db import Connection
from brokering.terms import Term
from brokering.viewer import Viewer


def _png(chart: alt.Chart) -> str:
    data = vlc.vegalite_to_png(chart.properties(width=560).to_dict(), scale=1.5)
    return "data:image/png;base64," + base64.b64encode(data).decode("ascii")


def _table(frame: pd.DataFrame) -> str:
    return frame.to_html(index=False, na_rep="fewer than 3", border=0, escape=True)


def half_term_summary(
    con: Connection, viewer: Viewer, term: Term, scope: Scope = ALLIANCE, as_of: date | None = None
) -> str:
    as_of = as_of or date.today()
    figures = transfer.headline(con, viewer, term, scope, as_of)
    rows = "".join(
        f"<tr><td>{html.escape(f.label)}</td><td>{_fmt(f.value, f.hidden)}</td>"
        f"<td>{_fmt(f.previous, f.previous_hidden)}</td></tr>"
        for f in figures
    )
    parts = [
        f"<h1>Partnership work: half-term summary</h1><p>{html.escape(term.label)} "
        f"({term.start:%d %B %Y} to {term.end:%d %B %Y}). Prepared {as_of:%d %B %Y}.</p>",
        "<h2>Headline figures</h2><table><tr><th>Figure</th><th>This term</th>"
        f"<th>Previous term</th></tr>{rows}</table>",
    ]
    by_school = transfer.outcomes_by(con, viewer, "school", scope, term.start, term.end)
    if not by_school.dropna(subset=["pairings"]).empty:
        chart = charts.outcomes_bar(by_school, "Outcomes by receiving school")
        parts.append(f'<img alt="Outcomes by school" src="{_png(chart)}">')
    trend = transfer.trend_by_term(con, viewer, scope, as_of)
    if not trend.empty:
        parts.append(f'<img alt="Trend by term" src="{_png(charts.trend_chart(trend))}">')
    bal = flows.balance(con, viewer, term.start, term.end)
    if not bal.empty:
        parts.append("<h2>Give and receive</h2>" + _table(bal.drop(columns=["school_id"])))
    stages = maturity.by_school(con, viewer, as_of)
    parts.append(
        "<h2>Suggested maturity stages (a prompt for discussion)</h2>"
        + _table(stages.drop(columns=["school_id"]))
    )
    audit.record(con, viewer, "export", {"report": "half-term summary", "term": term.label})
    style = (
        "body{font-family:sans-serif;max-width:900px;margin:2em auto;color:#222}"
        "table{border-collapse:collapse;margin:1em 0}td,th{border-bottom:1px solid #ddd;"
        "padding:4px 10px;text-align:left}img{max-width:100%;margin:1em 0}"
    )
    return (
        f"<!doctype html><html lang='en-GB'><head><meta charset='utf-8'>"
        f"<title>Half-term summary</title><style>{style}</style></head><body>"
        + "".join(parts)
        + "</body></html>"
    )


def _fmt(value: float | None, hidden: bool = False) -> str:
    if hidden:
        return charts.HIDDEN_TEXT
    if value is None:
        return "none yet"
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"
