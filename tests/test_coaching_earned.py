"""Coaching strength earned from outcomes (issue 20, item 6): a pairing moved to *transferred*
on qualifying evidence counts in its donor's coaching strength like a coaching outcome, *not
transferred* counts gently against, "Why this rank" lists both, and the find's routes (SQL,
stored parts, held rows) agree after the pairing's status changes."""

from __future__ import annotations

from datetime import date

import pytest

from brokering.db import Connection
from brokering.find import explain, find_expertise, maintenance
from brokering.pairings import entries, service
from brokering.pairings.model import EntryDraft, PairingDraft
from brokering.score_parts import explain_coaching
from brokering.scoring import DEFAULT_PARAMS, coaching_scores, to_percent
from brokering.viewer import Viewer
from tests.conftest import TINY_TODAY

SKILL = "questioning"
START = date(2026, 9, 1)
DONOR = "C1"


def _pairing(con: Connection, viewer: Viewer, recipient: str = "A2") -> str:
    draft = PairingDraft(
        donors=(DONOR,),
        recipients=(recipient,),
        skill_id=SKILL,
        work_kind="coaching",
        start_date=START,
        review_date=date(2026, 11, 1),
        status="active",
    )
    pid = service.log_pairing(con, viewer, draft, today=TINY_TODAY)
    service.move(con, viewer, pid, "review due", today=TINY_TODAY)
    return pid


def _observe(con: Connection, viewer: Viewer, pid: str, day: date, rating: int, who: str) -> None:
    entry = EntryDraft(
        "observation", day, hours=1.0, observed_ref=who, recorded_by="slt", rating_after=rating
    )
    entries.add_entry(con, viewer, pid, entry, today=TINY_TODAY)


def _coaching(con: Connection, viewer: Viewer) -> float:
    frame = coaching_scores(con, viewer, SKILL, as_of=TINY_TODAY, staff_refs=[DONOR])
    return float(frame.set_index("staff_ref").loc[DONOR, "coaching_score"])


def _parts(con: Connection) -> list[tuple]:
    return con.execute(
        f"SELECT skill_id, staff_ref, phase, n, round(p_sw, 9), round(c_sw, 9), "
        f"round(c_w, 9), c_n, round(s1, 9) FROM {maintenance.PARTS} ORDER BY ALL"
    ).fetchall()


def _ranked(con: Connection, viewer: Viewer) -> dict[str, float]:
    found = find_expertise(con, viewer, SKILL, as_of=TINY_TODAY, rank_by="coaching", audited=False)
    assert found.stored_parts  # the write kept the fast route
    return dict(zip(found.rows["staff_ref"], found.rows["coaching_score"], strict=True))


def test_a_transferred_pairing_raises_the_donors_coaching_and_is_explained(
    tiny: Connection, admin: Viewer
) -> None:
    before = _coaching(tiny, admin)
    pid = _pairing(tiny, admin)
    _observe(tiny, admin, pid, date(2026, 10, 20), 4, "A2")
    assert _coaching(tiny, admin) == before  # not judged yet: nothing counts
    service.move(tiny, admin, pid, "transferred", today=TINY_TODAY)
    after = _coaching(tiny, admin)
    assert after > before
    parts = explain_coaching(tiny, admin, DONOR, SKILL, as_of=TINY_TODAY)
    row = parts[parts["part"] == f"pairing transferred ({pid})"]
    assert len(row) == 1
    assert row.iloc[0]["strength"] == 4  # the qualifying observation's rating
    assert row.iloc[0]["base_weight"] == DEFAULT_PARAMS.outcome_weight
    assert row.iloc[0]["recency_weight"] == pytest.approx(0.5 ** (31 / 540))
    assert parts["contribution"].sum() == pytest.approx(after, abs=0.05)
    why = explain(tiny, admin, DONOR, SKILL, as_of=TINY_TODAY)
    assert f"pairing transferred ({pid})" in set(why.coaching["part"])
    # The recipient earns nothing: the strength is the donor's.
    recipient = explain_coaching(tiny, admin, "A2", SKILL, as_of=TINY_TODAY)
    assert not recipient["part"].str.startswith("pairing").any()


