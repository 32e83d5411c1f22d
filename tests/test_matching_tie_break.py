"""One answer whatever the route (issue 24): at the pool limit, the stored-parts route and
the route that scores from the evidence keep the same people, in the same order — score to
one decimal, then confidence, then latest evidence, then reference (docs/SCORING.md) —
over random stores full of exact ties."""

from __future__ import annotations

import dataclasses
from datetime import timedelta
from functools import cache

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from brokering.db import Connection
from brokering.find import maintenance
from brokering.importing import import_paths
from brokering.matching.params import DEFAULT_MATCH_PARAMS
from brokering.matching.pool import _direct_scores
from brokering.scoring import DEFAULT_PARAMS
from brokering.store import open_store
from brokering.viewer import operator
from tests.conftest import TINY, TINY_TODAY

ADMIN = operator("test")
SKILL = "questioning"  # no evidence in the tiny alliance: the examples' people only


@cache
def _base() -> Connection:
    con = open_store(":memory:")
    assert import_paths(con, [TINY], ADMIN, today=TINY_TODAY).ok
    return con


# A person's records: few choices, so many people share a score, a confidence or a date.
record = st.tuples(
    st.sampled_from(("observation", "self-assessment")),
    st.sampled_from((3, 4)),
    st.sampled_from((10, 200)),
)
person = st.lists(record, min_size=1, max_size=2)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(person, min_size=4, max_size=14), st.integers(2, 6))
def test_both_routes_keep_the_same_people_in_the_same_order(people, limit) -> None:
    con = _base()
    con.execute("DELETE FROM evidence WHERE recorded_by = 'tie-test'")
    con.execute("DELETE FROM staff WHERE staff_ref LIKE 'T%'")
    for i, records in enumerate(people):
        ref = f"T{i:03d}"
        con.execute(
            "INSERT INTO staff (staff_ref, school_id, role, phases, subjects, share_consent)"
            " VALUES (?, ?, 'teacher', ['KS2'], [], TRUE)",
            [ref, "ABC"[i % 3]],
        )
        for kind, strength, age in records:
            con.execute(
                "INSERT INTO evidence (staff_ref, skill_id, evidence_type, strength, date,"
                " recorded_by) VALUES (?, ?, ?, ?, ?, 'tie-test')",
                [ref, SKILL, kind, strength, TINY_TODAY - timedelta(days=age)],
            )
    params = dataclasses.replace(DEFAULT_MATCH_PARAMS, pool_limit=limit)
    maintenance.build_find_parts(con)
    stored, _ = _direct_scores(con, ADMIN, SKILL, TINY_TODAY, params, DEFAULT_PARAMS)
    maintenance.drop_find_parts(con)
    scanned, _ = _direct_scores(con, ADMIN, SKILL, TINY_TODAY, params, DEFAULT_PARAMS)
    assert stored.index.tolist() == scanned.index.tolist()
    ordered = stored.reset_index().sort_values(
        ["direct_score", "practice_confidence", "latest_evidence", "staff_ref"],
        ascending=[False, False, False, True],
    )
    assert ordered["staff_ref"].tolist() == stored.index.tolist()
