"""maintenance.optimise: content unchanged, stored score parts used only while they match
the data and the parameters, and the same answers either way."""

from __future__ import annotations

import dataclasses
from datetime import date, timedelta

import pytest

from brokering.find import depth_by_school, find_expertise, gap_map, maintenance
from brokering.importing import import_paths
from brokering.scoring import DEFAULT_PARAMS
from brokering.viewer import Viewer, operator
from tests.conftest import TINY_TODAY, data_tables

ADMIN = operator("test")


def test_optimise_changes_order_not_content(tiny) -> None:
    before = data_tables(tiny)
    maintenance.optimise(tiny)
    assert data_tables(tiny) == before
    skills = [r[0] for r in tiny.execute("SELECT skill_id FROM evidence").fetchall()]
    assert skills == sorted(skills)


def test_parts_are_used_only_while_current(tiny, tiny_dir) -> None:
    assert maintenance.parts_status(tiny, TINY_TODAY).reason == "not built"
    maintenance.optimise(tiny)
    assert maintenance.parts_status(tiny, TINY_TODAY).usable
    earlier = TINY_TODAY - timedelta(days=400)
    assert not maintenance.parts_status(tiny, earlier).usable  # before the newest record
    other = dataclasses.replace(DEFAULT_PARAMS, half_life_days=100.0)
    assert not maintenance.parts_status(tiny, TINY_TODAY, other).usable
    priors = dataclasses.replace(DEFAULT_PARAMS, prior_weight=5.0)  # applied at query time
    assert maintenance.parts_status(tiny, TINY_TODAY, priors).usable
    (tiny_dir / "evidence.csv").write_text(
        "staff_ref,skill,evidence_type,strength,date,recorded_by\n"
        "B3,Mathematics,observation,4,2026-11-01,B1\n"
    )
    assert import_paths(tiny, [tiny_dir / "evidence.csv"], ADMIN, today=TINY_TODAY).ok
    # A record newer than any the parts held: the small import kept them current itself.
    status = maintenance.parts_status(tiny, TINY_TODAY)
    assert status.usable and status.newest == date(2026, 11, 1)
    assert not maintenance.parts_status(tiny, date(2026, 10, 31)).usable
    result = find_expertise(tiny, ADMIN, "maths", as_of=TINY_TODAY)
    assert result.stored_parts
    assert result.rows.set_index("staff_ref").loc["B3", "evidence_count"] == 2  # the new record
    tiny.execute(  # written behind the parts' back: they no longer match the data
        "INSERT INTO evidence (staff_ref, skill_id, evidence_type, strength, date, recorded_by)"
        " VALUES ('B3', 'mathematics', 'observation', 4, DATE '2026-11-02', 'test')"
    )
    status = maintenance.parts_status(tiny, TINY_TODAY)
    assert not status.usable and status.reason == "data changed since the parts were built"
    result = find_expertise(tiny, ADMIN, "maths", as_of=TINY_TODAY)
    assert not result.stored_parts
    assert result.rows.set_index("staff_ref").loc["B3", "evidence_count"] == 3


def _answers(con, as_of, params=DEFAULT_PARAMS):
    out = {}
    for viewer in (ADMIN, Viewer("senior_leader", "B"), Viewer("headteacher", "A")):
        for skill in ("mathematics", "chemistry", "autism-support"):
            for rank_by in ("practice", "coaching", "blend"):
                rows = find_expertise(
                    con, viewer, skill, as_of=as_of, rank_by=rank_by, params=params
                ).rows
                out[viewer, skill, rank_by] = rows.drop(columns=["latest_evidence"]).round(6)
            out[viewer, skill] = depth_by_school(con, viewer, skill, as_of=as_of, params=params)
    out["gaps"] = gap_map(con, ADMIN, as_of=as_of, params=params)
    return out


@pytest.mark.parametrize("days_later", [0, 365])
def test_stored_and_computed_parts_give_the_same_answers(tiny, days_later) -> None:
    as_of = TINY_TODAY + timedelta(days=days_later)
    computed = _answers(tiny, as_of)
    maintenance.optimise(tiny)
    assert maintenance.parts_status(tiny, as_of).usable
    stored = _answers(tiny, as_of)
    for key, frame in computed.items():
        assert frame.equals(stored[key]), key


def test_drop_find_parts_falls_back_to_the_evidence(tiny) -> None:
    maintenance.optimise(tiny)
    maintenance.drop_find_parts(tiny)
    assert maintenance.parts_status(tiny, TINY_TODAY).reason == "not built"
    assert not find_expertise(tiny, ADMIN, "maths", as_of=TINY_TODAY).stored_parts


def test_derived_tables_stay_out_of_the_data_tables(tiny) -> None:
    from brokering.db import table_counts

    maintenance.optimise(tiny)
    assert not any("find_parts" in t for t in table_counts(tiny))


@pytest.mark.parametrize("days_later", [0, 200, 2000])
def test_the_stored_order_skips_rows_without_changing_the_answer(
    con, days_later, monkeypatch
) -> None:
    """Hundreds of people with mixed evidence: the stored route (which reads only rows whose
    strength at the build date can still reach the top) ranks exactly as the computed one."""
    import random

    from brokering.find import routes

    floors: list[float] = []
    real_floor = routes._score_floor
    monkeypatch.setattr(
        routes, "_score_floor", lambda *a: floors.append(real_floor(*a)) or floors[-1]
    )

    from tests.test_scoring import TODAY, build

    rng = random.Random(7)
    staff = [
        {"ref": f"P{i:03d}", "school": rng.choice("ABC"), "consent": rng.random() < 0.7}
        for i in range(400)
    ]
    types = ["observation", "outcomes", "self-assessment", "peer-endorsement"]
    evidence = [
        (s["ref"], "questioning", rng.choice(types), rng.randint(1, 4), rng.randint(0, 1500))
        for s in staff
        for _ in range(rng.randint(1, 6))
    ]
    build(con, staff, evidence)
    as_of = TODAY + timedelta(days=days_later)
    viewers = (ADMIN, Viewer("senior_leader", "B"), Viewer("sle_coordinator"))

    def ranks():
        return [
            find_expertise(con, v, "questioning", as_of=as_of, top=top)
            .rows[["staff_ref", "practice_score", "confidence"]]
            .round(9)
            for v in viewers
            for top in (5, 20, 120)
        ]

    computed = ranks()
    maintenance.optimise(con)
    assert maintenance.parts_status(con, as_of).ordered
    floors.clear()
    for a, b in zip(computed, ranks(), strict=True):
        assert a.equals(b)
    assert any(f > float("-inf") for f in floors)  # the bound really skipped rows
