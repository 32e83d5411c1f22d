"""User text is shown as text on every page (issue 22): a payload that would be bold, a
`javascript:` link and an HTML image with an onerror handler, if rendered, is put into every
kind of text a user types or a file carries — a school's name, an evidence note, a need's
note, a request's note, a pairing's reason, contributions, note and log entries, a maturity
judgement's note, and a skill's name in an imported file — and every page is explored
(ui_leakcheck.explore) as the administrator, a head of the school with the hostile name and
the alliance coordinator. Wherever Streamlit would read a string as Markdown (text, captions,
headings, alerts, labels, expanders, tabs, buttons, metrics), the payload appears only
escaped: literal text, never a live link, image, HTML or emphasis."""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

import ui
import ui_leakcheck
from brokering import permissions
from brokering.dashboard import maturity
from brokering.importing import import_paths
from brokering.matching import needs, requests
from brokering.pairings import entries, service
from brokering.pairings.model import EntryDraft, PairingDraft
from brokering.store import open_store
from brokering.viewer import Viewer, operator
from tests.conftest import TINY, TINY_TODAY

ROOT = Path(__file__).resolve().parents[1]
PAYLOAD = "**bold** [x](javascript:alert(1)) <img src=x onerror=alert(1)>"
#: The payload (or part of it) live: unescaped emphasis, link, HTML or javascript: scheme.
LIVE = re.compile(r"(?<!\\)\*\*bold|(?<!\\)\[x|(?<!\\)<img|javascript:")
#: Proto fields Streamlit renders as Markdown.
MARKDOWN_FIELDS = ("body", "label", "help", "caption")
#: Elements Streamlit shows character for character (st.text, st.code, st.json).
LITERAL = {"Text", "Code", "Json"}
ROLES = [("alliance_admin", None), ("headteacher", "B"), ("sle_coordinator", None)]


def _write_schools(folder: Path) -> None:
    path = folder / "schools.csv"
    rows = list(csv.DictReader(path.open(encoding="utf-8")))
    for row in rows:
        if row["school_id"] == "B":
            row["name"] = f"Birch {PAYLOAD}"
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    path = folder / "evidence.csv"
    rows = list(csv.DictReader(path.open(encoding="utf-8")))
    for row in rows:
        if row["staff_ref"] in ("B2", "A2"):
            row["note"] = PAYLOAD
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


