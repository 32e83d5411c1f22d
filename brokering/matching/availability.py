""" "Possibly unavailable": coaches whose requests keep lapsing, or whose pairings went quiet.

Why: the commonest way brokering stalls is a coach who has quietly stopped being available —
requests to them lapse, their pairing's log stops. Such a coach is *proposed lower* (after
every other proposable candidate on a need's list; with a lower score in the allocation)
until their own school confirms they are available again. The flag itself is shown only to
the leaders of the coach's own school: to anyone else it would read as a judgement on a
colleague they cannot see the circumstances of.

A coach is flagged, as of a day, when either
- `lapses_to_flag` (alliance setting) of the requests to them lapsed since their school last
  confirmed their availability, or
- they are the donor in an active pairing (active or review due, started) with no log entry
  for `quiet_weeks` (alliance setting), and their school has not confirmed their
  availability within that period.
"""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pandas as pd

from brokering import alliance_settings, audit
from brokering.coaching_records import donor_pairings, pairings_sql
from brokering.db import Connection, query_df, transaction
from brokering.errors import NotFoundError, PermissionDenied
from brokering.viewer import Viewer

ACTIVE_PAIRING = ["active", "review due"]
#: Leaders who see their own school's flags and confirm availability.
SCHOOL_LEADERS = frozenset({"headteacher", "senior_leader"})

_SQL = """
    WITH {among} conf AS (
        SELECT staff_ref, max(confirmed_on) AS confirmed_on
        FROM availability_confirmations WHERE confirmed_on <= ? GROUP BY 1
    ), lapses AS (
        SELECT r.coach_ref AS staff_ref, count(*) AS lapsed_requests
        FROM match_requests r LEFT JOIN conf ON conf.staff_ref = r.coach_ref
        WHERE r.status = 'lapsed' AND r.reply_by < ?
          AND (conf.confirmed_on IS NULL OR r.reply_by >= conf.confirmed_on){r_among}
        GROUP BY 1
    ), last_entry AS (
        SELECT pairing_id, max(date) AS last_date FROM {log} WHERE date <= ? GROUP BY 1
    ), quiet AS (
        SELECT m.staff_ref, count(*) AS quiet_pairings
        FROM {pairings} p
        JOIN {members} m ON m.pairing_id = p.pairing_id AND m.side = 'donor'
        LEFT JOIN last_entry l ON l.pairing_id = p.pairing_id
        LEFT JOIN conf ON conf.staff_ref = m.staff_ref
        WHERE list_contains(?::VARCHAR[], p.status) AND p.start_date <= ?
          AND coalesce(l.last_date, p.start_date) < ?
          AND (conf.confirmed_on IS NULL OR conf.confirmed_on < ?)
        GROUP BY 1
    ), flagged AS (
        SELECT coalesce(lapses.staff_ref, quiet.staff_ref) AS staff_ref,
               coalesce(lapses.lapsed_requests, 0) AS lapsed_requests,
               coalesce(quiet.quiet_pairings, 0) AS quiet_pairings
        FROM lapses FULL OUTER JOIN quiet ON quiet.staff_ref = lapses.staff_ref
    )
    SELECT f.staff_ref, st.school_id, f.lapsed_requests, f.quiet_pairings
    FROM flagged f JOIN {staff} st ON st.staff_ref = f.staff_ref
    WHERE st.left_on IS NULL AND (f.lapsed_requests >= ? OR f.quiet_pairings > 0)
      AND (? IS NULL OR st.school_id = ?)
    ORDER BY st.school_id, f.staff_ref
"""


#: The views `_SQL` reads, for everyone.
_EVERYONE = {
    "among": "",
    "r_among": "",
    "log": "pairing_log",
    "pairings": "pairings",
    "members": "pairing_members",
    "staff": "staff",
}


#: The same relations for a few people only (`among` takes their refs one by one, then
#: the pairing ids they were ever donors in, three times over; `r_among` their refs as a
#: list): their staff rows read by key, and only those pairings' versions, members and log
#: (`coaching_records.pairings_sql`), each read through its index — which gives the same
#: rows for them (an entry never changes pairing).
def _among(refs: int, pairings: int) -> dict[str, str]:
    """`_EVERYONE`'s relations for `refs` people and the `pairings` they were donors in."""
    some = pairings_sql(pairings)
    marks = ", ".join("?" for _ in range(refs)) or "NULL"
    return {
        "among": f"""their_staff AS MATERIALIZED (
            SELECT staff_ref, school_id, left_on FROM staff WHERE staff_ref IN ({marks})
        ), their_pairings AS (SELECT * FROM {some["versions"]}),
        {some["participants"]}, their_members AS (
            SELECT pp.pairing_id, pp.staff_ref, pp.side FROM their_participants pp
            JOIN their_pairings p ON p.pairing_id = pp.pairing_id AND p.version = pp.version
        ), their_log AS (SELECT * FROM {some["entries"]}),""",  # noqa: S608 - code fragments
        "r_among": " AND list_contains(?::VARCHAR[], r.coach_ref)",
        "log": "their_log",
        "pairings": "their_pairings",
        "members": "their_members",
        "staff": "their_staff",
    }


