"""`school_parts.by_part` counts a school's figures per part (its pairings with exactly one
set of schools) in Python from one small read: held equal, over random alliances and every
role, to the figures' own SQL (`transfer_figures.figures_by_area`) over the same pairings —
and with `rest`, over those of them off the viewer's pairings page (`unlisted.unlisted_where`),
as the rule weighs them for a head or the SLE coordinator."""

from __future__ import annotations

from hypothesis import example, given

from brokering.dashboard import school_parts
from brokering.dashboard.facts import ALLIANCE, facts
from brokering.dashboard.hiding import ADDITIVE
from brokering.dashboard.transfer_figures import figures_by_area
from brokering.dashboard.unlisted import unlisted_where
from brokering.db import Connection
from tests import test_headline_area_properties as area_model
from tests.test_headline_school_cases import BETWEEN_TWO_OTHERS, HEAD_D_LISTS_THE_REST
from tests.test_headline_school_properties import PROPERTY

PERIODS = [(area_model.TERM.start, area_model.TERM.end)]


def _same(con: Connection, a: dict, rest: bool = False) -> None:
    f = facts(con)
    for viewer in area_model.roles(a):
        if viewer.sees_everyone:
            continue
        off, off_params = unlisted_where(f, viewer) if rest else ("TRUE", [])
        for school in a["schools"]:
            parts = school_parts.by_part(
                con, f, school, PERIODS, area_model.AS_OF, viewer, rest=rest
            )
            for part, areas in parts.items():
                schools = part.split(",")
                assert school in schools
                # The pairings with exactly these schools: each of them, and no other (with
                # `rest`, those of them off the viewer's page).
                where = (
                    f"p.pairing_id IN (SELECT pairing_id FROM {f.people} GROUP BY pairing_id "
                    f"HAVING list_sort(list(DISTINCT school_id)) = ?) AND {off}",
                    [sorted(schools), *off_params],
                )
                sql = figures_by_area(
                    con, f, ALLIANCE, PERIODS, area_model.AS_OF, viewer, True, where
                )
                for area, figs in areas.items():
                    for key in ADDITIVE:
                        if key == "active":
                            continue
                        want = sql[area][0][key]
                        got = figs[0].get(key, (None if key == "hours" else 0, 0))
                        assert got == want or (not got[0] and not want[0] and got[1] == want[1]), (
                            viewer,
                            school,
                            part,
                            area,
                            key,
                            got,
                            want,
                        )


@PROPERTY
@given(a=area_model.alliances())
@example(a=BETWEEN_TWO_OTHERS)
@example(a=HEAD_D_LISTS_THE_REST)
def test_parts_counted_as_the_figures_count_them(store: Connection, a: dict) -> None:
    if not a["pairings"]:
        return
    area_model.load(store, a)
    _same(store, a)
    _same(store, a, rest=True)
