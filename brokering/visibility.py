"""The visibility rules, once, as SQL predicates every staff query must use.

A partner school's staff member is visible only with their alliance-wide sharing consent;
own-school staff are visible to that school's leaders; leavers are never found or proposed.
Suppression hides cross-school counts that rest on fewer people than the threshold.
"""

from __future__ import annotations

from brokering.settings import SUPPRESSION_THRESHOLD
from brokering.viewer import Viewer


def visible_staff_sql(
    viewer: Viewer, alias: str = "st", *, include_leavers: bool = False
) -> tuple[str, list[object]]:
    """A WHERE fragment (and its parameters) selecting the staff rows `viewer` may see.

    Aggregate-only roles get a predicate that matches nobody: they are refused lists
    elsewhere, and this keeps any forgotten query from leaking rows. Leavers are never found
    or proposed; only records (exports, history) ask for them with `include_leavers`.
    """
    if viewer.aggregate_only:
        return "FALSE", []
    if viewer.sees_everyone:
        return ("TRUE" if include_leavers else f"({alias}.left_on IS NULL)"), []
    if viewer.school_id:
        return (
            f"({alias}.left_on IS NULL AND ({alias}.school_id = ? OR {alias}.share_consent))",
            [viewer.school_id],
        )
    return f"({alias}.left_on IS NULL AND {alias}.share_consent)", []


def may_show(count, threshold: int = SUPPRESSION_THRESHOLD):  # noqa: ANN001, ANN201
    """Whether a figure resting on `count` people may be shown: none at all, or at least the
    threshold. Works on one count or on a whole numpy/pandas column at once."""
    return (count == 0) | (count >= threshold)


def suppress(count: int | None, threshold: int = SUPPRESSION_THRESHOLD) -> int | None:
    """None (shown as 'fewer than N') where a count could single someone out."""
    if count is None:
        return None
    return count if may_show(count, threshold) else None
