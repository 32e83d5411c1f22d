"""Transfer evidence: headline figures with change since the previous term, and the data
behind each chart. Built from `facts.pairing_facts`; suppressed before it leaves here."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandas as pd

from brokering.dashboard.facts import (
    ALLIANCE,
    Scope,
    active_between,
    guarded,
    pairing_facts,
    people_in,
    ts,
)
from brokering.db import Connection
from brokering.terms import Term, previous_term, term_of, terms_between
from brokering.viewer import Viewer

FINAL = ("transferred", "not transferred", "stopped")


@dataclass(frozen=True)
class Figure:
    """A headline number, the same number for the previous term, and what it rests on."""

    key: str
    label: str
    value: float | None
    previous: float | None
    people: int
    help: str

    @property
    def change(self) -> float | None:
        if self.value is None or self.previous is None:
            return None
        return self.value - self.previous


def _period_figures(frame: pd.DataFrame, start: date, end: date, as_of: date) -> dict:
    concluded = frame[frame["concluded_on"].between(ts(start), ts(end))]
    transferred = concluded[concluded["status"] == "transferred"]
    judged = concluded[concluded["status"].isin(["transferred", "not transferred"])]
    days = [
        (r.first_evidence - r.start_date).days
        for r in transferred.itertuples()
        if not pd.isna(r.first_evidence)
    ]
    cutoff = min(end, as_of)
    overdue = frame[
        (~frame["status"].isin(FINAL))
        & frame["review_date"].notna()
        & (frame["review_date"] < ts(cutoff))
        & frame["first_evidence"].isna()
        & (frame["start_date"] <= ts(cutoff))
    ]
    active = frame[active_between(frame, start, end)]
    return {
        "active": (len(active), people_in(active)),
        "transferred": (len(transferred), people_in(transferred)),
        "rate": (
            (len(transferred) / len(judged) * 100) if len(judged) else None,
            people_in(judged),
        ),
        "median_days": (float(pd.Series(days).median()) if days else None, people_in(transferred)),
        "hours_per_transfer": (
            (float(concluded["hours"].sum()) / len(transferred)) if len(transferred) else None,
            people_in(concluded),
        ),
        "overdue": (len(overdue), people_in(overdue)),
    }


_LABELS = {
    "active": ("Pairings active", "Pairings running at some point in the term."),
    "transferred": (
        "Evidenced transfers",
        "Pairings whose recipient was seen doing the "
        "practice by someone else, after the start, concluded this term.",
    ),
    "rate": (
        "Transfer rate (%)",
        "Evidenced transfers as a share of pairings judged this "
        "term (transferred or not transferred).",
    ),
    "median_days": (
        "Median days to evidence",
        "From the start of the pairing to the first qualifying observation.",
    ),
    "hours_per_transfer": (
        "Hours per evidenced transfer",
        "Hours logged plus cover and "
        "travel, over pairings concluded this term, per evidenced transfer.",
    ),
    "overdue": (
        "Overdue reviews",
        "Open pairings past their review date with no transfer evidence yet.",
    ),
}


def headline(
    con: Connection, viewer: Viewer, term: Term, scope: Scope = ALLIANCE, as_of: date | None = None
) -> list[Figure]:
    """The six headline figures for a term beside the previous term's."""
    as_of = as_of or date.today()
    frame = pairing_facts(con, viewer, scope)
    now = _period_figures(frame, term.start, term.end, as_of)
    before_term = previous_term(term)
    before = _period_figures(frame, before_term.start, before_term.end, as_of)
    out = []
    for key, (label, help_text) in _LABELS.items():
        value, people = now[key]
        prev, prev_people = before[key]
        out.append(
            Figure(
                key,
                label,
                guarded(value, people, viewer),
                guarded(prev, prev_people, viewer),
                people,
                help_text,
            )
        )
    return out