def test_a_transferred_pairing_in_another_skill_counts_at_the_other_skill_factor(
    tiny: Connection, admin: Viewer
) -> None:
    pid = _pairing(tiny, admin)
    _observe(tiny, admin, pid, date(2026, 10, 20), 3, "A2")
    service.move(tiny, admin, pid, "transferred", today=TINY_TODAY)
    parts = explain_coaching(tiny, admin, DONOR, "mathematics", as_of=TINY_TODAY)
    row = parts[parts["part"] == f"pairing transferred ({pid})"].iloc[0]
    assert row["skill_factor"] == DEFAULT_PARAMS.other_skill_factor


def test_not_transferred_counts_gently_against(tiny: Connection, admin: Viewer) -> None:
    # The donor first earns a good record, so there is something to count against.
    good = _pairing(tiny, admin)
    _observe(tiny, admin, good, date(2026, 10, 20), 4, "A2")
    service.move(tiny, admin, good, "transferred", today=TINY_TODAY)
    before = _coaching(tiny, admin)
    bad = _pairing(tiny, admin, recipient="A3")
    _observe(tiny, admin, bad, date(2026, 10, 22), 2, "A3")
    service.move(tiny, admin, bad, "not transferred", reason="No change seen", today=TINY_TODAY)
    after = _coaching(tiny, admin)
    assert after < before
    parts = explain_coaching(tiny, admin, DONOR, SKILL, as_of=TINY_TODAY)
    row = parts[parts["part"] == f"pairing not transferred ({bad})"].iloc[0]
    assert row["strength"] == DEFAULT_PARAMS.not_transferred_value
    assert row["base_weight"] == pytest.approx(
        DEFAULT_PARAMS.outcome_weight * DEFAULT_PARAMS.not_transferred_weight
    )
    assert row["date"].date() == date(2026, 10, 22)  # its latest log entry
    # Gently: a transferred pairing's weight outweighs four not transferred of the same age.
    assert before - after < 0.5 * (before - to_percent(DEFAULT_PARAMS.coaching_prior_mean))


def test_routes_agree_after_a_pairing_changes_status(tiny: Connection, admin: Viewer) -> None:
    maintenance.optimise(tiny)
    partner = Viewer("senior_leader", "B", "t")
    pid = _pairing(tiny, admin)  # open pairings' writes keep the parts as they are
    assert maintenance.parts_status(tiny, TINY_TODAY).usable
    _observe(tiny, admin, pid, date(2026, 10, 20), 4, "A2")
    for viewer in (admin, partner):
        _ranked(tiny, viewer)  # rows now held in memory from this build
    service.move(tiny, admin, pid, "transferred", today=TINY_TODAY)
    assert maintenance.parts_status(tiny, TINY_TODAY).usable  # the move refreshed the parts
    incremental = _parts(tiny)
    stored = {v.role: _ranked(tiny, v) for v in (admin, partner)}
    assert stored["alliance_admin"][DONOR] == _coaching(tiny, admin)
    # The refresh equals a full build to the same epoch (a full build itself moves the epoch
    # on from the newer record, so its sums differ by one factor and its answers not at all).
    status = maintenance.parts_status(tiny, TINY_TODAY)
    sql, values = maintenance.parts_query(DEFAULT_PARAMS, status.epoch, ranked_at=status.ranked_at)
    fresh = tiny.execute(
        "SELECT skill_id, staff_ref, phase, n, round(p_sw, 9), round(c_sw, 9), "  # noqa: S608
        f"round(c_w, 9), c_n, round(s1, 9) FROM ({sql}) ORDER BY ALL",
        values,
    ).fetchall()
    assert fresh == incremental
    maintenance.build_find_parts(tiny)
    assert {v.role: _ranked(tiny, v) for v in (admin, partner)} == stored
    maintenance.drop_find_parts(tiny)  # the SQL route, parts computed from the evidence
    for viewer in (admin, partner):
        found = find_expertise(
            tiny, viewer, SKILL, as_of=TINY_TODAY, rank_by="coaching", audited=False
        )
        assert not found.stored_parts
        got = dict(zip(found.rows["staff_ref"], found.rows["coaching_score"], strict=True))
        assert got == stored[viewer.role]


