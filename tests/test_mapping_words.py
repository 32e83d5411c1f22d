"""The mapping editor in words (issue 23): the Data page shows each product column as
people say it ("Staff code", "Leave out (not read)", "Keep only as a pseudonym"), while the
mapping the edits make — the one saved and used by the command line — keeps the stable
identifiers (`staff_ref`, `drop`, `hash`)."""

from __future__ import annotations

import json
from pathlib import Path

from brokering import mapping as maps
from brokering.db import Connection
from brokering.importing.spec import TABLES
from brokering.mapping import words
from tests import exports


def test_every_column_of_every_table_has_words_and_they_read_back() -> None:
    for table, spec in TABLES.items():
        shown = words.choices(table)
        assert len(set(shown)) == len(shown), table  # one choice, one meaning
        for name in (maps.DROP, maps.HASH, *spec.names):
            said = words.words(name)
            assert said != name and "_" not in said, (table, name, said)
            assert words.target(table, said) == name
            assert words.target(table, name) == name  # an identifier (a saved map) reads too


def test_the_editor_shows_words_and_its_edits_are_saved_as_identifiers(
    tiny: Connection, tmp_path: Path
) -> None:
    export = exports.bromcom_staff(tmp_path)
    folder = tmp_path / "uploads"
    folder.mkdir()
    [(_, source, proposed)], refused = maps.propose_uploads(
        tiny, folder, [(export.name, export.read_bytes())], "C"
    )
    assert not refused
    table = maps.column_table(proposed, source)
    reads = dict(zip(table[maps.COLUMN], table[maps.TARGET], strict=True))
    assert reads["Staff Code"] == "Staff code"
    assert set(reads.values()) <= set(maps.target_choices("staff"))
    assert not {"staff_ref", "drop", "hash", "school_id"} & set(maps.target_choices("staff"))
    # the person leaves the role out and keeps the e-mail only as a pseudonym, in words
    edited = table.copy()
    edited.loc[edited[maps.COLUMN] == "Role", maps.TARGET] = "Leave out (not read)"
    revised = maps.revise(proposed, source, edited, None, "C", known_schools={"A", "B", "C"})
    assert revised.columns["Role"] == "drop"
    assert revised.columns["Staff Code"] == "staff_ref"
    saved = json.dumps(maps.Mapping([revised]).to_dict())
    assert '"staff_ref"' in saved and "Staff code" not in saved
    preview = maps.preview(revised, source)
    assert "Staff code" in preview.columns and "staff_ref" not in preview.columns
    assert "Role" not in preview.columns  # left out: not read
