"""The printable half-term summary for governors: one self-contained HTML file whose charts
are embedded as SVG images (drawn offline by vl-convert), so it opens with no network,
and whose print style sets an A4 page, so "Print" in any browser gives a tidy document.

Each section is a heading in words, a short paragraph written from the section's own
figures (`narrative`: hidden figures are named as hidden, never stated), then the chart or
table. Everything comes in already suppressed for the viewer who prepares it."""

from __future__ import annotations

import base64
import html
import threading
from collections.abc import Callable
from datetime import date

import altair as alt
import pandas as pd
import vl_convert as vlc

from brokering import audit, concepts
from brokering.dashboard import charts, flows, maturity, narrative, transfer
from brokering.dashboard.facts import ALLIANCE, Scope
from brokering.db import Connection
from brokering.terms import Term, previous_term
from brokering.viewer import Viewer

TITLE = "Partnership work: half-term summary"
#: The section headings, in order (the printed PDF is checked for them).
HEADINGS = (
    "Headline figures",
    "Outcomes by receiving school",
    "Pairings term by term",
    "Giving and receiving between schools",
    "Suggested maturity stages (a prompt for discussion)",
)

_STYLE = (
    "body{font-family:sans-serif;max-width:900px;margin:2em auto;color:#222;line-height:1.4}"
    "table{border-collapse:collapse;margin:1em 0}td,th{border-bottom:1px solid #ddd;"
    "padding:4px 10px;text-align:left}td.n{text-align:right}.hidden{color:#777;"
    "font-style:italic}img{max-width:100%;margin:0.5em 0}p.note{color:#555;font-size:0.9em}"
    # Printing: an A4 page with margins; a heading stays with what follows it, and a chart,
    # a table row or a paragraph is never split across pages.
    "@page{size:A4;margin:16mm 14mm}"
    "@media print{body{max-width:none;margin:0;font-size:10.5pt}h1,h2{break-after:avoid}"
    "img,tr,p{break-inside:avoid}}"
)


_WARM = threading.Lock()
_warm_started = False


def warm_up() -> None:
    """Start vl-convert's chart engine on a background thread, once per process: its first
    drawing loads a JavaScript engine (seconds on a busy server), which would otherwise
    fall on the first summary anyone prepares. The page calls this as it opens."""
    global _warm_started
    with _WARM:
        if _warm_started:
            return
        _warm_started = True
    tiny = alt.Chart(pd.DataFrame({"n": [1]})).mark_bar().encode(x="n:Q").to_dict()
    threading.Thread(
        target=vlc.vegalite_to_svg, args=(tiny,), name="summary-charts-warm-up", daemon=True
    ).start()


def _image(chart: alt.Chart | alt.LayerChart, title: str) -> str:
    """The chart as an SVG image inside the file: drawn without a network, several times
    quicker than a PNG, and printed as sharp vector lines and real text."""
    spec = chart.properties(width=560, title=title).to_dict()
    data = vlc.vegalite_to_svg(spec).encode()
    return "data:image/svg+xml;base64," + base64.b64encode(data).decode("ascii")


def _day(d: date) -> str:
    """The UK's long date, as the rest of the app writes it: 1 September 2026."""
    return f"{d.day} {d:%B %Y}"


def _number(value: object) -> str:
    v = float(value)  # type: ignore[arg-type]
    return f"{v:,.0f}" if v.is_integer() else f"{v:,.1f}"