def outcomes_by(
    con: Connection,
    viewer: Viewer,
    by: str,
    scope: Scope = ALLIANCE,
    start: date | None = None,
    end: date | None = None,
) -> pd.DataFrame:
    """Pairings per outcome, by recipient school (`by="school"`) or by skill area
    (`by="area"`), long format for a stacked bar; small cells suppressed."""
    frame = pairing_facts(con, viewer, scope)
    if start and end:
        frame = frame[frame["start_date"] <= ts(end)]
        frame = frame[frame["concluded_on"].isna() | (frame["concluded_on"] >= ts(start))]
    frame = frame.assign(outcome=frame["status"].where(frame["status"].isin(FINAL), "open"))
    if by == "school":
        frame = frame.explode("recipient_schools").rename(columns={"recipient_schools": "group"})
        names = dict(con.execute("SELECT school_id, name FROM schools").fetchall())
        frame["group"] = frame["group"].map(lambda s: names.get(s, s))
    else:
        frame = frame.rename(columns={"area": "group"})
    rows = []
    for (group, outcome), cell in frame.groupby(["group", "outcome"]):
        rows.append(
            {
                "group": group,
                "outcome": outcome,
                "pairings": guarded(len(cell), people_in(cell), viewer),
            }
        )
    out = pd.DataFrame(rows, columns=["group", "outcome", "pairings"])
    out["pairings"] = out["pairings"].astype("Int64")
    return out.sort_values(["group", "outcome"]).reset_index(drop=True)


def ratings_before_after(con: Connection, viewer: Viewer, scope: Scope = ALLIANCE) -> pd.DataFrame:
    """Recipients' observation ratings before and after, averaged by skill area where the
    area rests on enough people."""
    frame = pairing_facts(con, viewer, scope)
    frame = frame[frame["rating_before"].notna() & frame["rating_after"].notna()]
    rows = []
    for area, cell in frame.groupby("area"):
        people = people_in(cell)
        before = guarded(round(float(cell["rating_before"].mean()), 2), people, viewer)
        after = guarded(round(float(cell["rating_after"].mean()), 2), people, viewer)
        if before is None:
            continue
        rows += [
            {"area": area, "when": "before", "rating": before, "pairings": len(cell)},
            {"area": area, "when": "after", "rating": after, "pairings": len(cell)},
        ]
    return pd.DataFrame(rows, columns=["area", "when", "rating", "pairings"])


HOUR_BANDS = [(0, 6, "under 6 h"), (6, 12, "6-12 h"), (12, 24, "12-24 h"), (24, 10_000, "24 h+")]


def hours_against_outcome(con: Connection, viewer: Viewer, scope: Scope = ALLIANCE) -> pd.DataFrame:
    """Benefit against transaction cost: concluded pairings by hours invested and outcome."""
    frame = pairing_facts(con, viewer, scope)
    frame = frame[frame["status"].isin(["transferred", "not transferred"])]
    rows = []
    for lo, hi, label in HOUR_BANDS:
        band = frame[(frame["hours"] >= lo) & (frame["hours"] < hi)]
        for outcome in ("transferred", "not transferred"):
            cell = band[band["status"] == outcome]
            rows.append(
                {
                    "hours": label,
                    "outcome": outcome,
                    "pairings": guarded(len(cell), people_in(cell), viewer),
                }
            )
    out = pd.DataFrame(rows)
    out["pairings"] = out["pairings"].astype("Int64")
    return out


def trend_by_term(
    con: Connection,
    viewer: Viewer,
    scope: Scope = ALLIANCE,
    as_of: date | None = None,
    terms: int = 6,
) -> pd.DataFrame:
    """Per term: pairings active, evidenced transfers and the transfer rate."""
    as_of = as_of or date.today()
    frame = pairing_facts(con, viewer, scope)
    first = frame["start_date"].min().date() if len(frame) else as_of
    span = terms_between(max(first, date(as_of.year - 3, 1, 1)), as_of)[-terms:]
    rows = []
    for term in span:
        figs = _period_figures(frame, term.start, term.end, as_of)
        rows.append(
            {
                "term": term.label,
                "start": term.start.isoformat(),
                "pairings active": guarded(figs["active"][0], figs["active"][1], viewer),
                "evidenced transfers": guarded(
                    figs["transferred"][0], figs["transferred"][1], viewer
                ),
                "transfer rate (%)": guarded(figs["rate"][0], figs["rate"][1], viewer),
            }
        )
    return pd.DataFrame(rows)


def current_term(as_of: date | None = None) -> Term:
    return term_of(as_of or date.today())
