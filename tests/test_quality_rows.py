"""The rows behind each data-quality warning (issue 23): what the count counts, listed as
the viewer may see it — everything for the data manager, own school and consenting
partners for a head, nothing for a governor (counts only)."""

from __future__ import annotations

import pytest

from brokering import overview
from brokering.errors import PermissionDenied
from brokering.viewer import Viewer


def test_every_warning_lists_as_many_rows_as_it_counts(tiny, admin) -> None:
    tiny.execute("UPDATE staff SET capacity_hours = 0 WHERE staff_ref = 'A1'")
    warnings = overview.quality_warnings(tiny)
    assert warnings
    for w in warnings:
        assert len(overview.quality_warning_rows(tiny, admin, w.key)) == w.count, w.key


def test_rows_follow_the_visibility_rules(tiny) -> None:
    tiny.execute("UPDATE staff SET share_consent = FALSE WHERE staff_ref = 'B1'")
    head_a = Viewer("headteacher", "A", "head-a")
    refs = set(overview.quality_warning_rows(tiny, head_a, "no_evidence")["Reference"])
    assert refs == {"A1"}  # B1 is at a partner school and does not share
    with pytest.raises(PermissionDenied):
        overview.quality_warning_rows(tiny, Viewer("viewer", None, "gov"), "no_evidence")
