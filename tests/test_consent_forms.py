"""A consent form's answers (a Microsoft Forms sheet as it comes) change the consent of staff
already held and nothing else (issue 18): people are matched by the keyed hash of the e-mail
their staff file left in the identity index — the address is never stored — each person's
latest answer counts, an answer from someone not held is listed by row and left out, an app
withdrawal stands, and the batch is previewed and undone like any other."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from brokering.consent import set_consent
from brokering.importing import import_paths
from brokering.importing.batches import undo
from brokering.mapping import Mapping, propose
from brokering.pseudonymise import staff_pseudonym
from brokering.viewer import Viewer
from tests import exports
from tests.conftest import TINY_TODAY, data_tables
from tests.test_import_bad_input import store_files as _stores  # noqa: F401 - fast store copies
from tests.test_import_bad_input import tiny as _tiny  # noqa: F401
from tests.test_mapping import matcher as _matcher  # noqa: F401

KEY = b"an-alliance-secret-of-some-length"
SCHOOLS = {"A", "B", "C"}
#: Zoë O'Neill, staff code A4 at school A in the SIMS export (her e-mail is in it).
ZOE = staff_pseudonym("A", "A4", KEY)
QUESTION = "Are you happy for partner schools in the alliance to find you as a coach?"
HEADER = ["ID", "Start time", "Completion time", "Email", "Name", "Last modified time", QUESTION]


def _answers(folder: Path, rows: list[list[str]]) -> Path:
    """A Forms sheet: the export's own header, then one row per answer."""
    path = folder / "Alliance sharing consent(1-3).csv"
    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        csv.writer(fh).writerows([HEADER, *rows])
    return path


def _answer(n: int, when: str, email: str, name: str, said: str) -> list[str]:
    return [str(n), f"{when} 10:01:02", f"{when} 10:02:40", email, name, "", said]


@pytest.fixture
def held(tiny, admin, tmp_path, matcher):
    """The tiny alliance plus school A's SIMS export (A4 and A5, with their e-mails)."""
    sims = exports.sims_staff_details(tmp_path)
    mapping, _ = propose([sims], tmp_path, school="A", known_schools=SCHOOLS, matcher=matcher)
    report = import_paths(tiny, [sims], admin, mapping=mapping, today=TINY_TODAY, pseudonym_key=KEY)
    assert report.ok, [str(p) for p in report.problems]
    return tiny


def _import(con, admin, path: Path, tmp: Path, matcher, **kw):
    mapping, problems = propose([path], tmp, known_schools=SCHOOLS, matcher=matcher)
    assert problems == [] and mapping.complete, mapping.to_json()
    mapping = Mapping.from_dict(json.loads(mapping.to_json()))  # as a script would pass it
    return import_paths(
        con, [path], admin, mapping=mapping, today=TINY_TODAY, pseudonym_key=KEY, **kw
    )


def _consent(con, ref: str) -> tuple:
    return con.execute(
        "SELECT share_consent, consent_date::VARCHAR FROM staff WHERE staff_ref = ?", [ref]
    ).fetchall()[0]


def test_the_forms_sheet_is_proposed_as_consent_answers(tmp_path, matcher) -> None:
    mapping, _ = propose(
        [exports.forms_consent(tmp_path)], tmp_path, known_schools=SCHOOLS, matcher=matcher
    )
    [fm] = mapping.files
    assert (fm.table, fm.source, fm.unresolved) == ("consent", "Microsoft Forms consent", [])
    assert fm.targets() == {"consent_date": "Completion time", "share_consent": QUESTION}
    assert fm.columns["Email"] == "hash" and fm.columns["Name"] == "drop"


def test_answers_change_consent_by_e_mail_and_unknown_e_mails_are_listed_by_row(
    held, admin, tmp_path, matcher
) -> None:
    path = _answers(
        tmp_path,
        [
            _answer(1, "2026-09-20", "Z.ONeill@alder.example.sch.uk", "Zoë O’Neill", "Yes"),
            _answer(2, "2026-09-21", "stranger@elsewhere.example.org", "Ann Stranger", "No"),
        ],
    )
    before = data_tables(held)
    index = held.execute("SELECT * FROM identity_index ORDER BY ALL").fetchall()
    # The preview (a dry run) shows the change and writes nothing.
    dry = _import(held, admin, path, tmp_path, matcher, dry_run=True)
    assert dry.ok and not dry.applied
    assert {(c["column"], c["after"]) for c in dry.changes} >= {("consent_date", "2026-09-20")}
    assert all(c["key"] == '["e-mail z…@alder.example.sch.uk"]' for c in dry.changes)
    assert data_tables(held) == before

    report = _import(held, admin, path, tmp_path, matcher)
    assert report.ok and report.applied, [str(p) for p in report.problems]
    assert _consent(held, ZOE) == (True, "2026-09-20")
    [gone] = report.unmatched
    assert (gone["file"], gone["line"], gone["who"]) == (
        path.name,
        3,
        "e-mail s…@elsewhere.example.org",
    )
    assert "Nothing was written for this row" in gone["message"]
    assert [(o.table, o.rows, o.added, o.updated) for o in report.outcomes] == [
        ("consent", 1, 0, 1)
    ]
    # Nothing else is written: no one added, no identity learnt, only Zoë's consent changed.
    after = data_tables(held)
    assert len(after["staff"]) == len(before["staff"])
    assert held.execute("SELECT * FROM identity_index ORDER BY ALL").fetchall() == index
    changed = [r for r in after["staff"] if r not in before["staff"]]
    assert [r[0] for r in changed] == [ZOE]
    for table in ("schools", "evidence", "coaching", "needs"):
        assert after[table] == before[table]
    dump = json.dumps(after, default=str) + json.dumps(
        held.execute("SELECT * FROM audit_log").fetchall(), default=str
    )
    for personal in ("oneill", "O’Neill", "stranger", "Stranger", "elsewhere"):
        assert personal.lower() not in dump.lower()
    [(action, detail)] = held.execute(
        "SELECT action, detail FROM audit_log WHERE action LIKE 'consent.%'"
    ).fetchall()
    assert action == "consent.give" and ZOE in detail


