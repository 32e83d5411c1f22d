"""Pandas mirrors of the reciprocity ledger's two views (`ledger.school_views`), for the
harness: a governor's, and an SLE coordinator's or a head's (those who list pairings).

Given the same precomputation as the product — the ledger's derived totals by school and by two
schools (`ledger_facts.LEDGER`: `school_totals`, `pair_totals`), held in memory with the
schools' names and order — the mirror only lays the two views out and suppresses them, by the
product's own `ledger_suppression.shown`, called (its rule 5, a cover for each listed pairing's
unnamed side, `ledger_cover`, weighs nothing for a governor, who lists no pairing; the product
reads none for one either). So it does no counting the product does not
also have done already: the ratio beside it measures what the product's reading of its derived
tables costs over frames in memory, not a second way of counting.

For a viewer who lists pairings the mirror also holds the derived participants (`members`: each
counted pairing's people, their side and school) and the people of each two schools (`joint`),
read once as codes, and is given which people the viewer cannot see one by one (as a page is,
by the product's own `visibility.visible_staff_sql`, outside the timing) and which schools
they can tell they see whole (`placing.ALL_SHARE_SQL`, as `dashboard_charts.whole_schools`).
In numpy it counts each school's and each two schools' unseen people, each relationship's
directions resting on someone unseen, and the unnamed sides of the listed pairings (rule 5's
`ledger_cover.Covers`, restated: the product has that read only in SQL); the suppression is
the product's own `ledger_suppression.shown` (with `ledger_cover.plan` and `apply` inside),
called. Nothing here is used by the app."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from brokering import derived
from brokering.db import Connection
from brokering.pairings import ledger_suppression
from brokering.pairings.ledger_cover import Covers
from brokering.pairings.ledger_facts import LEDGER
from brokering.placing import ALL_SHARE_SQL
from brokering.viewer import Viewer
from brokering.visibility import visible_staff_sql

_SCHOOL_COLS = ["pairings_given", "pairings_received", "hours_given", "hours_received", "balance"]
_PAIR_COLS = ["pairings_a_to_b", "pairings_b_to_a", "hours_a_to_b", "hours_b_to_a"]


@dataclass
class LedgerFrames:
    schools: pd.DataFrame  # school_id, school (name), in the ledger's order (hub first, name)
    totals: pd.DataFrame  # school_id, pg, pr, hg, hr, people
    pairs: pd.DataFrame  # a, b, pairings and hours each way, people; ordered by a, b
    staff: pd.Index  # the participants' staff_ref, by code
    by_id: np.ndarray  # per school (ledger order): its place in code order
    a_at: np.ndarray  # per relationship: its schools' places in the ledger's order
    b_at: np.ndarray
    m_pairing: np.ndarray  # per participant row (`members`): pairing code, staff code,
    m_staff: np.ndarray  # side (0 donor, 1 recipient) and school (its place)
    m_side: np.ndarray
    m_school: np.ndarray
    j_pair: np.ndarray  # per `joint` row: its relationship (-1: none listed), staff code
    j_staff: np.ndarray


def load_ledger_frames(con: Connection) -> LedgerFrames:
    """The ledger's derived tables and the schools, read once as codes (outside any timing)."""
    rel = derived.relations(con, LEDGER)
    schools = con.execute(
        "SELECT school_id, name AS school FROM schools ORDER BY is_hub DESC, name, school_id"
    ).df()
    totals = con.execute(f"SELECT * FROM {rel['school_totals']}").df()  # noqa: S608
    pairs = con.execute(f"SELECT * FROM {rel['pair_totals']} ORDER BY a, b").df()  # noqa: S608
    members = con.execute(f"SELECT * FROM {rel['members']}").df()  # noqa: S608
    joint = con.execute(f"SELECT a, b, staff_ref FROM {rel['joint']}").df()  # noqa: S608
    place = pd.Index(schools["school_id"])
    n = len(place)
    by_id = np.empty(n, np.int64)
    by_id[np.argsort(schools["school_id"].to_numpy(), kind="stable")] = np.arange(n)
    a_at, b_at = place.get_indexer(pairs["a"]), place.get_indexer(pairs["b"])
    staff = pd.Index(pd.unique(members["staff_ref"]))
    rows = pd.Index(a_at.astype(np.int64) * n + b_at)
    j_key = place.get_indexer(joint["a"]).astype(np.int64) * n + place.get_indexer(joint["b"])
    return LedgerFrames(
        schools,
        totals,
        pairs,
        staff,
        by_id,
        a_at.astype(np.int64),
        b_at.astype(np.int64),
        pd.factorize(members["pairing_id"])[0].astype(np.int64),
        staff.get_indexer(members["staff_ref"]).astype(np.int64),
        (members["side"] == "recipient").to_numpy(np.int64),
        place.get_indexer(members["school_id"]).astype(np.int64),
        rows.get_indexer(j_key).astype(np.int64),
        staff.get_indexer(joint["staff_ref"]).astype(np.int64),
    )