def _table(
    frame: pd.DataFrame, headings: dict[str, str], missing: str, numeric: tuple[str, ...] = ()
) -> str:
    """A table with the given columns under headings in words; a missing cell reads
    `missing` (for suppressed figures, "fewer than 3"), never NaN, <NA> or None."""
    head = "".join(f"<th>{html.escape(h)}</th>" for h in headings.values())
    rows = []
    for _, row in frame.iterrows():
        cells = []
        for col in headings:
            value = row[col]
            if value is None or pd.isna(value):
                cells.append(f"<td class='hidden'>{html.escape(missing)}</td>")
            elif col in numeric:
                cells.append(f"<td class='n'>{_number(value)}</td>")
            else:
                cells.append(f"<td>{html.escape(str(value))}</td>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"


def _section(heading: str, story: str, body: str = "") -> str:
    return f"<h2>{html.escape(heading)}</h2><p>{html.escape(story)}</p>{body}"


def _headline(figures: list[transfer.Figure], term: Term) -> str:
    def cell(value: float | None, hidden: bool) -> str:
        if hidden:
            return f"<td class='hidden'>{html.escape(charts.HIDDEN_TEXT)}</td>"
        return (
            "<td class='n'>none yet</td>"
            if value is None
            else f"<td class='n'>{_number(value)}</td>"
        )

    rows = "".join(
        f"<tr><td>{html.escape(f.label)}</td>{cell(f.value, f.hidden)}"
        f"{cell(f.previous, f.previous_hidden)}</tr>"
        for f in figures
    )
    previous = previous_term(term).label
    return _section(
        HEADINGS[0],
        narrative.headline_story(figures, previous),
        f"<table><thead><tr><th>Figure</th><th>{html.escape(term.label)}</th>"
        f"<th>{html.escape(previous)}</th></tr></thead><tbody>{rows}</tbody></table>",
    )


def _scope_words(con: Connection, scope: Scope) -> str:
    where = "the whole alliance"
    if scope.school_id is not None:
        row = con.execute("SELECT name FROM schools WHERE school_id = ?", [scope.school_id])
        found = row.fetchall()
        where = f"pairings involving {found[0][0] if found else 'one school'}"
    return where + (f", {scope.area}" if scope.area else ", all skill areas")


def half_term_summary(
    con: Connection, viewer: Viewer, term: Term, scope: Scope = ALLIANCE, as_of: date | None = None
) -> str:
    """The summary as one HTML document (see the module's docstring); preparing it is
    recorded in the audit trail as an export."""
    as_of = as_of or date.today()
    figures = transfer.headline(con, viewer, term, scope, as_of)
    parts = [
        f"<h1>{html.escape(TITLE)}</h1><p>{html.escape(term.label)} ({_day(term.start)} to "
        f"{_day(term.end)}): {html.escape(_scope_words(con, scope))}. Prepared "
        f"{_day(as_of)}.</p>",
        _headline(figures, term),
    ]
    sections: list[Callable[[], str]] = [
        lambda: _outcomes(con, viewer, term, scope),
        lambda: _trend(con, viewer, scope, as_of),
        lambda: _balance(con, viewer, term),
        lambda: _maturity(con, viewer, as_of),
    ]
    parts += [make() for make in sections]
    parts.append(
        f"<p class='note'>Figures resting on fewer than {concepts.HIDDEN_BELOW} "
        f'people read "{html.escape(charts.HIDDEN_TEXT)}" and are left out of the charts, '
        "and so is any figure they could be worked out from.</p>"
    )
    audit.record(con, viewer, "export", {"report": "half-term summary", "term": term.label})
    return (
        "<!doctype html><html lang='en-GB'><head><meta charset='utf-8'>"
        f"<title>Half-term summary: {html.escape(term.label)}</title><style>{_STYLE}</style>"
        "</head><body>" + "".join(parts) + "</body></html>"
    )


def _outcomes(con: Connection, viewer: Viewer, term: Term, scope: Scope) -> str:
    by_school = transfer.outcomes_by(con, viewer, "school", scope, term.start, term.end)
    body = ""
    if not by_school.dropna(subset=["pairings"]).empty:
        title = "Outcomes by receiving school (number of pairings)"
        chart = charts.outcomes_bar(by_school, title)
        body = f'<img alt="{title}" src="{_image(chart, title)}">'
    return _section(HEADINGS[1], narrative.outcomes_story(by_school), body)


def _trend(con: Connection, viewer: Viewer, scope: Scope, as_of: date) -> str:
    trend = transfer.trend_by_term(con, viewer, scope, as_of)
    body = ""
    if not trend.empty:
        title = "Pairings active and evidenced transfers by term (number of pairings)"
        body = f'<img alt="{title}" src="{_image(charts.trend_chart(trend), title)}">'
    return _section(HEADINGS[2], narrative.trend_story(trend), body)


def _balance(con: Connection, viewer: Viewer, term: Term) -> str:
    bal = flows.balance(con, viewer, term.start, term.end)
    headings = {
        "school": "School",
        "hours given": "Hours given",
        "hours received": "Hours received",
        "balance": "Balance (hours)",
        "partners given to": "Schools given to",
        "partners received from": "Schools received from",
        "relationship": "Relationship",
    }
    numeric = tuple(c for c in headings if c not in ("school", "relationship"))
    body = _table(bal, headings, charts.HIDDEN_TEXT, numeric) if not bal.empty else ""
    return _section(HEADINGS[3], narrative.balance_story(bal), body)


def _maturity(con: Connection, viewer: Viewer, as_of: date) -> str:
    stages = maturity.by_school(con, viewer, as_of)
    headings = {"school": "School", **{s: s.capitalize() for s in maturity.STRANDS}}
    return _section(
        HEADINGS[4],
        narrative.maturity_story(stages, maturity.STRANDS),
        _table(stages, headings, "no suggested stage"),
    )
