# ruff: noqa: F811 - `dash` is the fixture imported from test_dashboard
"""The dashboard's derived facts stay current: a change to the pairings, their log, coaching,
consent or staff is in the very next figure; a read-only store answers the same from inline
SQL; and the alliance-wide maturity table agrees school by school with the one-school view."""

from datetime import date

import duckdb
import pandas as pd
import pytest

from brokering import derived
from brokering.dashboard import facts, flows, maturity, transfer
from brokering.dashboard.facts import Scope
from brokering.db import connect
from brokering.viewer import Viewer
from tests.test_dashboard import AS_OF, AUTUMN, dash  # noqa: F401 - the fixture

HEAD_A = Viewer("headteacher", "A")


def _headline(con, viewer=None, scope=facts.ALLIANCE):
    viewer = viewer or Viewer("alliance_admin")
    return {f.key: f.value for f in transfer.headline(con, viewer, AUTUMN, scope, AS_OF)}


def _add_pairing(con, pid: str, donor: str, recipient: str, start: str = "2026-09-20") -> None:
    con.execute(
        "INSERT INTO pairing_versions (pairing_id, version, skill_id, work_kind, status, "
        "start_date, review_date, disciplines, change, changed_by) VALUES "
        "(?, 1, 'questioning', 'coaching', 'active', ?, '2026-12-15', [], 'logged', 't')",
        [pid, start],
    )
    con.execute("INSERT INTO pairing_participants VALUES (?, 1, ?, 'donor')", [pid, donor])
    con.execute("INSERT INTO pairing_participants VALUES (?, 1, ?, 'recipient')", [pid, recipient])


def test_facts_are_built_once_and_reused(dash) -> None:
    first = facts.facts(dash)
    assert first.stored
    built = derived.stored_signature(dash, facts.DASHBOARD)
    assert built == derived.signature(dash, facts.DASHBOARD)
    again = facts.facts(dash)
    assert again == first
    assert derived.stored_signature(dash, facts.DASHBOARD) == built


def test_a_new_pairing_shows_in_the_next_figure(dash) -> None:
    before = _headline(dash)
    _add_pairing(dash, "P9", "C1", "A1")
    after = _headline(dash)
    assert after["active"] == before["active"] + 1


def test_a_new_version_of_a_pairing_replaces_the_old_one(dash) -> None:
    assert _headline(dash)["overdue"] == 1  # P3, active and past its review date
    dash.execute(
        "INSERT INTO pairing_versions (pairing_id, version, skill_id, work_kind, status, "
        "start_date, review_date, disciplines, change, changed_by) VALUES ('P3', 2, "
        "'behaviour-and-routines', 'coaching', 'stopped', '2026-09-15', '2026-11-10', [], "
        "'stopped', 't')"
    )
    dash.execute("INSERT INTO pairing_participants VALUES ('P3', 2, 'A1', 'donor')")
    dash.execute("INSERT INTO pairing_participants VALUES ('P3', 2, 'B3', 'recipient')")
    assert _headline(dash)["overdue"] == 0


def test_a_withdrawn_observation_no_longer_counts(dash) -> None:
    assert _headline(dash)["median_days"] == 40  # P1's observation on 15 Oct
    dash.execute(
        "INSERT INTO pairing_entries (entry_id, version, pairing_id, entry_type, date, who, "
        "flow, observed_ref, recorded_by, withdrawn, change, changed_by) VALUES (2, 2, 'P1', "
        "'observation', '2026-10-15', [], 'two-way', 'A2', 'B1', TRUE, 'withdrawn', 't')"
    )
    assert _headline(dash)["median_days"] is None


def test_new_coaching_shows_in_the_flow_matrix(dash) -> None:
    admin = Viewer("alliance_admin")
    cells = {
        (r.giver, r.receiver)
        for r in flows.flow_matrix(dash, admin, AUTUMN.start, AUTUMN.end).itertuples()
    }
    assert ("A", "C") not in cells
    dash.execute(
        "INSERT INTO coaching (coach_ref, coachee_ref, skill_id, mode, start_date) "
        "VALUES ('A1', 'C1', 'questioning', 'coaching', '2026-10-01')"
    )
    matrix = flows.flow_matrix(dash, admin, AUTUMN.start, AUTUMN.end).set_index(
        ["giver", "receiver"]
    )
    assert matrix.loc[("A", "C"), "coaching_records"] == 1
    assert matrix.loc[("A", "C"), "hours"] == pytest.approx(6.0)


