"""A pandas mirror of the reciprocity ledger's two views for a governor (`ledger.school_views`),
for the harness.

Given the same precomputation as the product — the ledger's derived totals by school and by two
schools (`ledger_facts.LEDGER`: `school_totals`, `pair_totals`), held in memory with the
schools' names and order — the mirror only lays the two views out and suppresses them, by the
product's own `ledger_suppression.shown`, called (its rule 5, a cover for each listed pairing's
unnamed side, `ledger_cover`, weighs nothing for a governor, who lists no pairing; the product
reads none for one either). So it does no counting the product does not
also have done already: the ratio beside it measures what the product's reading of its derived
tables costs over frames in memory, not a second way of counting. Nothing here is used by the
app."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from brokering import derived
from brokering.db import Connection
from brokering.pairings import ledger_suppression
from brokering.pairings.ledger_facts import LEDGER
from brokering.viewer import Viewer

_SCHOOL_COLS = ["pairings_given", "pairings_received", "hours_given", "hours_received", "balance"]
_PAIR_COLS = ["pairings_a_to_b", "pairings_b_to_a", "hours_a_to_b", "hours_b_to_a"]


@dataclass
class LedgerFrames:
    schools: pd.DataFrame  # school_id, school (name), in the ledger's order (hub first, name)
    totals: pd.DataFrame  # school_id, pg, pr, hg, hr, people
    pairs: pd.DataFrame  # a, b, pairings and hours each way, people; ordered by a, b


def load_ledger_frames(con: Connection) -> LedgerFrames:
    """The ledger's derived totals and the schools, read once (outside any timing)."""
    rel = derived.relations(con, LEDGER)
    schools = con.execute(
        "SELECT school_id, name AS school FROM schools ORDER BY is_hub DESC, name, school_id"
    ).df()
    totals = con.execute(f"SELECT * FROM {rel['school_totals']}").df()  # noqa: S608
    pairs = con.execute(f"SELECT * FROM {rel['pair_totals']} ORDER BY a, b").df()  # noqa: S608
    return LedgerFrames(schools, totals, pairs)


def _blank(frame: pd.DataFrame, keep: np.ndarray, cols: list[str]) -> pd.DataFrame:
    for col in [*cols, "people"]:
        frame[col] = frame[col].astype(
            "Float64" if col.startswith(("hours", "balance")) else "Int64"
        )
        frame.loc[~keep, col] = pd.NA
    return frame


def school_views_governor(lf: LedgerFrames, viewer: Viewer) -> tuple[pd.DataFrame, pd.DataFrame]:
    """`ledger.school_views` for an aggregate-only viewer: (by school, by relationship)."""
    t = lf.schools.merge(lf.totals, on="school_id", how="left")
    schools = pd.DataFrame(
        {
            "school_id": t["school_id"],
            "school": t["school"],
            "pairings_given": t["pg"].fillna(0),
            "pairings_received": t["pr"].fillna(0),
            "hours_given": t["hg"].fillna(0),
            "hours_received": t["hr"].fillna(0),
            "balance": t["hg"].fillna(0) - t["hr"].fillna(0),
            "people": t["people"].fillna(0),
        }
    )
    schools["hidden"] = schools["people"]  # a governor sees no one one by one
    schools["gives"] = (schools["pairings_given"] > 0) | (schools["hours_given"] > 0)
    schools["gets"] = (schools["pairings_received"] > 0) | (schools["hours_received"] > 0)
    names = lf.schools.set_index("school_id")["school"]
    p = lf.pairs
    pairs = pd.DataFrame(
        {
            "school_a": p["a"],
            "school_a_name": names.reindex(p["a"]).to_numpy(object),
            "school_b": p["b"],
            "school_b_name": names.reindex(p["b"]).to_numpy(object),
            **{c: p[c] for c in _PAIR_COLS},
            "people": p["people"],
            "hidden": p["people"],
            "a_open": p["pairings_a_to_b"] > 0,
            "b_open": p["pairings_b_to_a"] > 0,
        }
    )
    a_gives = ((pairs["pairings_a_to_b"] > 0) | (pairs["hours_a_to_b"] > 0)).to_numpy()
    b_gives = ((pairs["pairings_b_to_a"] > 0) | (pairs["hours_b_to_a"] > 0)).to_numpy()
    pairs["relationship"] = np.where(
        a_gives & b_gives, "reciprocal", np.where(a_gives, "one-way: A gives", "one-way: B gives")
    ).astype(object)
    keep_s, keep_p = ledger_suppression.shown(schools, pairs, viewer)
    by_school = _blank(schools, keep_s.to_numpy(bool), _SCHOOL_COLS)
    by_pair = _blank(pairs, keep_p.to_numpy(bool), _PAIR_COLS)
    by_pair["relationship"] = by_pair["relationship"].where(keep_p.to_numpy(), pd.NA)
    return (
        by_school.drop(columns=["hidden", "gives", "gets"]),
        by_pair.drop(columns=["hidden", "a_open", "b_open"]),
    )
