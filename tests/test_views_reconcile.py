"""The two views of giving and receiving — the reciprocity ledger (JPD pairings page) and the
flows on the Transfer evidence page — agree where their definitions meet: pairings given by
one school to another, counted over agreed or later pairings."""

from __future__ import annotations

from datetime import date

from brokering.dashboard import flows
from brokering.pairings import ledger
from tests.test_dashboard import dash  # noqa: F401 - the shared fixture


def test_pairings_between_schools_agree(dash, admin) -> None:  # noqa: F811
    matrix = flows.flow_matrix(dash, admin, date(2025, 9, 1), date(2027, 8, 31))
    cross = matrix[matrix["giver"] != matrix["receiver"]]
    from_flows = {(r.giver, r.receiver): int(r.pairings) for r in cross.itertuples() if r.pairings}
    rel = ledger.school_relationships(dash, admin)
    from_ledger = {}
    for r in rel.itertuples():
        if r.pairings_a_to_b:
            from_ledger[(r.school_a, r.school_b)] = int(r.pairings_a_to_b)
        if r.pairings_b_to_a:
            from_ledger[(r.school_b, r.school_a)] = int(r.pairings_b_to_a)
    assert from_flows == from_ledger == {("B", "A"): 2, ("C", "B"): 1, ("A", "B"): 1}


def test_each_view_says_what_it_counts() -> None:
    assert "reciprocity ledger" in flows.BALANCE_COUNTS
    assert "Transfer evidence" in ledger.COUNTS
