"""The demo alliance's pairings: written beside the demo's files, imported through the real
importer, and telling the story (every state, evidence and its absence, overdue and quiet
pairings, reasons, reciprocal and one-way schools, a same-school pairing, a hidden partner)."""

from __future__ import annotations

from pathlib import Path

import pytest

from brokering import demo
from brokering.db import Connection
from brokering.demo.pairings import write_demo_pairings
from brokering.importing import import_paths
from brokering.pairings import accountability, ledger, lifecycle, views
from brokering.store import open_store
from brokering.viewer import Viewer, operator

AS_OF = demo.DEMO_AS_OF
ADMIN = operator("demo-test")


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, int]]:
    path = tmp_path_factory.mktemp("demo_pairings")
    demo.write_demo_csvs(path, AS_OF, demo.DEMO_SEED)
    return path, write_demo_pairings(path, AS_OF, demo.DEMO_SEED)


@pytest.fixture(scope="module")
def store(folder: tuple[Path, dict[str, int]]) -> Connection:
    con = open_store(":memory:")
    report = import_paths(con, [folder[0]], ADMIN, today=AS_OF)
    assert report.ok, [str(p) for p in report.problems][:10]
    added = {o.table: o.added for o in report.outcomes}
    assert added["pairings"] == folder[1]["pairings"]
    assert added["pairing_evidence"] == folder[1]["pairing_evidence"]
    yield con
    con.close()


@pytest.fixture(scope="module")
def pairings(store: Connection):
    return views.list_pairings(store, ADMIN, today=AS_OF)


def test_same_seed_gives_identical_bytes(folder, tmp_path: Path) -> None:
    first, counts = folder
    demo.write_demo_csvs(tmp_path, AS_OF, demo.DEMO_SEED)
    assert write_demo_pairings(tmp_path, AS_OF, demo.DEMO_SEED) == counts
    for stem in ("pairings", "pairing_evidence"):
        assert (first / f"{stem}.csv").read_bytes() == (tmp_path / f"{stem}.csv").read_bytes()
        assert (tmp_path / f"{stem}.csv").read_bytes().endswith(b"\n")


def test_every_state_is_there(pairings) -> None:
    assert set(pairings["status"]) == set(lifecycle.STATUSES)


def test_cross_school_with_one_same_school(pairings) -> None:
    assert int(pairings["same_school"].sum()) == 1
    assert int((~pairings["same_school"]).sum()) >= 10


def test_with_and_without_evidence(pairings) -> None:
    evidenced = pairings[pairings["transfer_evidence"] > 0]
    assert set(pairings[pairings["status"] == "transferred"]["pairing_id"]) <= set(
        evidenced["pairing_id"]
    )
    assert (pairings["transfer_evidence"] == 0).sum() >= 5
    assert (pairings["evidence_items"] > 0).any() and (pairings["entries"] == 0).any()


def test_accountability_has_something_to_show(store: Connection) -> None:
    assert len(accountability.overdue(store, ADMIN, today=AS_OF)) >= 2
    assert len(accountability.quiet(store, ADMIN, weeks=6, today=AS_OF)) >= 1
    judged = accountability.not_transferred(store, ADMIN)
    assert (judged["status"] == "not transferred").sum() >= 2
    assert judged["reason"].str.len().gt(20).all()


def test_reciprocal_and_one_way_schools(store: Connection) -> None:
    kinds = ledger.school_relationships(store, ADMIN)["relationship"]
    assert (kinds == "reciprocal").sum() >= 2
    assert kinds.str.startswith("one-way").sum() >= 3
    flows = ledger.school_ledger(store, ADMIN)
    assert (flows["hours_given"] > 0).sum() >= 5


def test_a_two_recipient_pairing_and_a_hidden_partner(store: Connection, pairings) -> None:
    assert pairings["recipients"].map(len).max() >= 2
    coordinator = views.list_pairings(store, Viewer("sle_coordinator"), today=AS_OF)
    hidden = [r for r in coordinator["recipients"] for x in r if x == views.HIDDEN]
    assert hidden


def test_the_ledger_stays_readable_for_those_who_list_pairings(store: Connection) -> None:
    """The ledger's secondary suppression (a cover for each listed pairing's unnamed side:
    `ledger_cover`) hides a row or two of the demo's, not most: the placing rule of
    `brokering.placing`, tried on its school rows, left the SLE coordinator 1 of 10."""
    schools = [s for (s,) in store.execute("SELECT school_id FROM schools").fetchall()]
    viewers = [Viewer("sle_coordinator")]
    viewers += [Viewer("headteacher", s, f"head-{s}") for s in schools]
    for viewer in viewers:
        by_school, by_pair = ledger.school_views(store, viewer)
        assert by_school["pairings_given"].notna().mean() >= 0.75, viewer
        assert by_pair["pairings_a_to_b"].notna().mean() >= 0.75, viewer
