"""pairings.csv and pairing_evidence.csv through the real importer: the templates as they
ship, a round trip on the tiny alliance, versions instead of overwrites, and every kind of bad
row refused with nothing written."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from brokering.db import Connection
from brokering.importing import import_paths
from brokering.pairings import views
from brokering.settings import TEMPLATES_DIR
from brokering.viewer import Viewer
from tests.conftest import TINY_TODAY

P_HEAD = (
    "pairing_id,donor_refs,recipient_refs,skill,work_kind,status,start_date,review_date,"
    "donor_contribution,recipient_contribution,planned_hours,disciplines,reason"
)
E_HEAD = "pairing_id,entry_type,date,recorded_by,observed_ref,hours,who,flow,rating_before,rating_after,measure,value_before,value_after,note"  # noqa: E501
P1 = (
    "P1,C1,A2,cold calling,coaching,transferred,2026-09-01,2026-11-01,Questioning routines,"
    "Hosts a visit on phonics,9,Behaviour and routines,"
)
P2 = "P2,B2,B3;A2,Retrieval practice,joint training day,active,2026-10-01,,,,4,,"
E_ROWS = [
    "P1,observation,2026-09-01,C1,A2,1,,,2,,,,,Baseline",
    "P1,coaching session,2026-09-15,C1,,1.5,C1;A2,,,,,,,",
    "P1,visit,2026-09-29,A2,,2,,recipient to donor,,,,,,Return visit",
    "P1,observation,2026-10-20,SLT,A2,1,,,2,good,,,,Every lesson now",
    "P1,outcome measure,2026-10-30,A2,A2,,,,,,Quiz average (%),52,-0.5,",
]
PAIRING_TABLES = ("pairing_versions", "pairing_participants", "pairing_entries")


def write(folder: Path, pairings: list[str] | None, evidence: list[str] | None) -> Path:
    folder.mkdir(exist_ok=True)
    if pairings is not None:
        (folder / "pairings.csv").write_text("\n".join([P_HEAD, *pairings]) + "\n")
    if evidence is not None:
        (folder / "pairing_evidence.csv").write_text("\n".join([E_HEAD, *evidence]) + "\n")
    return folder


def rows(con: Connection) -> dict[str, list]:
    return {
        t: sorted(con.execute(f"SELECT * FROM {t}").fetchall(), key=repr) for t in PAIRING_TABLES
    }


def run(con: Connection, admin: Viewer, folder: Path):
    return import_paths(con, [folder], admin, today=TINY_TODAY)


def test_templates_import_as_they_ship(con: Connection, admin: Viewer) -> None:
    report = import_paths(con, [TEMPLATES_DIR], admin, today=date(2026, 11, 20))
    assert report.ok, [str(p) for p in report.problems]
    added = {o.table: o.added for o in report.outcomes}
    assert added["pairings"] == 1 and added["pairing_evidence"] == 2
    row = views.list_pairings(con, admin).iloc[0]
    assert (row["pairing_id"], row["status"], bool(row["same_school"])) == ("P0001", "active", True)


def test_round_trip_then_reimport_changes_nothing(
    tiny: Connection, admin: Viewer, tmp_path: Path
) -> None:
    folder = write(tmp_path / "batch", [P1, P2], E_ROWS)
    report = run(tiny, admin, folder)
    assert report.ok, [str(p) for p in report.problems]
    assert {o.table: (o.added, o.updated) for o in report.outcomes} == {
        "pairings": (2, 0),
        "pairing_evidence": (5, 0),
    }
    frame = views.list_pairings(tiny, admin).set_index("pairing_id")
    assert frame.loc["P1", "practice"] == "Questioning"  # "cold calling" resolved
    assert frame.loc["P1", "transfer_evidence"] == 1
    assert list(frame.loc["P2", "recipients"]) == ["A2", "B3"]
    held = tiny.execute("SELECT disciplines FROM pairings WHERE pairing_id = 'P1'").fetchall()
    assert held == [(["behaviour-and-routines"],)]
    log = views.pairing_log(tiny, admin, "P1").set_index("entry_type")
    outcome = log.loc["outcome measure"]
    assert (outcome["value_before"], outcome["value_after"]) == (52.0, -0.5)
    seen = log[log["recorded_by"] == "SLT"].iloc[0]
    assert (seen["rating_before"], seen["rating_after"]) == (2, 3)  # "good" is 3
    assert list(log.loc["coaching session", "who"]) == ["C1", "A2"]
    assert log.loc["visit", "flow"] == "recipient to donor"
    before = rows(tiny)
    again = run(tiny, admin, folder)
    assert again.ok and all(o.added == 0 and o.updated == 0 for o in again.outcomes)
    assert rows(tiny) == before


def test_a_changed_row_adds_a_version_and_blanks_keep_what_is_held(
    tiny: Connection, admin: Viewer, tmp_path: Path
) -> None:
    assert run(tiny, admin, write(tmp_path / "one", [P1, P2], E_ROWS)).ok
    changed = (
        "P2,B2,B3;A2,Retrieval practice,joint training day,review due,2026-10-01,2026-12-01,,,,,"
    )
    report = run(tiny, admin, write(tmp_path / "two", [changed], None))
    assert report.ok, [str(p) for p in report.problems]
    assert report.outcomes[0].updated == 1
    history = views.pairing_history(tiny, admin, "P2")
    assert history["version"].tolist() == [1, 2]
    assert history["status"].tolist() == ["active", "review due"]
    assert history["planned_hours"].tolist() == [4.0, 4.0]  # blank in the file: kept
    assert history["changed_by"].tolist() == ["test-admin", "test-admin"]
    assert history["change"].tolist() == ["imported", "changed by import"]


def test_withdrawn_entry_does_not_come_back_on_reimport(
    tiny: Connection, admin: Viewer, tmp_path: Path
) -> None:
    from brokering.pairings import entries

    folder = write(tmp_path / "b", [P1, P2], E_ROWS)
    assert run(tiny, admin, folder).ok
    visit = views.pairing_log(tiny, admin, "P1").set_index("entry_type").loc["visit", "entry_id"]
    entries.withdraw_entry(tiny, admin, int(visit), "Logged twice")
    assert run(tiny, admin, folder).ok
    assert "visit" not in set(views.pairing_log(tiny, admin, "P1")["entry_type"])


BAD = [
    ([P1.replace("C1,A2", "C1,ZZ9"), P2], E_ROWS, "recipient_refs", "not a member of staff"),
    ([P1.replace("C1,A2", "A2,A2")], [], "recipient_refs", "named twice"),
    ([P2.replace("B2,B3;A2", "B2,;")], [], "recipient_refs", "names nobody"),
    ([P2.replace("B2,B3;A2", "C2,B3")], [], "donor_refs", "left on 2026-07-31"),
    ([P2.replace("2026-10-01,", "2026-10-01,2026-09-01")], [], "review_date", "before start_date"),
    ([P2.replace(",4,", ",-4,")], [], "planned_hours", "negative"),
    ([P2.replace(",active,", ",stopped,")], [], "reason", "needs a reason"),
    ([P2.replace(",active,2026-10-01", ",active,2027-01-10")], [], "start_date", "in the future"),
    ([P2.replace(",4,,", ",4,Questioning,")], [], "disciplines", "core competence"),
    ([P1, P2], E_ROWS[:3], "status", "needs evidence"),  # only the baseline observation
    ([P1, P2], [*E_ROWS[:3], E_ROWS[3].replace(",SLT,", ",A2,")], "status", "needs evidence"),
    ([P1, P2], [*E_ROWS, "P1,visit,2026-08-20,C1,,1,,,,,,,,"], "date", "before the pairing"),
    ([P1, P2], [*E_ROWS, "P1,observation,2026-10-02,C1,B3,1,,,,,,,,"], "observed_ref",
     "not a participant in pairing P1"),
    ([P1, P2], [*E_ROWS, "P9,visit,2026-10-02,C1,,1,,,,,,,,"], "pairing_id", "not a pairing"),
    ([P1, P2], [*E_ROWS, "P1,visit,2026-10-02,C1,,1,B3,,,,,,,"], "who", "not a participant"),
    ([P1, P2], [*E_ROWS, "P1,visit,2026-10-02,C1,,-1,,,,,,,,"], "hours", "negative"),
    ([P1, P2], [*E_ROWS, "P1,observation,2026-10-02,C1,,1,,,,,,,,"], "observed_ref", "needed"),
    ([P1, P2], [*E_ROWS, "P1,outcome measure,2026-10-02,C1,A2,,,,,,Score,lots,3,"],
     "value_before", "not a number"),
    ([P1, P2], [*E_ROWS, "P1,visit,2026-10-02,C1,,1,,sideways,,,,,,"], "flow", "not allowed"),
    ([P1, P2], [*E_ROWS, E_ROWS[1]], "pairing_id", "repeats line 3"),
]  # fmt: skip


@pytest.mark.parametrize(("pairings", "evidence", "column", "message"), BAD)
def test_bad_rows_are_refused_and_nothing_is_written(
    tiny: Connection,
    admin: Viewer,
    tmp_path: Path,
    pairings: list[str],
    evidence: list[str],
    column: str,
    message: str,
) -> None:
    before = rows(tiny)
    report = run(tiny, admin, write(tmp_path / "bad", pairings, evidence))
    assert not report.ok
    assert any(p.column == column and message in p.message for p in report.problems), [
        str(p) for p in report.problems
    ]
    assert rows(tiny) == before


def test_an_older_export_cannot_move_a_pairing_backwards(
    tiny: Connection, admin: Viewer, tmp_path: Path
) -> None:
    assert run(tiny, admin, write(tmp_path / "one", [P1, P2], E_ROWS)).ok
    older = P2.replace(",active,", ",proposed,")
    report = run(tiny, admin, write(tmp_path / "two", [older], None))
    assert not report.ok
    assert "cannot follow 'active'" in report.problems[0].message
    stopped = P2.replace(",active,", ",stopped,").replace(",4,,", ",4,,Cover ran out")
    assert run(tiny, admin, write(tmp_path / "three", [stopped], None)).ok


def test_evidence_for_a_stored_pairing_arrives_on_its_own(
    tiny: Connection, admin: Viewer, tmp_path: Path
) -> None:
    assert run(tiny, admin, write(tmp_path / "one", [P2], None)).ok
    report = run(tiny, admin, write(tmp_path / "two", None, ["P2,visit,2026-10-05,B2,,2,,,,,,,,"]))
    assert report.ok, [str(p) for p in report.problems]
    late = run(tiny, admin, write(tmp_path / "three", None, ["P2,visit,2026-09-05,B2,,2,,,,,,,,"]))
    assert not late.ok and "before the pairing started (2026-10-01)" in late.problems[0].message
