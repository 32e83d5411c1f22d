"""The reciprocity ledger: what each school and each person gives and receives.

Counted over pairings that were at least agreed (a proposal has given nothing yet):
- *pairings given / received*: pairings in which the school (person) is on the donor /
  recipient side;
- *hours given / received*: person-hours from the log. Each entry's hours count for every
  participant present (its `who`, or everyone in the pairing when `who` is blank). With the
  flow "donor to recipient" donors give and recipients receive; "recipient to donor" (what
  flows back) is the reverse; "both ways" counts as given and received for everyone present.

School-to-school relationships pair each two schools: a relationship is *reciprocal* when
each has given the other something (a pairing as donor, or hours), *one-way* otherwise.
A row resting on fewer people the viewer cannot see than the threshold is hidden, and so are
the rows it could be worked back from, and a cover for each listed pairing's unnamed side
(`ledger_suppression`, `ledger_cover`).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

import numpy as np
import pandas as pd

from brokering import derived
from brokering.db import Connection, query_df, writing
from brokering.derived import Relations
from brokering.pairings import ledger_cover, ledger_suppression
from brokering.pairings.ledger_facts import LEDGER
from brokering.viewer import Viewer
from brokering.visibility import visible_staff_sql

#: What the ledger counts, for the page beside it (the Transfer evidence page's "given and
#: received" counts hours differently; docs/PAIRINGS.md, "Two views of giving and receiving").
COUNTS = (
    "Pairings given and received count every agreed or later pairing, over all time. Hours "
    "are person-hours from the pairing logs: an entry's hours count once for each colleague "
    "present, in the direction the time went. The Transfer evidence page's \"given and "
    "received\" counts each pairing's logged, cover and travel hours and coaching hours in one "
    "term instead, so its hours differ; pairings between two schools are counted the same way."
)


def _viewer_cte(con: Connection, viewer: Viewer) -> tuple[str, list[object], Relations]:
    """The ledger's derived tables (current with the data) and CTEs over them for `viewer`:
    `un` (the staff they cannot see one by one, read live, so consent counts at once) and `cm`
    (the counted pairings' participants with a `visible` flag)."""
    un, params = _unseen_cte(viewer)
    rel = derived.relations(con, LEDGER)
    members = rel["members"]
    cte = f"{un}, cm AS (SELECT m.*, {_seen(viewer, 'm')} AS visible FROM {members} m)"  # noqa: S608
    return cte, params, rel


def _unseen_cte(viewer: Viewer) -> tuple[str, list[object]]:
    """The CTE `un` (the staff `viewer` cannot see one by one, read live, so consent counts
    at once), materialised once, and its parameters: the one definition every ledger read
    looks people up in. Why the unseen and not the seen: at national scale most staff share,
    so the table each lookup builds is a quarter the size (a lookup of 193,000 participants:
    about 27 -> 16 ms). An aggregate-only role sees no one and looks no one up (`_seen`)."""
    if viewer.aggregate_only:
        return "un AS (SELECT NULL::VARCHAR AS staff_ref WHERE FALSE)", []
    vis, params = visible_staff_sql(viewer, "st")
    sql = f"un AS MATERIALIZED (SELECT st.staff_ref FROM staff st WHERE NOT coalesce({vis}, FALSE))"  # noqa: S608
    return sql, params


def _seen(viewer: Viewer, alias: str) -> str:
    """Whether `alias`.staff_ref (never NULL: a participant is on the staff list) is someone
    the viewer sees one by one (not in `un`): never, for an aggregate-only role — said as a
    constant, so no one is looked up."""
    if viewer.aggregate_only:
        return "FALSE"
    return f"{alias}.staff_ref NOT IN (SELECT staff_ref FROM un)"  # noqa: S608


def person_ledger(con: Connection, viewer: Viewer) -> pd.DataFrame:
    """One row per person the viewer can see who took part in a counted pairing."""
    viewer.require_listing()
    cte, params, rel = _viewer_cte(con, viewer)
    sql = f"""
    WITH {cte},
    roles AS (
        SELECT staff_ref, count(DISTINCT pairing_id) FILTER (WHERE side = 'donor') AS pg,
          count(DISTINCT pairing_id) FILTER (WHERE side = 'recipient') AS pr
        FROM cm WHERE visible GROUP BY staff_ref),
    hours AS (
        SELECT staff_ref, sum(given) AS hg, sum(received) AS hr
        FROM {rel["hours"]} h WHERE {_seen(viewer, "h")} GROUP BY staff_ref)
    SELECT r.staff_ref, sc.name AS school, r.pg AS pairings_given, r.pr AS pairings_received,
      coalesce(h.hg, 0) AS hours_given, coalesce(h.hr, 0) AS hours_received,
      coalesce(h.hg, 0) - coalesce(h.hr, 0) AS balance
    FROM roles r LEFT JOIN hours h USING (staff_ref) JOIN staff st USING (staff_ref)
    JOIN schools sc ON sc.school_id = st.school_id
    ORDER BY sc.name, r.staff_ref
    """  # noqa: S608
    return query_df(con, sql, params)


def _blank(frame: pd.DataFrame, keep: pd.Series, cols: list[str]) -> pd.DataFrame:
    """The frame with `cols` (and the people count) missing on rows not kept."""
    frame, hide = frame.copy(), ~keep.to_numpy(bool)
    for col in [*cols, "people"]:
        kind = "Float64" if col.startswith(("hours", "balance")) else "Int64"
        frame[col] = _masked(frame[col], kind, hide)
    return frame


def _masked(column: pd.Series, kind: str, hide: np.ndarray) -> pd.api.extensions.ExtensionArray:
    """`column` as `kind` (Int64, Float64) with the rows in `hide` missing. From numpy's
    int64 or float64 (what the reads give) the masked array is made at once — what astype
    would make, a NaN missing too — rather than converted and then written into (at
    national scale about 100,000 rows, five columns)."""
    dtype = column.dtype
    if kind == "Int64" and dtype == np.int64:
        return pd.arrays.IntegerArray(column.to_numpy(np.int64, copy=True), hide.copy())
    if kind == "Float64" and dtype == np.float64:
        values = column.to_numpy(np.float64, copy=True)
        return pd.arrays.FloatingArray(values, hide | np.isnan(values))
    values = column.astype(kind).array.copy()  # (on the array: no indexer to build)
    values[hide] = pd.NA
    return values


_SCHOOL_COLS = ["pairings_given", "pairings_received", "hours_given", "hours_received", "balance"]
_PAIR_COLS = ["pairings_a_to_b", "pairings_b_to_a", "hours_a_to_b", "hours_b_to_a"]


def school_ledger(con: Connection, viewer: Viewer) -> pd.DataFrame:
    """One row per school: pairings and person-hours given and received, and the balance —
    hidden where they could single someone out, in this view or by subtraction from the
    relationships view (see `ledger_suppression`)."""
    return school_views(con, viewer)[0]


def school_views(con: Connection, viewer: Viewer) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(by school, by relationship), suppressed together: what `school_ledger` and
    `school_relationships` return, for one reading of the store."""
    rel = derived.relations(con, LEDGER)
    covers = None
    with _snapshot(con) as cur:
        schools = _school_raw(cur, viewer, rel)
        with _places(cur, schools) as order:
            pairs = _relationships_raw(cur, viewer, rel, schools, order)
            if ledger_cover.lists(viewer):  # each listed pairing's unnamed side keeps a cover
                # One read of who the viewer cannot see, for the schools', the relationships'
                # and the covers' figures alike (the administrator sees everyone).
                seen = _unseen_cte(viewer), _seen(viewer, "x"), order
                got = ledger_cover.read(cur, viewer, rel, seen, len(schools), pairs)
                covers, schools["hidden"], pairs["hidden"] = got
                pairs["a_open"], pairs["b_open"] = covers.a_open, covers.b_open
    schools["gives"] = (schools["pairings_given"] > 0) | (schools["hours_given"] > 0)
    schools["gets"] = (schools["pairings_received"] > 0) | (schools["hours_received"] > 0)
    keep_s, keep_p = ledger_suppression.shown(schools, pairs, viewer, covers=covers)
    by_school = _blank(schools, keep_s, _SCHOOL_COLS)
    by_school = by_school.drop(columns=["hidden", "by_id", "gives", "gets"])
    by_pair = _blank(pairs, keep_p, _PAIR_COLS)
    by_pair["relationship"] = by_pair["relationship"].where(keep_p.to_numpy(), pd.NA)
    return by_school, by_pair.drop(columns=["hidden", "a_open", "b_open", "a_at", "b_at"])


@contextmanager
def _snapshot(con: Connection) -> Iterator[Connection]:
    """A connection whose reads all see the store as of one moment: the school views' reads
    are three statements whose rows are matched by place and whose unseen people must be
    those of the figures beside them, so a write committed between two of them must not
    show in one and not the other. A cursor of its own in one transaction (so no other
    thread's statement on `con` joins it); inside a write transaction of this thread, `con`
    itself (its reads already share one snapshot, with the write's own changes)."""
    if writing():
        yield con
        return
    cur = con.cursor()
    try:
        cur.execute("BEGIN TRANSACTION")
        yield cur
        cur.execute("ROLLBACK")  # (nothing was written)
    finally:
        cur.close()


#: The CTE `ord`: each school's place in the ledger's order (`pos`: hub first, then by name,
#: as the by-school view is listed) and in code order (`by_id`) — worked out in the by-school
#: read (the later reads take it from that read's rows: `_places`) so that the suppression's
#: passes find a row by number, not by looking its code up.
_ORDER = """ord AS (SELECT school_id, name, is_hub,
    row_number() OVER (ORDER BY is_hub DESC, name, school_id) - 1 AS pos,
    row_number() OVER (ORDER BY school_id) - 1 AS by_id FROM schools)"""


@contextmanager
def _places(cur: Connection, schools: pd.DataFrame) -> Iterator[str]:
    """The CTE `ord` for the reads after the first, taken from the by-school read `schools`
    (in place order, with `by_id`) rather than worked out again: the window over the
    national alliance's 23,000 schools by name cost about 12 ms in each read that made it.
    The frame is registered on `cur` (the snapshot's own connection) for those reads only."""
    name = f"ledger_ord_{threading.get_ident()}"
    frame = pd.DataFrame(
        {
            "school_id": schools["school_id"].array,
            "pos": np.arange(len(schools), dtype=np.int64),
            "by_id": schools["by_id"].to_numpy(np.int64),
        }
    )
    cur.register(name, frame)
    try:
        yield f"ord AS (SELECT school_id, pos, by_id FROM {name})"  # noqa: S608
    finally:
        cur.unregister(name)


def school_relationships(con: Connection, viewer: Viewer) -> pd.DataFrame:
    """One row per two schools that worked together across a pairing: what each gave the
    other, and whether the relationship is reciprocal or one-way — hidden consistently with
    the by-school view (see `ledger_suppression`)."""
    return school_views(con, viewer)[1]


def _school_raw(con: Connection, viewer: Viewer, rel: Relations) -> pd.DataFrame:
    """One row per school, unsuppressed, with its people and how many the viewer cannot see:
    for an aggregate-only role, who sees no one, every person (the totals' `people`); for
    anyone else 0 here, filled in from the viewer's own read (`ledger_cover.read`)."""
    hidden = "t.people" if viewer.aggregate_only else "0"
    sql = f"""
    WITH {_ORDER}
    SELECT sc.school_id, sc.name AS school, coalesce(t.pg, 0) AS pairings_given,
      coalesce(t.pr, 0) AS pairings_received, coalesce(t.hg, 0) AS hours_given,
      coalesce(t.hr, 0) AS hours_received, coalesce(t.hg, 0) - coalesce(t.hr, 0) AS balance,
      coalesce(t.people, 0) AS people, coalesce({hidden}, 0) AS hidden, sc.by_id
    FROM ord sc LEFT JOIN {rel["school_totals"]} t USING (school_id)
    ORDER BY sc.pos
    """  # noqa: S608
    return query_df(con, sql)


def _relationships_raw(
    con: Connection, viewer: Viewer, rel: Relations, schools: pd.DataFrame, order: str
) -> pd.DataFrame:
    """One row per two schools linked by a counted pairing or hours, unsuppressed, with each
    school's place in the by-school view `schools` (`a_at`, `b_at`; `order`: the CTE `ord`,
    each school's place, from `_places`). The schools' codes and names are taken from
    `schools` by those places, not read again: at national scale turning 200,000 names into
    Python strings cost more than the rest of the read.

    How many people the viewer cannot see (`hidden`), and whether school_a (school_b) gives
    in it as a donor resting on someone unseen (`a_open`, `b_open`: a direction the viewer
    could add up from their own lists gives no cover, `ledger_suppression` rule 3): for an
    aggregate-only role, who sees no one, every person and every direction with a pairing;
    for anyone else none here, filled in from the viewer's own read (`ledger_cover.read`)."""
    agg = viewer.aggregate_only
    hidden = "t.people" if agg else "0"
    a_open, b_open = ("t.pairings_a_to_b > 0", "t.pairings_b_to_a > 0") if agg else ("FALSE",) * 2
    sql = f"""
    WITH {order}
    SELECT t.pairings_a_to_b, t.pairings_b_to_a, t.hours_a_to_b, t.hours_b_to_a, t.people,
      {hidden} AS hidden, {a_open} AS a_open, {b_open} AS b_open,
      sa.pos AS a_at, sb.pos AS b_at
    FROM {rel["pair_totals"]} t
    JOIN ord sa ON sa.school_id = t.a JOIN ord sb ON sb.school_id = t.b
    ORDER BY sa.by_id, sb.by_id
    """  # noqa: S608
    frame = query_df(con, sql)
    ids, names = schools["school_id"].array, schools["school"].array
    a_at, b_at = frame["a_at"].to_numpy(np.int64), frame["b_at"].to_numpy(np.int64)
    none = np.empty(0, object)  # no rows: the columns' type is what a read of none gives
    for i, (col, values, at) in enumerate(
        (("school_a", ids, a_at), ("school_a_name", names, a_at))
        + (("school_b", ids, b_at), ("school_b_name", names, b_at))
    ):
        frame.insert(i, col, values.take(at) if len(frame) else none)
    a_gives = ((frame["pairings_a_to_b"] > 0) | (frame["hours_a_to_b"] > 0)).to_numpy(bool)
    b_gives = ((frame["pairings_b_to_a"] > 0) | (frame["hours_b_to_a"] > 0)).to_numpy(bool)
    label = np.where(a_gives & b_gives, 0, np.where(a_gives, 1, 2))
    # (taken from the three labels, not made one by one; an empty list for no rows: the
    # column's type then is what it always was)
    frame["relationship"] = _LABELS.take(label) if len(frame) else []
    return frame


_LABELS = pd.array(["reciprocal", "one-way: A gives", "one-way: B gives"], dtype="str")


def chart_frame(ledger: pd.DataFrame) -> pd.DataFrame:
    """Long form for a chart: one row per school and direction (given / received) of hours,
    suppressed figures left out."""
    long = ledger.melt(
        id_vars=["school"],
        value_vars=["hours_given", "hours_received"],
        var_name="direction",
        value_name="hours",
    )
    long["direction"] = long["direction"].map(
        {"hours_given": "given", "hours_received": "received"}
    )
    return long.dropna(subset=["hours"]).reset_index(drop=True)
