# ruff: noqa: S608 - the SQL fragments below are code constants; every value is a parameter.
"""Hours against outcome: benefit against transaction cost — concluded pairings by hours
invested and outcome, over all time, cut from one hours band x area table as the outcomes
are cut from theirs (`outcomes._view`; a school's view beside the alliance's:
`school_tables.school_view`), and weighed against the headline's figures over all areas
(`chart_hiding.totals_unshown`) and for each area (`hours_cover.areas_unshown`); a school's
view against the school's own headline (`school_hours`)."""

from __future__ import annotations

from datetime import date

import pandas as pd

from brokering.dashboard.chart_hiding import totals_unshown
from brokering.dashboard.facts import ALLIANCE, Facts, Scope, facts, scoped
from brokering.dashboard.hours_cover import areas_unshown
from brokering.dashboard.outcomes import HOUR_BANDS, _view
from brokering.dashboard.school_hours import shown_where_told, told_totals
from brokering.dashboard.school_tables import school_view
from brokering.db import Connection
from brokering.viewer import Viewer


def _hours_cells(f: Facts, school_id: str | None) -> tuple[str, list[object]]:
    """Hours against outcome's table (pairing_id, outcome, r: hours band, k: area, np) for
    the alliance or one school, and its parameters."""
    where, values = scoped(f, Scope(school_id=school_id))
    band = " ".join(
        f"WHEN p.hours >= {lo} AND p.hours < {hi} THEN '{label}'" for lo, hi, label in HOUR_BANDS
    )
    cells = f"""
        SELECT * FROM (
            SELECT p.pairing_id, p.status AS outcome, CASE {band} END AS r, p.area AS k,
                   p.people AS np
            FROM {f.pairings} p
            WHERE p.status IN ('transferred', 'not transferred') AND {where}
        ) WHERE r IS NOT NULL
    """
    return cells, values


def hours_against_outcome(
    con: Connection, viewer: Viewer, scope: Scope = ALLIANCE, as_of: date | None = None
) -> pd.DataFrame:
    """Benefit against transaction cost: concluded pairings by hours invested and outcome,
    suppressed with the same bands in each skill area (an hours band x area table). Its
    outcomes' totals are over all time: hidden with their cells where the headline (as of
    `as_of`, today by default) leaves them shown nowhere (`chart_hiding.totals_unshown`),
    and an area's with one of its cells where the headline hides that area's figure in one
    term alone (`hours_cover.areas_unshown`)."""
    f = facts(con)
    cells, values = _hours_cells(f, scope.school_id)
    as_of = as_of or date.today()

    def unshown(on: Connection = con) -> frozenset[str]:
        return totals_unshown(on, viewer, as_of)

    def by_area(on: Connection = con) -> frozenset[tuple[str, str]]:
        return areas_unshown(on, viewer, as_of)

    if scope.school_id is not None and not viewer.sees_everyone:  # beside the alliance's
        whole = _hours_cells(f, None)
        view = (cells, values)
        # The alliance's side works out `by_area` beside the school's own reads.
        got = school_view(con, f, viewer, scope, view, whole, 1, False, unshown, as_of, by_area)
        # An outcome's one band hidden beside the rest shown, their total told by the
        # school's headline term by term: shown (`school_hours`).
        return hours_laid_out(
            shown_where_told(
                got, lambda: told_totals(con, viewer, scope.school_id, scope.area, as_of)
            )
        )
    # The areas' totals are worked out on a cursor of their own beside the chart's read;
    # the outcomes' are asked of the headline only where they could change what is hidden
    # (an outcome with no cell hidden, or with one band: `hours_cover.bare`), in the view
    # of one area as over all (its cells add up to the total too).
    got = _view(con, f, viewer, cells, values, 1, scope.area, unshown=unshown, force=by_area)
    return hours_laid_out(got)


def hours_laid_out(got: pd.DataFrame) -> pd.DataFrame:
    """The hours chart's rows from its suppressed cells: every band and both outcomes (a
    band with no pairings 0), a hidden cell missing — drawn hidden, never as 0."""
    got = got.assign(pairings=got["pairings"].astype("Int64").where(~got["hidden"], pd.NA))
    got = got.set_index(["row", "outcome"])
    rows = []
    for _lo, _hi, label in HOUR_BANDS:
        for outcome in ("transferred", "not transferred"):
            n = got.at[(label, outcome), "pairings"] if (label, outcome) in got.index else 0
            rows.append({"hours": label, "outcome": outcome, "pairings": n})
    out = pd.DataFrame(rows)
    out["pairings"] = out["pairings"].astype("Int64")
    return out