def unseen_staff(con: Connection, lf: LedgerFrames, viewer: Viewer) -> np.ndarray:
    """Per participant (code): whether the viewer cannot see them one by one — by the
    product's own `visible_staff_sql`, outside the timing (the precomputation a page is
    given)."""
    vis, params = visible_staff_sql(viewer, "st")
    sql = f"SELECT staff_ref FROM staff st WHERE {vis}"  # noqa: S608 - code fragment
    seen = lf.staff.get_indexer(con.execute(sql, params).df()["staff_ref"])
    out = np.ones(len(lf.staff), bool)
    out[seen[seen >= 0]] = False
    return out


def whole_places(con: Connection, lf: LedgerFrames, viewer: Viewer) -> np.ndarray:
    """Per school (ledger order): one the viewer can tell they see every member of
    (`placing.whole_sql`: their own, or one whose every member shares), outside the timing."""
    whole = {r[0] for r in con.execute(ALL_SHARE_SQL).fetchall()} | {viewer.school_id}
    return lf.schools["school_id"].isin(whole).to_numpy(bool)


def _blank(frame: pd.DataFrame, keep: np.ndarray, cols: list[str]) -> pd.DataFrame:
    for col in [*cols, "people"]:
        frame[col] = frame[col].astype(
            "Float64" if col.startswith(("hours", "balance")) else "Int64"
        )
        frame.loc[~keep, col] = pd.NA
    return frame


def _school_frame(lf: LedgerFrames, hidden: np.ndarray | None) -> pd.DataFrame:
    """The by-school rows, unsuppressed: the governor's `hidden` is everyone (None)."""
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
    schools["hidden"] = schools["people"] if hidden is None else hidden
    schools["gives"] = (schools["pairings_given"] > 0) | (schools["hours_given"] > 0)
    schools["gets"] = (schools["pairings_received"] > 0) | (schools["hours_received"] > 0)
    return schools


def _pair_frame(
    lf: LedgerFrames, hidden: np.ndarray | None, a_open: np.ndarray, b_open: np.ndarray
) -> pd.DataFrame:
    """The by-relationship rows, unsuppressed, with each school's place (`a_at`, `b_at`)."""
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
            "hidden": p["people"] if hidden is None else hidden,
            "a_open": a_open,
            "b_open": b_open,
            "a_at": lf.a_at,
            "b_at": lf.b_at,
        }
    )
    a_gives = ((pairs["pairings_a_to_b"] > 0) | (pairs["hours_a_to_b"] > 0)).to_numpy()
    b_gives = ((pairs["pairings_b_to_a"] > 0) | (pairs["hours_b_to_a"] > 0)).to_numpy()
    label = np.where(
        a_gives & b_gives, "reciprocal", np.where(a_gives, "one-way: A gives", "one-way: B gives")
    ).astype(object)
    pairs["relationship"] = label if len(pairs) else []  # (no rows: the product's type)
    return pairs


