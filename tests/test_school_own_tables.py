"""The School filter's one statement for a school's side of a table chart
(`school_tables.own_tables`) gives what its parts give apart: the school's own table is
`school_tables.grid`'s (same rows, order and types), its cells' weighing is
`chart_hiding.across_schools`', and its rows' and columns' totals say whether the work
elsewhere rests on anyone the viewer cannot see — for each head, the governor and the SLE
coordinator, every school, the outcomes (a term's and all time's) and the hours chart, over
all areas and one; and after a change of consent, at once (the staff list is read live)."""

from __future__ import annotations

from datetime import date

import pandas as pd

from brokering.consent import set_consent
from brokering.dashboard import hours, outcomes
from brokering.dashboard.chart_hiding import across_schools
from brokering.dashboard.facts import ALLIANCE, Scope, facts, unseen_sql
from brokering.dashboard.school_tables import GRID_COLUMNS, grid, own_tables
from brokering.db import Connection
from brokering.viewer import Viewer, operator
from tests.conftest import TINY_TODAY

START, END = date(2026, 9, 1), date(2026, 12, 31)
KEYS = ["outcome", "r", "k"]


def _rows(con: Connection, sql: str, params: list | None = None) -> list[tuple]:
    return con.execute(sql, params or []).fetchall()


def _viewers(schools: list[str]) -> list[Viewer]:
    heads = [Viewer("headteacher", s, f"head-{s}") for s in schools]
    return [*heads, Viewer("viewer", None, "governor"), Viewer("sle_coordinator", None, "sle")]


def _charts(con: Connection, school: str, area: str | None) -> list[tuple]:
    """(the school's cells, the alliance's, whether the rows are schools) per chart."""
    f = facts(con)
    scope = Scope(school, area)
    return [
        (
            outcomes._outcome_cells(f, scope, START, END),
            outcomes._outcome_cells(f, ALLIANCE, START, END),
            True,
        ),
        (
            outcomes._outcome_cells(f, scope, None, None),
            outcomes._outcome_cells(f, ALLIANCE, None, None),
            True,
        ),
        (hours._hours_cells(f, school), hours._hours_cells(f, None), False),
    ]


def _totals(con: Connection, viewer: Viewer, school: str, whole: tuple) -> set[tuple]:
    """The totals restated: per (outcome, r) and (outcome, k) of the school's cells with work
    elsewhere, 1 where a pairing of that work has someone the viewer cannot see."""
    f = facts(con)
    cells = con.execute(whole[0], whole[1]).df()
    mine = {
        r[0] for r in _rows(con, f"SELECT pairing_id FROM {f.people} WHERE school_id = ?", [school])
    }  # noqa: S608
    unseen, params = unseen_sql(viewer, "m", listed=True)
    hidden = {
        r[0] for r in _rows(con, f"SELECT pairing_id FROM {f.people} m WHERE {unseen}", params)
    }  # noqa: S608
    here = cells["pairing_id"].isin(mine)
    out = set()
    for level, key in ((1, "r"), (2, "k")):
        ours = set(zip(cells.loc[here, "outcome"], cells.loc[here, key], strict=True))
        away = cells[~here]
        for (o, v), group in away.groupby(["outcome", key]):
            if (o, v) in ours:
                e = int(group["pairing_id"].isin(hidden).any())
                out.add((o, v if level == 1 else None, v if level == 2 else None, level, e))
    return out


def _check(con: Connection, most: int) -> None:
    """Every viewer's own tables against their parts, for the `most` schools with the most
    staff (and their heads)."""
    f = facts(con)
    areas = [
        None,
        *(r[0] for r in _rows(con, f"SELECT DISTINCT area FROM {f.pairings} ORDER BY 1 LIMIT 1")),
    ]  # noqa: S608
    schools = [
        r[0] for r in _rows(con, "SELECT school_id FROM staff GROUP BY 1 ORDER BY count(*) DESC, 1")
    ][:most]
    for viewer in _viewers(schools):
        for school in schools:
            for area in areas:
                for cells, whole, rows_are_schools in _charts(con, school, area):
                    own, levels = own_tables(con, f, viewer, school, cells, whole, rows_are_schools)
                    apart = grid(con, f, viewer, *cells, rows_are_schools)
                    pd.testing.assert_frame_equal(own[GRID_COLUMNS], apart[GRID_COLUMNS])
                    weighed = across_schools(con, f, viewer, school, *whole, KEYS)
                    a, b = (
                        x.sort_values(KEYS, ignore_index=True)[
                            [*KEYS, "part", "elsewhere", "unseen"]
                        ]
                        for x in (levels[0], weighed)
                    )
                    pd.testing.assert_frame_equal(a, b, check_dtype=False)
                    got = {
                        (o, r, k, int(lv), int(e))
                        for lv in (1, 2)
                        for o, r, k, e in levels[lv][["outcome", "r", "k", "elsewhere"]].itertuples(
                            index=False
                        )
                    }
                    got = {
                        (o, r if lv == 1 else None, k if lv == 2 else None, lv, e)
                        for o, r, k, lv, e in got
                    }
                    assert got == _totals(con, viewer, school, whole), (viewer, school, area)


def test_own_tables_are_their_parts_on_the_demo_alliance(demo: Connection) -> None:
    _check(demo, 3)


def test_own_tables_follow_a_change_of_consent_at_once(tiny: Connection) -> None:
    _check(tiny, 9)
    refs = [r[0] for r in _rows(tiny, "SELECT staff_ref FROM staff WHERE share_consent ORDER BY 1")]
    for ref in refs[:2]:
        set_consent(tiny, operator("test"), ref, False, on=TINY_TODAY)
        _check(tiny, 9)