@pytest.fixture(scope="module")
def hostile_db(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    import shutil

    work = tmp_path_factory.mktemp("user-text")
    folder = work / "tiny"
    shutil.copytree(TINY, folder)
    _write_schools(folder)
    path = work / "alliance.duckdb"
    con = open_store(path)
    admin = operator("test-admin")
    assert import_paths(con, [folder], admin, today=TINY_TODAY).ok
    need = needs.add_need(
        con, admin, staff_ref="B3", skill="Questioning", note=PAYLOAD, today=TINY_TODAY
    )
    assert need.note == PAYLOAD
    # B2 is proposable for B3's mathematics need (N1): asked with the hostile note, today.
    requests.send_request(con, admin, "N1", "B2", note=PAYLOAD, as_of=date.today())
    pairing_id = service.log_pairing(
        con,
        admin,
        PairingDraft(
            donors=("B2",),
            recipients=("A2",),
            skill_id="questioning",
            work_kind="coaching",
            start_date=date(2026, 9, 1),
            review_date=date(2026, 12, 1),
            status="active",
            donor_contribution=PAYLOAD,
            recipient_contribution=PAYLOAD,
            reason=PAYLOAD,
            note=PAYLOAD,
        ),
        today=TINY_TODAY,
    )
    entries.add_entry(
        con,
        admin,
        str(pairing_id),
        EntryDraft(
            entry_type="observation",
            date=date(2026, 10, 1),
            observed_ref="A2",
            recorded_by="SLT",
            rating_before=2,
            rating_after=3,
            measure=PAYLOAD,
            note=PAYLOAD,
        ),
        today=TINY_TODAY,
    )
    maturity.record_judgement(
        con, admin, "alliance", maturity.STRANDS[0], "Developing", PAYLOAD, None
    )
    con.close()
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("BROKERING_DB", str(path))
        patch.setenv("BROKERING_SIGN_IN", "off")
        st.cache_resource.clear()
        st.cache_data.clear()
        with ui_leakcheck.recording_downloads():
            yield path
    st.cache_resource.clear()
    st.cache_data.clear()


def _markdown_strings(node: object, out: list[str]) -> None:
    """Every string the page hands to Streamlit's Markdown renderer, from the elements as
    sent to the browser."""
    proto = getattr(node, "proto", None)
    literal = proto is not None and proto.DESCRIPTOR.name in LITERAL
    if proto is not None and hasattr(proto, "ListFields") and not literal:
        for desc, value in proto.ListFields():
            if desc.name in MARKDOWN_FIELDS and isinstance(value, str):
                out.append(value)
    children = getattr(node, "children", None)
    if isinstance(children, dict):
        for child in children.values():
            _markdown_strings(child, out)


def _app(role: str, school: str | None) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.session_state["viewer_role"] = role
    if school:
        at.session_state["viewer_school"] = school
    return at.run()


def _states(role: str, school: str | None, page: str) -> Iterator[tuple[str, list[str], str]]:
    """(state, the strings read as Markdown, everything shown) for each state explored."""
    at = _app(role, school)
    for state, text in ui_leakcheck.explore(at, page):
        found: list[str] = []
        _markdown_strings(at._tree, found)
        assert not at.exception, (page, state, at.exception)
        yield state, found, text


@pytest.mark.parametrize(("role", "school"), ROLES)
def test_no_page_renders_user_text_as_markdown(hostile_db: Path, role, school) -> None:
    viewer = Viewer(role, school)
    live: list[str] = []
    escaped = ui.plain(PAYLOAD)
    shown_on: set[str] = set()
    in_data_on: set[str] = set()
    for page in ui_leakcheck.pages():
        if not permissions.can_open(viewer, page):
            continue
        for state, strings, text in _states(role, school, page):
            live += [f"{page} {state}: {s!r}" for s in strings if LIVE.search(s)]
            if any(escaped in s for s in strings):
                shown_on.add(page)
            if PAYLOAD in text:
                in_data_on.add(page)
    assert not live, "\n".join(live)
    # Not vacuous: the school's name, the notes and the pairing's words are on the pages,
    # as escaped Markdown and as table, chart and option text (drawn as it is).
    assert {"app_pages/pairings.py", "app_pages/coaches.py"} <= shown_on, shown_on
    if role == "alliance_admin":
        pages = {"app_pages/transfer.py", "app_pages/maturity.py", "app_pages/profile.py"}
        assert pages <= in_data_on | shown_on, in_data_on | shown_on


def test_a_skill_name_from_an_imported_file_is_shown_as_text(
    hostile_db: Path, tmp_path: Path
) -> None:
    """The Data page quotes an uploaded file's words (a skill it cannot place) as text."""
    evidence = tmp_path / "evidence.csv"
    evidence.write_text(
        "staff_ref,skill,evidence_type,strength,date,recorded_by,note,phase\n"
        f'A2,"{PAYLOAD}",observation,4,2026-10-01,A1,,KS1\n',
        encoding="utf-8",
    )
    at = _app("alliance_admin", None)
    at.switch_page("app_pages/data.py").run()
    at.get("file_uploader")[0].set_value([(evidence.name, evidence.read_bytes(), "text/csv")]).run()
    for button in at.button:
        if button.label in ("Check and import", "Import"):
            button.click().run()
            break
    assert not at.exception, at.exception
    strings: list[str] = []
    _markdown_strings(at._tree, strings)
    assert not [s for s in strings if LIVE.search(s)]
    # The file's words are on the page: in the mapping's tables, cell for cell, as text.
    cells = [v for e in at.dataframe for v in e.value.astype(str).to_numpy().ravel().tolist()]
    assert PAYLOAD in cells