def test_the_latest_answer_counts_and_undo_puts_consent_back(
    held, admin, tmp_path, matcher
) -> None:
    was = _consent(held, ZOE)
    path = _answers(
        tmp_path,
        [
            _answer(1, "2026-09-22", "z.oneill@alder.example.sch.uk", "Zoë", "No"),
            _answer(2, "2026-09-20", "z.oneill@alder.example.sch.uk", "Zoë", "Yes"),
        ],
    )
    report = _import(held, admin, path, tmp_path, matcher)
    assert report.ok and report.unmatched == []
    assert _consent(held, ZOE) == (False, "2026-09-22")
    assert any("superseded by their latest answer" in n for n in report.notes)
    undo(held, admin, report.batch_id)
    assert _consent(held, ZOE) == was


def test_a_withdrawal_in_the_app_stands_against_a_forms_yes(held, admin, tmp_path, matcher) -> None:
    set_consent(held, Viewer("headteacher", "A", "head-a"), ZOE, False)
    path = _answers(
        tmp_path, [_answer(1, "2026-11-19", "z.oneill@alder.example.sch.uk", "Zoë", "Yes")]
    )
    report = _import(held, admin, path, tmp_path, matcher)
    assert report.ok
    assert _consent(held, ZOE)[0] is False
    [note] = [n for n in report.notes if "stays withdrawn" in n]
    assert note.startswith(f"{path.name}, line 2: consent for e-mail z…@alder.example.sch.uk")


def test_without_pseudonymising_a_sheet_of_e_mails_is_refused(
    held, admin, tmp_path, matcher
) -> None:
    path = _answers(
        tmp_path, [_answer(1, "2026-09-20", "z.oneill@alder.example.sch.uk", "Zoë", "Yes")]
    )
    mapping, _ = propose([path], tmp_path, known_schools=SCHOOLS, matcher=matcher)
    before = data_tables(held)
    report = import_paths(held, [path], admin, mapping=mapping, today=TINY_TODAY)
    assert not report.ok
    [p] = report.problems
    assert p.column == "email" and "pseudonymising" in p.message
    assert "oneill" not in str(p).lower()
    assert data_tables(held) == before


def test_a_future_or_unreadable_answer_refuses_the_batch(held, admin, tmp_path, matcher) -> None:
    path = _answers(
        tmp_path,
        [
            _answer(1, "2099-01-01", "z.oneill@alder.example.sch.uk", "Zoë", "Yes"),
            _answer(2, "2026-09-20", "j.brule@alder.example.sch.uk", "José", "Yes"),
        ],
    )
    before = data_tables(held)
    report = _import(held, admin, path, tmp_path, matcher)
    assert not report.ok
    assert [(p.line, p.column) for p in report.problems] == [(2, "consent_date")]
    assert data_tables(held) == before


def test_the_command_line_imports_a_forms_sheet_through_its_mapping(
    tmp_path, capsys, monkeypatch
) -> None:
    from brokering.cli import main
    from brokering.db import connect
    from brokering.store import open_store
    from tests.conftest import TINY

    monkeypatch.setenv("BROKERING_PSEUDONYM_KEY", KEY.decode())
    db = tmp_path / "store.duckdb"
    open_store(db).close()
    assert main(["--db", str(db), "import", str(TINY), "--refs-are-pseudonyms"]) == 0
    sims = exports.sims_staff_details(tmp_path)
    assert (
        main(
            [
                "--db",
                str(db),
                "mapping",
                "propose",
                str(sims),
                "--school",
                "A",
                "--out",
                str(tmp_path / "sims.json"),
            ]
        )
        == 0
    )
    assert (
        main(["--db", str(db), "import", str(sims), "--mapping", str(tmp_path / "sims.json")]) == 0
    )
    path = _answers(
        tmp_path,
        [
            _answer(1, "2026-09-20", "z.oneill@alder.example.sch.uk", "Zoë", "Yes"),
            _answer(2, "2026-09-21", "stranger@elsewhere.example.org", "Ann", "No"),
        ],
    )
    out = tmp_path / "forms.json"
    assert main(["--db", str(db), "mapping", "propose", str(path), "--out", str(out)]) == 0
    assert json.loads(out.read_text())["files"][0]["table"] == "consent"
    capsys.readouterr()
    code = main(["--db", str(db), "import", str(path), "--mapping", str(out), "--json"])
    report = json.loads(capsys.readouterr().out)
    assert code == 0 and report["applied"]
    assert [(u["line"], u["who"]) for u in report["unmatched"]] == [
        (3, "e-mail s…@elsewhere.example.org")
    ]
    assert main(["--db", str(db), "import", str(path), "--mapping", str(out)]) == 0
    text = capsys.readouterr().out
    assert "not matched:" in text and "line 3 (e-mail s…@elsewhere.example.org)" in text
    con = connect(db)
    try:
        assert _consent(con, ZOE) == (True, "2026-09-20")
    finally:
        con.close()