def _suppressed(
    schools: pd.DataFrame, pairs: pd.DataFrame, viewer: Viewer, covers: Covers | None
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Both views suppressed together by the product's own `ledger_suppression.shown`."""
    keep_s, keep_p = ledger_suppression.shown(schools, pairs, viewer, covers=covers)
    by_school = _blank(schools, keep_s.to_numpy(bool), _SCHOOL_COLS)
    by_pair = _blank(pairs, keep_p.to_numpy(bool), _PAIR_COLS)
    by_pair["relationship"] = by_pair["relationship"].where(keep_p.to_numpy(), pd.NA)
    return (
        by_school.drop(columns=["hidden", "gives", "gets", "by_id"], errors="ignore"),
        by_pair.drop(columns=["hidden", "a_open", "b_open", "a_at", "b_at"]),
    )


def school_views_governor(lf: LedgerFrames, viewer: Viewer) -> tuple[pd.DataFrame, pd.DataFrame]:
    """`ledger.school_views` for an aggregate-only viewer: (by school, by relationship)."""
    p = lf.pairs
    pairs = _pair_frame(lf, None, p["pairings_a_to_b"] > 0, p["pairings_b_to_a"] > 0)
    return _suppressed(_school_frame(lf, None), pairs, viewer, None)


def _distinct_count(
    group: np.ndarray, staff: np.ndarray, n_groups: int, n_staff: int
) -> np.ndarray:
    """Per group code: how many distinct staff codes it holds (`count(DISTINCT staff_ref)`)."""
    keys = np.unique(group * n_staff + staff)
    return np.bincount(keys // n_staff, minlength=n_groups)


def school_views_lists(
    lf: LedgerFrames, viewer: Viewer, unseen: np.ndarray, whole: np.ndarray
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """`ledger.school_views` for a viewer who lists pairings (an SLE coordinator, a head):
    `unseen` per participant code (`unseen_staff`), `whole` per school (`whole_places`)."""
    n, n_staff, n_pairs = len(lf.schools), len(lf.staff), len(lf.pairs)
    u = unseen[lf.m_staff]
    hid_s = _distinct_count(lf.m_school[u], lf.m_staff[u], n, n_staff)
    ju = unseen[lf.j_staff] & (lf.j_pair >= 0)
    hid_p = _distinct_count(lf.j_pair[ju], lf.j_staff[ju], n_pairs, n_staff)
    # Each direction giver -> receiver of a pairing resting on someone unseen (either side).
    m = pd.DataFrame({"p": lf.m_pairing, "s": lf.m_school, "u": u})
    donor, recipient = m[lf.m_side == 0], m[lf.m_side == 1]
    d = donor.merge(recipient, on="p", suffixes=("_d", "_r"))
    d = d[(d["s_d"] != d["s_r"]) & (d["u_d"] | d["u_r"])]
    opened = pd.Index(np.unique(d["s_d"].to_numpy(np.int64) * n + d["s_r"].to_numpy(np.int64)))
    a_open = opened.get_indexer(lf.a_at * n + lf.b_at) >= 0
    b_open = opened.get_indexer(lf.b_at * n + lf.a_at) >= 0
    # The unnamed sides of the listed pairings (`ledger_cover.read`): each unseen
    # participant's (pairing, side, school) beside each school of someone seen in it.
    side_u = pd.DataFrame({"p": lf.m_pairing[u], "side": lf.m_side[u], "at": lf.m_school[u]})
    side_u = side_u.drop_duplicates()
    named = m.loc[~u, ["p", "s"]].drop_duplicates()
    needs = side_u.merge(named, on="p")[["at", "side", "s"]].drop_duplicates()
    open_s = np.zeros((n, 2), bool)
    open_s[lf.m_school[u], lf.m_side[u]] = True
    covers = Covers(
        at=needs["at"].to_numpy(np.int64),
        side=needs["side"].to_numpy(np.int64),
        named=needs["s"].to_numpy(np.int64),
        whole=whole,
        open_s=open_s,
        a_open=a_open,
        b_open=b_open,
    )
    schools = _school_frame(lf, hid_s)
    schools["by_id"] = lf.by_id
    pairs = _pair_frame(lf, hid_p, a_open, b_open)
    return _suppressed(schools, pairs, viewer, covers)