def test_a_pairing_write_behind_the_parts_back_makes_them_stale(
    tiny: Connection, admin: Viewer
) -> None:
    maintenance.optimise(tiny)
    pid = _pairing(tiny, admin)
    assert maintenance.parts_status(tiny, TINY_TODAY).usable
    tiny.execute(
        "INSERT INTO pairing_versions SELECT * REPLACE (version + 1 AS version, "
        "'not transferred' AS status, 'x' AS reason) FROM pairings WHERE pairing_id = ?",
        [pid],
    )
    status = maintenance.parts_status(tiny, TINY_TODAY)
    assert not status.usable and status.reason == "data changed since the parts were built"


def test_the_candidate_explanation_lists_the_judged_pairings(
    tiny: Connection, admin: Viewer
) -> None:
    from brokering.matching import candidates as cand
    from brokering.matching.needs import get_need

    draft = PairingDraft(
        donors=("A3",),
        recipients=("A2",),
        skill_id="mathematics",
        work_kind="coaching",
        start_date=START,
        review_date=date(2026, 11, 1),
        status="active",
    )
    pid = service.log_pairing(tiny, admin, draft, today=TINY_TODAY)
    service.move(tiny, admin, pid, "review due", today=TINY_TODAY)
    _observe(tiny, admin, pid, date(2026, 10, 20), 4, "A2")
    service.move(tiny, admin, pid, "transferred", today=TINY_TODAY)
    result = cand.rank_candidates(tiny, admin, get_need(tiny, admin, "N1"), as_of=TINY_TODAY)
    parts, _ = cand.explain(result, "A3")
    assert "1 pairing(s) transferred in this skill" in " ".join(parts["how"])
    parts, _ = cand.explain(result, "A2")
    assert "pairing(s)" not in " ".join(parts["how"])


def test_judged_pairings_read_by_index_equal_the_whole_relation(
    tiny: Connection, admin: Viewer
) -> None:
    """The candidates list reads a few people's judged pairings through the lookup indexes
    (migrations/095: `donor_pairings`, then those pairings by id); the counts must equal
    the whole `pairing_outcomes_sql` relation's, a later version of a pairing (a donor
    taken off it) included. (On a national store the lookups are index scans; a tiny one
    is scanned, so only the indexes' presence is checked here.)"""
    from brokering.coaching_records import (
        donor_pairings,
        judged_pairings,
        pairing_outcomes_sql,
    )

    done = []
    for recipient, rating, status in (("A2", 4, "transferred"), ("B3", 2, "not transferred")):
        pid = _pairing(tiny, admin, recipient)
        _observe(tiny, admin, pid, date(2026, 10, 20), rating, recipient)
        service.move(tiny, admin, pid, status, reason="no change seen", today=TINY_TODAY)
        done.append(pid)
    # A later version of the first pairing without its donor: it no longer counts for them.
    tiny.execute(
        "INSERT INTO pairing_participants SELECT pairing_id, version + 1, staff_ref, side "
        "FROM pairing_members m JOIN pairings p USING (pairing_id) "
        "WHERE pairing_id = ? AND side = 'recipient'",
        [done[0]],
    )
    tiny.execute(
        "INSERT INTO pairing_versions SELECT * REPLACE (version + 1 AS version) FROM pairings "
        "WHERE pairing_id = ?",
        [done[0]],
    )
    refs = [r[0] for r in tiny.execute("SELECT staff_ref FROM staff ORDER BY 1").fetchall()]
    whole = tiny.execute(
        "SELECT coach_ref, count(*) FILTER (WHERE status = 'transferred'),"
        " count(*) FILTER (WHERE status = 'not transferred')"
        f" FROM ({pairing_outcomes_sql(DEFAULT_PARAMS)}) WHERE skill_id = ? GROUP BY 1",
        [SKILL],
    ).fetchall()
    expected = {r[0]: (int(r[1]), int(r[2])) for r in whole}
    assert judged_pairings(tiny, SKILL, refs, DEFAULT_PARAMS) == expected
    assert expected == {DONOR: (0, 1)}
    assert done[1] in donor_pairings(tiny, [DONOR])
    indexed = {r[0] for r in tiny.execute("SELECT table_name FROM duckdb_indexes()").fetchall()}
    assert {"pairing_participants", "pairing_versions", "pairing_entries", "coaching"} <= indexed
