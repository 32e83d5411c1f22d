"""Columns of single staff identifiers are resolved in bulk (identity_columns.py): each
distinct (school, code) hashed once, the index joined in SQL, the staged rows rewritten once.
The rules stay identity.py's: school + code is a person, labels are labels, an unknown code
is reported on its own row, e-mail addresses resolve through the index."""

from __future__ import annotations

from pathlib import Path

import pytest

from brokering.importing import import_paths
from brokering.pseudonymise import StaffPseudonyms, staff_pseudonym
from tests.conftest import TINY_TODAY, data_tables

KEY = b"an-alliance-secret-of-some-length"
STAFF = "staff_ref,school_id,role,subjects,email\n"
EVIDENCE = "school_id,staff_ref,skill,evidence_type,strength,date,recorded_by,note\n"


def _write(folder: Path, name: str, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text(text)
    return folder / name


def _load(con, admin, paths, **kw):
    return import_paths(con, paths, admin, today=TINY_TODAY, pseudonym_key=KEY, **kw)


@pytest.mark.parametrize(
    "codes",
    [
        ["JDO", " jdo ", "JDO", "Ölçü-7", "", "x" * 300, "a@b", "S0000001"],
        [],
    ],
)
def test_many_pseudonyms_equal_one_at_a_time(codes: list[str]) -> None:
    schools = ["A", "B", "A", "U100000", "A", "B", "A", "B"][: len(codes)]
    bulk = StaffPseudonyms(KEY).many(schools, codes).to_pylist()
    one = StaffPseudonyms(KEY)
    assert bulk == [one(s, c) for s, c in zip(schools, codes, strict=True)]
    assert bulk == [staff_pseudonym(s, c, KEY) for s, c in zip(schools, codes, strict=True)]


def test_a_long_alliance_key_pads_as_hmac_does() -> None:
    key = b"k" * 100  # longer than SHA-256's block: hashed first, as HMAC says
    pseudonyms = StaffPseudonyms(key)
    assert pseudonyms.many(["A"], ["JDO"]).to_pylist() == [staff_pseudonym("A", "JDO", key)]


def _staff(con, admin, tmp_path: Path) -> None:
    s = _write(
        tmp_path / "s",
        "staff.csv",
        STAFF + "JDO,A,teacher,,jane.doe@alder.sch.uk\nJDO,B,teacher,,\nOBS,A,teacher,,\n",
    )
    report = _load(con, admin, [s])
    assert report.ok, [str(p) for p in report.problems]


def test_one_file_of_several_schools_keeps_school_and_code_apart(tiny, admin, tmp_path) -> None:
    _staff(tiny, admin, tmp_path)
    ev = _write(
        tmp_path / "e",
        "evidence.csv",
        EVIDENCE + "A,JDO,Questioning,observation,good,2026-10-01,OBS,\n"
        "B,JDO,Questioning,observation,good,2026-10-02,slt,\n"
        ",JDO,Questioning,observation,good,2026-10-03,peer,\n"  # the file's school: B
        "A,jane.doe@alder.sch.uk,Questioning,observation,good,2026-10-04,self,\n",
    )
    report = _load(tiny, admin, [ev], school="B")
    assert report.ok, [str(p) for p in report.problems]
    a, b = staff_pseudonym("A", "JDO", KEY), staff_pseudonym("B", "JDO", KEY)
    rows = tiny.execute(
        "SELECT date::VARCHAR, staff_ref, recorded_by FROM evidence WHERE date >= '2026-10-01' "
        "AND skill_id = 'questioning' ORDER BY date"
    ).fetchall()
    assert rows == [
        ("2026-10-01", a, staff_pseudonym("A", "OBS", KEY)),
        ("2026-10-02", b, "SLT"),
        ("2026-10-03", b, "peer"),
        ("2026-10-04", a, "self"),  # the e-mail address is JDO at A's, through the index
    ]


def test_each_unknown_code_is_reported_on_its_own_row(tiny, admin, tmp_path) -> None:
    _staff(tiny, admin, tmp_path)
    ev = _write(
        tmp_path / "e",
        "evidence.csv",
        EVIDENCE + "A,JDO,Questioning,observation,good,2026-10-01,SLT,\n"
        "A,ZZ9,Questioning,observation,good,2026-10-02,SLT,\n"
        "B,OBS,Questioning,observation,good,2026-10-03,SLT,\n"  # OBS is A's code, not B's
        "A,ZZ9,Questioning,observation,good,2026-10-04,SLT,\n",
    )
    before = data_tables(tiny)
    report = _load(tiny, admin, [ev])
    assert not report.ok and data_tables(tiny) == before
    said = sorted((p.line, p.who, p.column) for p in report.problems)
    assert said == [
        (3, "staff code ZZ9", "staff_ref"),
        (4, "staff code OBS", "staff_ref"),
        (5, "staff code ZZ9", "staff_ref"),
    ]
    assert all(p.value == "" for p in report.problems)  # never the pseudonym
    assert all("P" + staff_pseudonym("A", "ZZ9", KEY)[1:] not in str(p) for p in report.problems)


def test_labels_made_in_bulk_name_people_as_the_file_did() -> None:
    import pyarrow as pa

    from brokering.importing.identity_columns import Labels

    labels = Labels()
    assert not labels
    labels["PAAAAAAAAAAAA"] = "e-mail j…@alder.sch.uk"
    labels.add_codes(pa.array(["PAAAAAAAAAAAA", "PBBBBBBBBBBBB"]), pa.array(["JDO", "KLM"]))
    assert labels  # pending entries count before they are made
    labels.setdefault("PBBBBBBBBBBBB", "staff code other")
    assert labels["PAAAAAAAAAAAA"] == "e-mail j…@alder.sch.uk"  # the earlier label wins
    assert labels.get("PBBBBBBBBBBBB") == "staff code KLM"
    assert "PCCCCCCCCCCCC" not in labels and len(labels) == 2
