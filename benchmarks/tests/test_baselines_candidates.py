"""The numpy mirror of "candidates for one need" (benchmarks.baselines.candidates) lists the
same people, in the same order, with the same match scores and the same proposable verdicts
as the product, on the harness's smoke data set (pairings and all), for an administrator and
for a school's leader — so the benchmark's ratio compares two equal answers."""

from __future__ import annotations

from datetime import timedelta

import pytest

from benchmarks.baselines import candidates as mirror
from benchmarks.generate import AS_OF, ensure_dataset
from brokering.db import Connection, note_change
from brokering.find import maintenance
from brokering.importing import import_paths
from brokering.matching.candidates import candidates_for_need
from brokering.matching.params import MatchParams
from brokering.store import open_store
from brokering.viewer import Viewer, operator

#: A pool small enough that the smoke set's skills fill it (national scale uses 200).
PARAMS = MatchParams(pool_limit=12)


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Connection:
    data, _ = ensure_dataset("smoke", work_dir=tmp_path_factory.mktemp("bench"))
    tables = ("schools", "staff", "evidence", "coaching", "needs", "pairings", "pairing_evidence")
    con = open_store(":memory:")
    report = import_paths(con, [data / f"{t}.csv" for t in tables], operator("t"), today=AS_OF)
    assert report.ok, [str(p) for p in report.problems[:5]]
    maintenance.optimise(con)
    yield con
    con.close()


def _listing(frame) -> list[tuple]:
    return [tuple(r) for r in frame[["staff_ref", "match_score", "proposable"]].itertuples(False)]


def _lapse_requests_to_leaders(con: Connection, need_ids: list[str]) -> None:
    """Requests to the two leading proposable candidates of the first need that has three
    lapsed unanswered, often enough to flag them as possibly unavailable: both lists must
    place them lower."""
    for need_id in need_ids:
        listed = candidates_for_need(con, operator("t"), need_id, as_of=AS_OF, params=PARAMS)
        proposable = listed.frame[listed.frame["proposable"]]
        if len(proposable) >= 3:
            break
    else:
        raise AssertionError("no need with three proposable candidates")
    for _, r in proposable.head(2).iterrows():
        for k in range(3):
            con.execute(
                "INSERT INTO match_requests (need_id, coach_ref, coach_school_id, coachee_ref, "
                "skill_id, mode, hours, source, status, requested_by, requested_role, reply_by) "
                "SELECT need_id, ?, ?, staff_ref, skill_id, 'coaching', 6, 'list', 'lapsed', "
                "'t', 'alliance_admin', ? FROM needs WHERE need_id = ?",
                [r["staff_ref"], r["school_id"], AS_OF - timedelta(days=10 + k), need_id],
            )
    # Written behind the write paths: the change mark moves as every product write moves it,
    # or the lists remembered above would still be served.
    note_change(con)


def test_the_mirror_lists_what_the_product_lists(store: Connection) -> None:
    needs = store.execute(
        "SELECT n.need_id, st.school_id FROM needs n JOIN staff st USING (staff_ref) "
        "WHERE n.status = 'open' AND st.left_on IS NULL ORDER BY n.need_id LIMIT 40"
    ).fetchall()
    _lapse_requests_to_leaders(store, [n for n, _ in needs])
    frames = mirror.load_match_frames(store, AS_OF)
    compared = 0
    for need_id, school_id in needs:
        for viewer in (operator("t"), Viewer("headteacher", school_id)):
            try:
                mine = mirror.candidates(frames, viewer, need_id, as_of=AS_OF, params=PARAMS)
            except mirror.Unsupported:
                continue
            theirs = candidates_for_need(store, viewer, need_id, as_of=AS_OF, params=PARAMS)
            assert _listing(mine) == _listing(theirs.frame), (need_id, viewer.role)
            compared += 1
    assert compared >= 20  # most needs' skills fill a pool of 12 on the smoke set
