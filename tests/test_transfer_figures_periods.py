# ruff: noqa: F811 - `dash` is the fixture imported from test_dashboard
"""The Transfer page's figures read for many periods in one pass are each period's figures
read alone: however many periods, the people's flags packed into one word or several
(`transfer_figures._packed`) count the same people."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from brokering.dashboard.facts import Scope, facts
from brokering.dashboard.transfer_figures import _packed, figures_by_area, figures_split
from brokering.viewer import Viewer
from tests.test_dashboard import AS_OF, dash  # noqa: F401 - the fixture

VIEWERS = [
    Viewer("viewer", None, "governor"),
    Viewer("headteacher", "A", "head"),
    Viewer("alliance_admin", None, "admin"),
]


def _months(n: int) -> list[tuple[date, date]]:
    """n windows of a month (overlapping each other's edges), from 2025-09-01 on."""
    start = date(2025, 9, 1)
    return [(start + timedelta(days=30 * k), start + timedelta(days=30 * k + 34)) for k in range(n)]


@pytest.mark.parametrize("n", [1, 7, 10, 11, 12, 22, 25, 40])
def test_the_packing_keeps_each_flag_its_own_bits(n: int) -> None:
    words, packed = _packed(n)
    bits = {flag: (i, range(shift, shift + n)) for flag, (i, shift) in packed.items()}
    assert all(shift + n <= 63 for _, shift in packed.values())  # a signed BIGINT's bits
    for flag, (i, own) in bits.items():
        for other, (j, theirs) in bits.items():
            if other != flag and i == j:
                assert not set(own) & set(theirs)
    assert len(words) == len({i for i, _ in packed.values()})


@pytest.mark.parametrize("n", [3, 12, 25, 40])
@pytest.mark.parametrize("viewer", VIEWERS, ids=lambda v: v.role)
def test_many_periods_read_together_are_each_period_read_alone(dash, viewer, n) -> None:
    f = facts(dash)
    periods = _months(n)
    together = figures_by_area(dash, f, Scope(), periods, AS_OF, viewer)
    for k, period in enumerate(periods):
        alone = figures_by_area(dash, f, Scope(), [period], AS_OF, viewer)
        for area, figures in alone.items():
            assert together[area][k] == figures[0], (area, k)
        # An area with no pairing in this period is listed for the others: all zero.
        for area in set(together) - set(alone):
            assert all(
                not v[0] and not v[1] for v in together[area][k].values() if v[0] is not None
            )


@pytest.mark.parametrize("n", [3, 25])
@pytest.mark.parametrize("viewer", VIEWERS[:2], ids=lambda v: v.role)
def test_a_school_split_read_together_is_each_period_read_alone(dash, viewer, n) -> None:
    f = facts(dash)
    periods = _months(n)
    together = figures_split(dash, f, "A", periods, AS_OF, viewer)
    for k, period in enumerate(periods):
        alone = figures_split(dash, f, "A", [period], AS_OF, viewer)
        for part, (figures, _) in alone.items():
            for area, figs in figures.items():
                assert together[part][0][area][k] == figs[0], (part, area, k)
