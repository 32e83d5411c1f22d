"""Identity is school + local staff code (issue 18): equal codes at two schools are two people,
e-mails and payroll numbers resolve later files, a move is never silent, and nothing that
names a person reaches the store, the audit or the report's pseudonyms."""

from __future__ import annotations

from pathlib import Path

from brokering.importing import import_paths
from brokering.pseudonymise import staff_pseudonym
from tests.conftest import TINY_TODAY, data_tables

KEY = b"an-alliance-secret-of-some-length"
STAFF = "staff_ref,school_id,role,subjects,email,payroll_number\n"
EVIDENCE = "staff_ref,skill,evidence_type,strength,date,recorded_by,note\n"


def write(folder: Path, name: str, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text(text)
    return folder / name


def load(con, admin, paths, **kw):
    return import_paths(con, paths, admin, today=TINY_TODAY, pseudonym_key=KEY, **kw)


def everything(con) -> str:
    rows = data_tables(con)
    rows["identity_index"] = con.execute("SELECT * FROM identity_index").fetchall()
    rows["audit"] = con.execute("SELECT detail FROM audit_log").fetchall()
    rows["imports"] = con.execute("SELECT * FROM imports").fetchall()
    return repr(rows)


def test_same_code_at_two_schools_is_two_people(tiny, admin, tmp_path) -> None:
    a = write(tmp_path / "a", "staff.csv", STAFF + "JDO,A,teacher,Mathematics,,\n")
    b = write(tmp_path / "b", "staff.csv", STAFF + "JDO,B,teacher,Art and design,,\n")
    assert load(tiny, admin, [a]).ok
    report = load(tiny, admin, [b])
    assert report.ok, [str(p) for p in report.problems]
    assert report.moves == []
    ra, rb = staff_pseudonym("A", "JDO", KEY), staff_pseudonym("B", "JDO", KEY)
    rows = dict(
        (r[0], (r[1], r[2]))
        for r in tiny.execute(
            "SELECT staff_ref, school_id, subjects FROM staff WHERE list_contains(?, staff_ref)",
            [[ra, rb]],
        ).fetchall()
    )
    assert rows[ra][0] == "A" and rows[rb][0] == "B"
    assert rows[ra][1] == ["mathematics"] and rows[rb][1] != rows[ra][1]  # not merged


def test_evidence_with_a_repeated_code_needs_its_school(tiny, admin, tmp_path) -> None:
    write(tmp_path / "s", "staff.csv", STAFF + "JDO,A,teacher,,,\nJDO,B,teacher,,,\n")
    assert load(tiny, admin, [tmp_path / "s"]).ok
    ev = write(
        tmp_path / "e",
        "evidence.csv",
        EVIDENCE + "JDO,Questioning,observation,good,2026-10-01,SLT,\n",
    )
    before = data_tables(tiny)
    report = load(tiny, admin, [ev])
    assert not report.ok and data_tables(tiny) == before
    [p] = report.problems
    assert p.who == "staff code JDO" and "more than one school (A, B)" in p.message
    assert "P" not in p.value  # never the pseudonym
    report = load(tiny, admin, [ev], school="B")
    assert report.ok, [str(p) for p in report.problems]
    held = tiny.execute(
        "SELECT staff_ref FROM evidence WHERE skill_id = 'questioning' AND date = '2026-10-01'"
    ).fetchall()
    assert held == [(staff_pseudonym("B", "JDO", KEY),)]


def test_a_later_file_naming_people_by_email_resolves(tiny, admin, tmp_path) -> None:
    s = write(
        tmp_path / "s",
        "staff.csv",
        STAFF + "JDO,A,teacher,,Jane.Doe@alder.sch.uk,PAY-881\nKLM,A,teacher,,k.lm@alder.sch.uk,\n",
    )
    assert load(tiny, admin, [s]).ok
    coaching = write(
        tmp_path / "c",
        "coaching.csv",
        "coach_ref,coachee_ref,skill,mode,start_date\n"
        "jane.doe@alder.sch.uk,k.lm@alder.sch.uk,Questioning,coaching,2026-09-01\n",
    )
    report = load(tiny, admin, [coaching])
    assert report.ok, [str(p) for p in report.problems]
    jdo, klm = staff_pseudonym("A", "JDO", KEY), staff_pseudonym("A", "KLM", KEY)
    assert tiny.execute(
        "SELECT coach_ref, coachee_ref FROM coaching WHERE start_date = '2026-09-01'"
    ).fetchall() == [(jdo, klm)]
    dump = everything(tiny)
    for secret in ("JDO", "KLM", "jane", "doe@", "PAY-881", "k.lm"):
        assert secret.lower() not in dump.lower()


def test_a_move_is_refused_unless_accepted(tiny, admin, tmp_path) -> None:
    write(tmp_path / "a", "staff.csv", STAFF + "JDO,A,teacher,,jane.doe@alder.sch.uk,\n")
    assert load(tiny, admin, [tmp_path / "a"]).ok
    b = write(tmp_path / "b", "staff.csv", STAFF + "JD7,B,teacher,,jane.doe@alder.sch.uk,\n")
    before = data_tables(tiny)
    report = load(tiny, admin, [b])
    assert not report.ok and data_tables(tiny) == before
    [p] = report.problems
    assert p.who == "staff code JD7" and "held at school A" in p.message
    assert "moves between schools accepted" in p.message
    assert "--" not in p.message  # the web shows it too: no command-line flags (issue 23)
    report = load(tiny, admin, [b], accept_moves=True)
    assert report.ok and report.moves == [
        {"file": "staff.csv", "line": 2, "who": "staff code JD7", "from": "A", "to": "B"}
    ]
    ref = staff_pseudonym("A", "JDO", KEY)  # the person keeps their ref and their history
    assert tiny.execute("SELECT school_id FROM staff WHERE staff_ref = ?", [ref]).fetchall() == [
        ("B",)
    ]
    assert tiny.execute("SELECT count(*) FROM staff").fetchall()[0][0] == 9
    # Their new school's code now names them too.
    ev = write(
        tmp_path / "e",
        "evidence.csv",
        EVIDENCE + "JD7,Questioning,observation,good,2026-10-01,SLT,\n",
    )
    assert load(tiny, admin, [ev], school="B").ok
    assert (
        tiny.execute("SELECT count(*) FROM evidence WHERE staff_ref = ?", [ref]).fetchall()[0][0]
        == 1
    )


def test_two_files_claiming_one_person_at_two_schools_are_refused(tiny, admin, tmp_path) -> None:
    s = write(
        tmp_path / "s",
        "staff.csv",
        STAFF + "JDO,A,teacher,,jane.doe@alder.sch.uk,\nJD,B,teacher,,jane.doe@alder.sch.uk,\n",
    )
    before = data_tables(tiny)
    report = load(tiny, admin, [s])
    assert not report.ok and data_tables(tiny) == before
    [p] = report.problems
    assert (p.line, p.who) == (3, "staff code JD")
    assert "same person (same e-mail address) as line 2" in p.message
    assert "Nothing was written" in p.message


def test_refs_given_as_stored_are_moved_only_when_accepted(tiny, admin, tmp_path) -> None:
    f = write(tmp_path, "staff.csv", "staff_ref,school_id,role\nA2,B,teacher\n")
    before = data_tables(tiny)
    report = import_paths(tiny, [f], admin, today=TINY_TODAY)
    assert not report.ok and data_tables(tiny) == before
    assert "moves A2 from school A to B" in report.problems[0].message
    report = import_paths(tiny, [f], admin, today=TINY_TODAY, accept_moves=True)
    assert report.ok and [(m["from"], m["to"]) for m in report.moves] == [("A", "B")]


def test_unknown_code_is_reported_as_the_file_wrote_it(tiny, admin, tmp_path) -> None:
    ev = write(
        tmp_path, "evidence.csv", EVIDENCE + "ZZ9,Questioning,observation,good,2026-10-01,SLT,\n"
    )
    report = load(tiny, admin, [ev], school="A")
    [p] = report.problems
    assert p.who == "staff code ZZ9" and p.value == ""
    assert str(p).startswith("evidence.csv, line 2 (staff code ZZ9), column staff_ref:")


def test_notes_are_cleaned_of_emails_and_names(tiny, admin, tmp_path) -> None:
    write(
        tmp_path,
        "staff.csv",
        "staff_ref,school_id,role,title,forename,surname\nJDO,A,teacher,Mrs,Jane,Okafor\n",
    )
    write(
        tmp_path,
        "evidence.csv",
        EVIDENCE + "JDO,Questioning,observation,good,2026-10-01,SLT,"
        '"Seen by Mrs. Okafor and jane okafor; write to j.okafor@alder.sch.uk"\n',
    )
    report = load(tiny, admin, [tmp_path])
    assert report.ok, [str(p) for p in report.problems]
    assert report.removed == {"e-mail": 1, "name": 2}
    [(note,)] = tiny.execute(
        "SELECT note FROM evidence WHERE skill_id = 'questioning' AND date = '2026-10-01'"
    ).fetchall()
    assert note == "Seen by [name] and [name]; write to [e-mail]"
    assert "okafor" not in everything(tiny).lower()


def test_cli_school_tags_the_files(tiny_db, tmp_path, capsys, monkeypatch) -> None:
    from brokering.cli import main

    monkeypatch.setenv("BROKERING_PSEUDONYM_KEY", KEY.decode())
    s = write(tmp_path / "s", "staff.csv", "staff_ref,role\nJDO,teacher\n")
    ev = write(
        tmp_path / "e",
        "evidence.csv",
        EVIDENCE + "JDO,Questioning,observation,good,2026-10-01,SLT,\n",
    )
    assert main(["--db", str(tiny_db), "import", str(s), "--school", "staff.csv=B"]) == 0
    assert main(["--db", str(tiny_db), "import", str(ev), "--school", "B"]) == 0
    assert main(["--db", str(tiny_db), "import", str(ev), "--school", "A", "--school", "B"]) == 1
    capsys.readouterr()
    from brokering.db import connect

    con = connect(tiny_db)
    try:
        ref = staff_pseudonym("B", "JDO", KEY)
        assert con.execute("SELECT school_id FROM staff WHERE staff_ref = ?", [ref]).fetchall() == [
            ("B",)
        ]
        assert con.execute(
            "SELECT count(*) FROM evidence WHERE staff_ref = ?", [ref]
        ).fetchall() == [(1,)]
    finally:
        con.close()


def test_names_from_earlier_staff_files_are_cleaned_later(tiny, admin, tmp_path) -> None:
    write(
        tmp_path / "s",
        "staff.csv",
        "staff_ref,school_id,role,title,forename,surname\nJDO,A,teacher,Mrs,Jane,Okafor\n",
    )
    assert load(tiny, admin, [tmp_path / "s"]).ok
    write(
        tmp_path / "e",
        "evidence.csv",
        EVIDENCE + "JDO,Questioning,observation,good,2026-10-01,SLT,"
        '"Mrs Okafor modelled it; Jane Okafor to share. Ms Lee too."\n',
    )
    report = load(tiny, admin, [tmp_path / "e"], school="A")
    assert report.ok, [str(p) for p in report.problems]
    assert report.removed == {"name": 2}
    [(note,)] = tiny.execute(
        "SELECT note FROM evidence WHERE skill_id = 'questioning' AND date = '2026-10-01'"
    ).fetchall()
    assert note == "[name] modelled it; [name] to share. Ms Lee too."
    assert "okafor" not in everything(tiny).lower()


def test_a_schools_own_lookup_gives_the_stored_refs(tmp_path, capsys, monkeypatch, tiny_db) -> None:
    from brokering.cli import main
    from brokering.pseudonymise import school_key

    monkeypatch.setenv("BROKERING_SCHOOL_KEY", school_key(KEY, "B"))
    src = write(tmp_path, "export.csv", "code\nJDO\n")
    out = tmp_path / "lookup.csv"
    args = ["--db", str(tiny_db), "pseudonyms", str(src), "--column", "code"]
    assert main([*args, "--out", str(out)]) == 0
    assert out.read_text().splitlines() == [
        "code,staff_ref",
        f"JDO,{staff_pseudonym('B', 'JDO', KEY)}",
    ]


def test_cli_names_the_option_a_refusal_needs(tiny_db, tmp_path, capsys, monkeypatch) -> None:
    """The problem's words carry no flag (the web page shows them too); the command line
    adds a hint naming the option (issue 23)."""
    from brokering.cli import main

    monkeypatch.setenv("BROKERING_PSEUDONYM_KEY", KEY.decode())
    a = write(tmp_path / "a", "staff.csv", STAFF + "JDO,A,teacher,,jane.doe@alder.sch.uk,\n")
    b = write(tmp_path / "b", "staff.csv", STAFF + "JD7,B,teacher,,jane.doe@alder.sch.uk,\n")
    assert main(["--db", str(tiny_db), "import", str(a)]) == 0
    capsys.readouterr()
    assert main(["--db", str(tiny_db), "import", str(b)]) == 2
    out = capsys.readouterr().out
    problem = next(line for line in out.splitlines() if "moves between schools accepted" in line)
    assert "--" not in problem
    assert "Hint: --accept-moves accepts moves between schools." in out
