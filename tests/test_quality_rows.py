"""The rows behind each data-quality warning (issue 23): what the count counts, listed as
the viewer may see it — everything for the data manager, own school and consenting
partners for a head, nothing for a governor (counts only)."""

from __future__ import annotations

import pandas as pd
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


def test_rows_name_schools_and_skills_and_keep_dates_as_dates(tiny, admin) -> None:
    # A date kept as a date sorts by date on the page ("10 Sep" text would sort before "5 Dec");
    # a school by its name and a skill by its name, never their codes.
    tiny.execute("UPDATE staff SET left_on = DATE '2026-09-10' WHERE staff_ref = 'B3'")
    tiny.execute(
        "INSERT INTO needs (need_id, staff_ref, skill_id, priority, wanted_role, raised_on, "
        "status) VALUES ('N9', 'B3', 'mathematics', 'high', 'coach', DATE '2026-09-01', 'open')"
    )
    rows = overview.quality_warning_rows(tiny, admin, "needs_of_leavers")
    assert list(rows.columns) == ["Reference", "School", "Left on", "Need reference"]
    assert set(rows["School"]) == {"Birch Academy"} and "N9" in set(rows["Need reference"])
    assert pd.api.types.is_datetime64_any_dtype(rows["Left on"].dtype)
    for key in overview.CHECKS:
        frame = overview.quality_warning_rows(tiny, admin, key)
        assert not frame.get("School", pd.Series(dtype=object)).isin(["A", "B", "C"]).any(), key
