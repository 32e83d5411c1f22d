"""A store whose find parts were built before they recorded `newest` and `ranked_at`
(migration 096): upgraded in place, its parts stay on the fast path with the same answers.

Before 096 such a store read as "not built" after the upgrade, so every find took the slow
path until someone re-imported or ran `optimise`."""

from __future__ import annotations

from datetime import timedelta

from brokering.db import Connection, migrate
from brokering.find import find_expertise, maintenance
from brokering.find.maintenance import META, PARTS
from brokering.find.parts_sql import parts_query
from brokering.importing import import_paths
from brokering.scoring import DEFAULT_PARAMS
from brokering.viewer import operator
from tests.conftest import TINY_TODAY

ADMIN = operator("test")


def _as_before_096(con: Connection) -> None:
    """The parts as the earlier layout built them: epoch at the newest record, s1 measured
    to it, and no `newest` or `ranked_at` column; migration 096 not yet applied."""
    maintenance.optimise(con)
    newest = maintenance.parts_status(con, TINY_TODAY).newest
    sql, values = parts_query(DEFAULT_PARAMS, newest, ranked_at=newest)
    con.execute(f"CREATE TEMP TABLE _old AS {sql}", values)  # noqa: S608
    con.execute(f"DELETE FROM {PARTS}")  # noqa: S608
    con.execute(f"INSERT INTO {PARTS} SELECT * FROM _old ORDER BY skill_id, s1 DESC, staff_ref")  # noqa: S608
    con.execute("DROP TABLE _old")
    con.execute(f"UPDATE {META} SET epoch = ?", [newest])  # noqa: S608
    con.execute(f"ALTER TABLE {META} DROP COLUMN newest")
    con.execute(f"ALTER TABLE {META} DROP COLUMN ranked_at")
    con.execute("DELETE FROM schema_version WHERE version = 96")


def _finds(con: Connection, as_of) -> dict[str, object]:
    out = {}
    for skill in ("maths", "phonics", "behaviour"):
        result = find_expertise(con, ADMIN, skill, as_of=as_of)
        out[skill] = (result.stored_parts, result.rows.round(9).reset_index(drop=True))
    return out


def test_an_older_layout_is_upgraded_in_place_and_stays_fast(tiny: Connection) -> None:
    _as_before_096(tiny)
    assert maintenance.parts_status(tiny, TINY_TODAY).reason == "not built"  # the old code's view
    assert migrate(tiny) == [96]
    status = maintenance.parts_status(tiny, TINY_TODAY)
    assert status.usable, status.reason
    assert status.newest == status.ranked_at == status.epoch
    later = TINY_TODAY + timedelta(days=30)
    stored = _finds(tiny, later)
    assert all(used for used, _ in stored.values())
    maintenance.drop_find_parts(tiny)
    live = _finds(tiny, later)
    assert not any(used for used, _ in live.values())
    for skill, (_, frame) in stored.items():
        assert frame.equals(live[skill][1]), skill


def test_a_write_after_the_upgrade_keeps_the_parts_current(tiny: Connection, tiny_dir) -> None:
    _as_before_096(tiny)
    migrate(tiny)
    epoch = maintenance.parts_status(tiny, TINY_TODAY).epoch
    (tiny_dir / "evidence.csv").write_text(
        "staff_ref,skill,evidence_type,strength,date,recorded_by\n"
        f"B3,Mathematics,observation,4,{epoch.isoformat()},B1\n"
    )
    assert import_paths(tiny, [tiny_dir / "evidence.csv"], ADMIN, today=TINY_TODAY).ok
    status = maintenance.parts_status(tiny, TINY_TODAY)
    assert status.usable, status.reason
    result = find_expertise(tiny, ADMIN, "maths", as_of=TINY_TODAY)
    assert result.stored_parts
    assert result.rows.set_index("staff_ref").loc["B3", "evidence_count"] == 2