def test_recorded_consent_shows_in_the_maturity_indicators(dash) -> None:
    from brokering.consent import set_consent

    admin = Viewer("alliance_admin")
    before = maturity.indicators(dash, admin, as_of=AS_OF).set_index("key")
    assert before.loc["sharing_consent", "value"] == pytest.approx(600 / 7, abs=0.1)
    refs = [
        r[0] for r in dash.execute("SELECT staff_ref FROM staff WHERE share_consent").fetchall()
    ]
    set_consent(dash, admin, refs[0], False, AS_OF)
    after = maturity.indicators(dash, admin, as_of=AS_OF).set_index("key")
    assert after.loc["sharing_consent", "value"] == pytest.approx(500 / 7, abs=0.1)


def test_a_read_only_store_answers_the_same_from_inline_sql(dash, tmp_path) -> None:
    expected = {
        "headline": _headline(dash, HEAD_A),
        "flows": flows.flow_matrix(dash, HEAD_A, AUTUMN.start, AUTUMN.end),
        "maturity": maturity.indicators(dash, HEAD_A, "B", AS_OF),
        # the School filter's outcomes: the alliance's table from the facts held as numbers
        "outcomes": transfer.outcomes_by(
            dash, HEAD_A, "school", Scope("A"), AUTUMN.start, AUTUMN.end
        ),
    }
    facts.drop(dash)
    derived.drop(dash, maturity.STAFF_SUMMARY)
    path = tmp_path / "copy.duckdb"
    dash.execute(f"ATTACH '{path}' AS copy")
    dash.execute("COPY FROM DATABASE memory TO copy")
    dash.execute("DETACH copy")
    ro = connect(path, read_only=True)
    try:
        with pytest.raises(duckdb.CatalogException):
            ro.execute(f"SELECT * FROM {facts.DASHBOARD.table_name('pairings')}").fetchall()
        assert not facts.facts(ro).stored
        assert _headline(ro, HEAD_A) == expected["headline"]
        got = flows.flow_matrix(ro, HEAD_A, AUTUMN.start, AUTUMN.end)
        pd.testing.assert_frame_equal(got, expected["flows"])
        assert maturity.indicators(ro, HEAD_A, "B", AS_OF).equals(expected["maturity"])
        got = transfer.outcomes_by(ro, HEAD_A, "school", Scope("A"), AUTUMN.start, AUTUMN.end)
        pd.testing.assert_frame_equal(got, expected["outcomes"])
    finally:
        ro.close()


def test_stale_tables_are_never_read(dash) -> None:
    """Tables left from an older build (another signature) are rebuilt before use."""
    facts.facts(dash)
    dash.execute(
        f"UPDATE {derived.META} SET signature = [0] WHERE name = ?", [facts.DASHBOARD.name]
    )
    dash.execute(f"DELETE FROM {facts.DASHBOARD.table_name('pairings')}")
    assert _headline(dash)["active"] == 3


@pytest.mark.parametrize("viewer", [Viewer("alliance_admin"), HEAD_A, Viewer("viewer")])
def test_the_alliance_table_agrees_with_each_school_view(dash, viewer) -> None:
    table = maturity.by_school(dash, viewer, AS_OF).set_index("school")
    schools = dict(dash.execute("SELECT school_id, name FROM schools").fetchall())
    for sid, name in [(None, "Whole alliance"), *schools.items()]:
        one = maturity.suggested_stages(maturity.indicators(dash, viewer, sid, AS_OF))
        for strand in maturity.STRANDS:
            shown = table.loc[name, strand]
            assert (None if pd.isna(shown) else shown) == one[strand], (name, strand)


def test_a_school_with_no_staff_has_no_suggested_stage(dash) -> None:
    dash.execute(
        "INSERT INTO schools (school_id, name, phase) VALUES ('Z', 'Zinnia Nursery', 'nursery')"
    )
    table = maturity.by_school(dash, Viewer("alliance_admin"), AS_OF).set_index("school")
    assert pd.isna(table.loc["Zinnia Nursery", "staff information"])
    assert maturity.indicators(dash, Viewer("alliance_admin"), "Z", AS_OF)["value"].isna().all()


def test_periods_are_bounded() -> None:
    with pytest.raises(ValueError, match="periods"):
        transfer.period_figures(None, None, Scope(), [], date(2026, 1, 1))  # type: ignore[arg-type]


def test_schools_sharing_a_name_are_counted_apart(dash) -> None:
    dash.execute("UPDATE schools SET name = 'St Mary''s' WHERE school_id IN ('A', 'B')")
    frame = transfer.outcomes_by(
        dash, Viewer("alliance_admin"), "school", start=AUTUMN.start, end=AUTUMN.end
    )
    got = {(r.group, r.outcome): r.pairings for r in frame.itertuples()}
    assert got[("St Mary's (A)", "transferred")] == 1  # P1, received by A2
    assert got[("St Mary's (B)", "open")] == 2  # P3 and P5, received in Birch