def _flagged(
    con: Connection,
    as_of: date,
    school_id: str | None,
    among: list[str] | None = None,
    pairing_ids: list[str] | None = None,
) -> pd.DataFrame:
    """The flagged coaches (of `school_id`, when given; among the refs `among`, when given:
    the same rule, reading only what concerns them; `pairing_ids` is then
    `coaching_records.donor_pairings(con, among)` when the caller has read it)."""
    quiet_cut = as_of - timedelta(weeks=alliance_settings.get_int(con, "quiet_weeks"))
    listed = sorted(set(among or ()))
    if among is None:
        sql, keys, refs = _SQL.format(**_EVERYONE), [], []
    else:
        ids = donor_pairings(con, listed) if pairing_ids is None else pairing_ids
        sql = _SQL.format(**_among(len(listed), len(ids)))
        keys, refs = [*listed, *ids, *ids, *ids], [listed]
    frame = query_df(
        con,
        sql,
        [
            *keys,
            as_of,
            as_of,
            *refs,
            as_of,
            ACTIVE_PAIRING,
            as_of,
            quiet_cut,
            quiet_cut,
            alliance_settings.get_int(con, "lapses_to_flag"),
            school_id,
            school_id,
        ],
    )
    frame["reason"] = [
        "; ".join(
            ([f"{n} request(s) to them lapsed unanswered"] if n else [])
            + ([f"{q} of their active pairings has gone quiet"] if q else [])
        )
        for n, q in zip(frame["lapsed_requests"], frame["quiet_pairings"], strict=True)
    ]
    return frame


def flagged_refs(
    con: Connection,
    as_of: date | None = None,
    among: list[str] | None = None,
    pairing_ids: list[str] | None = None,
) -> frozenset[str]:
    """Every flagged coach (or those of `among`, read for them alone: one need's candidates
    in milliseconds, where every flag in a national store takes a third of a second), for
    ranking only: never shown to a viewer from this function. `pairing_ids`: as `_flagged`."""
    frame = _flagged(con, as_of or date.today(), None, among, pairing_ids)
    return frozenset(frame["staff_ref"])


def flagged_for(con: Connection, viewer: Viewer, as_of: date | None = None) -> pd.DataFrame:
    """The flagged coaches a viewer may be told about: their own school's, for its headteacher
    and senior leaders; nobody for anyone else (alliance-wide roles included)."""
    if viewer.role not in SCHOOL_LEADERS or not viewer.school_id:
        return _flagged(con, as_of or date.today(), None).iloc[0:0]
    return _flagged(con, as_of or date.today(), viewer.school_id)


def confirm_available(
    con: Connection, viewer: Viewer, staff_ref: str, *, as_of: date | None = None
) -> None:
    """The coach's own school confirms they are available: the flag clears until new lapses
    (or a quiet period after today)."""
    rows = con.execute(
        "SELECT school_id FROM staff WHERE staff_ref = ? AND left_on IS NULL", [staff_ref]
    ).fetchall()
    if not rows:
        raise NotFoundError(f"There is no current member of staff {staff_ref}.")
    if viewer.role not in SCHOOL_LEADERS or viewer.school_id != rows[0][0]:
        raise PermissionDenied(
            "A coach's availability is confirmed by their own school's headteacher or a "
            "senior leader."
        )
    with transaction(con):
        con.execute(
            "INSERT INTO availability_confirmations (staff_ref, school_id, confirmed_on, "
            "confirmed_by) VALUES (?, ?, ?, ?)",
            [staff_ref, rows[0][0], as_of or date.today(), viewer.username],
        )
    audit.record(con, viewer, "availability.confirm", {"staff_ref": staff_ref})


def demote(frame: pd.DataFrame, flagged: frozenset[str]) -> pd.DataFrame:
    """A ranked candidates frame with flagged proposable candidates moved after every other
    proposable one (order otherwise kept) and `rank` renumbered."""
    if frame.empty or not flagged:
        return frame
    order = demoted_order(
        frame["proposable"].to_numpy(bool), frame["staff_ref"].to_numpy(dtype=object), flagged
    )
    if order is None:
        return frame
    out = frame.take(order).reset_index(drop=True)
    out["rank"] = np.arange(1, len(out) + 1)
    return out


def demoted_order(
    proposable: np.ndarray, refs: np.ndarray, flagged: frozenset[str]
) -> np.ndarray | None:
    """Positions of a ranked list with flagged proposable candidates moved after every other
    proposable one (order otherwise kept); None when no one moves. `demote` on a frame, and
    the candidates list on its arrays before it is framed."""
    if not flagged or not len(refs):
        return None
    low = proposable & np.fromiter((r in flagged for r in refs), bool, len(refs))
    if not low.any():
        return None
    return np.argsort(np.where(proposable, np.where(low, 1, 0), 2), kind="stable")


def lower_scores(
    score: np.ndarray, coach: np.ndarray, refs: np.ndarray, flagged: frozenset[str], points: float
) -> np.ndarray:
    """Allocation edge scores with flagged coaches' lowered by `points` (kept above 0)."""
    if not flagged:
        return score
    hit = np.isin(refs[coach], list(flagged))
    return np.where(hit, np.maximum(score - points, 0.1), score)
