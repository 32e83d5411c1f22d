"""The Data page takes a consent form's answers as they come (AppTest): a Microsoft Forms
sheet is read as consent answers through its built-in profile, imported, and an answer from
someone not held is named by row, with nothing written for it."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from brokering.db import connect
from brokering.importing import import_paths
from brokering.mapping import propose
from brokering.pseudonymise import alliance_key, staff_pseudonym
from brokering.viewer import operator
from tests import exports
from tests.conftest import TINY_TODAY
from tests.test_page_data_mapping import _button, _data_page, _upload

SECRET = "a-test-alliance-secret-of-32-chars!"


@pytest.fixture(autouse=True)
def _alliance_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BROKERING_PSEUDONYM_KEY", SECRET)


def test_a_forms_sheet_changes_consent_and_names_the_answers_from_nobody_held(
    tiny_db: Path, tmp_path: Path
) -> None:
    # School A's SIMS export first: Zoë (A4) is held, with her e-mail's keyed hash.
    con = connect(tiny_db)
    sims = exports.sims_staff_details(tmp_path)
    mapping, _ = propose([sims], tmp_path, school="A")
    report = import_paths(
        con, [sims], operator(), mapping=mapping, today=TINY_TODAY, pseudonym_key=alliance_key()
    )
    assert report.ok, [str(p) for p in report.problems]
    con.close()
    forms = exports.forms_consent(tmp_path)
    with forms.open("a", encoding="utf-8", newline="") as fh:
        csv.writer(fh, lineterminator="\r\n").writerow(
            ["2", "2026-09-21 09:00:00", "2026-09-21 09:01:00", "stranger@elsewhere.example.org",
             "Ann Stranger", "", "No"]
        )  # fmt: skip
    at = _upload(_data_page(), forms, "text/csv")
    assert any("Read as **consent answers**" in c.value and "Forms" in c.value for c in at.caption)
    preview = at.dataframe[-1].value
    assert list(preview.columns) == ["Agrees to share alliance-wide", "Consent dated"]  # no e-mail
    assert "elsewhere" not in preview.to_string()
    _button(at, "Check and import").click().run()
    assert not at.exception
    assert any("Imported: it is the newest import" in s.value for s in at.success), [
        e.value for e in at.error
    ]
    [warning] = [w.value for w in at.warning if "line 3" in w.value]
    assert "s…@elsewhere.example.org" in warning and "Nothing was written" in warning
    con = connect(tiny_db)
    try:
        ref = staff_pseudonym("A", "A4", alliance_key())
        assert con.execute(
            "SELECT share_consent, consent_date::VARCHAR FROM staff WHERE staff_ref = ?", [ref]
        ).fetchall() == [(True, "2026-09-20")]
    finally:
        con.close()
