"""The governors' half-term summary: headings in words, a paragraph per section written only
from the figures shown (a hidden figure is named as hidden, never stated or compared), no
NaN/None/<NA> anywhere, an A4 print style, and — on the page — prepared once and then
downloadable again on every rerun until the data or the filters change.

The printed PDF itself is checked in tests/browser/test_governors_summary_pdf.py."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from brokering.dashboard import narrative, report
from brokering.dashboard.transfer import Figure
from brokering.importing import import_paths
from brokering.store import open_store
from brokering.viewer import Viewer, operator
from tests.conftest import TINY, TINY_TODAY
from tests.test_dashboard import AS_OF, AUTUMN, dash  # noqa: F401 - the fixture
from tests.test_page_dashboard import _load_pairings

ROOT = Path(__file__).resolve().parents[1]
GOVERNOR = Viewer("viewer", None, "governor")


def _fig(key: str, value, previous, hidden=False, previous_hidden=False) -> Figure:
    return Figure(key, key, value, previous, 5, "", hidden, previous_hidden)


def test_the_headline_paragraph_says_what_rose_and_what_fell() -> None:
    text = narrative.headline_story(
        [_fig("transferred", 7, 4), _fig("overdue", 1, 3), _fig("active", 9, 9)], "Summer 2026"
    )
    assert "Evidenced transfers rose from 4 in Summer 2026 to 7 this term." in text
    assert "Overdue reviews fell from 3 in Summer 2026 to 1 this term." in text
    assert "Pairings active stayed at 9, as in Summer 2026." in text


def test_a_hidden_figure_is_named_as_hidden_and_never_compared() -> None:
    # This term hidden: not stated, and no change (which with last term's 4 would give it).
    text = narrative.headline_story([_fig("transferred", None, 4, hidden=True)], "Summer 2026")
    assert text == "Evidenced transfers this term is not shown: it rests on fewer than 3 people."
    # Last term hidden: this term's figure stands alone, with no rise or fall beside it.
    text = narrative.headline_story([_fig("rate", 80.0, None, previous_hidden=True)], "Summer 2026")
    assert "80%" in text and "not shown" in text
    assert not re.search(r"\b(rose|fell|from)\b", text)


def test_the_outcomes_paragraph_reads_only_the_schools_shown() -> None:
    frame = pd.DataFrame(
        {
            "group": ["Ash", "Ash", "Birch", "Cedar", "Cedar"],
            "outcome": ["open", "transferred", "open", "open", "transferred"],
            "pairings": pd.array([4, 3, None, 2, None], dtype="Int64"),
        }
    )
    text = narrative.outcomes_story(frame)
    assert "Ash received the most pairings this term: 7." in text
    assert "1 school shown has at least one evidenced transfer." in text
    assert "1 school is not shown" in text
    assert "Birch" not in text  # every cell of Birch is hidden
    # A school with one outcome hidden is counted on the outcomes shown, and says so.
    partly = frame.assign(pairings=pd.array([4, None, None, 2, None], dtype="Int64"))
    assert "Ash received the most pairings this term: 4, counting only its outcomes shown." in (
        narrative.outcomes_story(partly)
    )


def test_the_balance_paragraph_counts_hidden_schools_without_their_hours() -> None:
    frame = pd.DataFrame(
        {
            "school": ["Ash", "Birch"],
            "hours given": pd.array([12.5, None], dtype="Float64"),
            "relationship": ["mostly gives", "fewer than 3 people: hidden"],
        }
    )
    text = narrative.balance_story(frame)
    assert "Ash gave the most hours to other schools (12.5 hours)." in text
    assert "The hours of 1 school are not shown" in text
    assert "Birch" not in text


def _visible(html: str) -> str:
    html = re.sub(r'src="data:[^"]+"', "", html)
    return re.sub(r"<style>.*?</style>", "", html)


@pytest.mark.parametrize("who", ["administrator", "governor"])
def test_the_summary_has_every_section_in_words_and_prints_on_a4(dash, who: str) -> None:  # noqa: F811
    viewer = operator() if who == "administrator" else GOVERNOR
    html = report.half_term_summary(dash, viewer, AUTUMN, as_of=AS_OF)
    body = _visible(html)
    headings = re.findall(r"<h2>(.*?)</h2>", body)
    assert headings == list(report.HEADINGS)
    # Each heading is followed by a paragraph written from its figures.
    for section in body.split("<h2>")[1:]:
        paragraph = re.search(r"</h2><p>(.+?)</p>", section)
        assert paragraph and len(paragraph.group(1)) > 20, section[:200]
    for leftover in ("nan", "NaN", "<NA>", "&lt;NA&gt;", "None", "NaT", "00:00:00"):
        assert not re.search(rf"(?<![\w-]){re.escape(leftover)}(?![\w-])", body), leftover
    assert "@page{size:A4" in html
    assert "1 September 2026 to 31 December 2026" in body  # one date format, in words
    assert 'alt="Outcomes by receiving school (number of pairings)"' in body or who == "governor"


def test_the_governors_summary_states_no_hidden_figure(dash) -> None:  # noqa: F811
    """On the tiny alliance every pairing rests on two people: a governor's summary names
    those figures as hidden and states none of them, in the table or the paragraphs."""
    html = _visible(report.half_term_summary(dash, GOVERNOR, AUTUMN, as_of=AS_OF))
    first = html.split("<h2>")[1]
    assert "Evidenced transfers this term is not shown" in first
    assert "fewer than 3" in first
    assert not re.search(r"Evidenced transfers (rose|fell|stayed)", first)


@pytest.fixture
def app_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "alliance.duckdb"
    con = open_store(path)
    assert import_paths(con, [TINY], operator(), today=TINY_TODAY).ok
    _load_pairings(con)
    con.close()
    monkeypatch.setenv("BROKERING_DB", str(path))
    st.cache_resource.clear()
    st.cache_data.clear()
    yield path
    st.cache_resource.clear()
    st.cache_data.clear()


def _prepared_count(path: Path) -> int:
    st.cache_resource.clear()  # let go of the app's handle before reading the file
    con = open_store(path)
    try:
        return con.execute(
            "SELECT count(*) FROM audit_log WHERE action = 'export' "
            "AND detail LIKE '%half-term summary%'"
        ).fetchall()[0][0]
    finally:
        con.close()


def test_the_summary_is_downloadable_again_without_preparing_it_again(app_db: Path) -> None:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.session_state["viewer_role"] = "viewer"
    at.run()
    at.switch_page("app_pages/transfer.py").run()
    assert not at.exception
    labels = [d.proto.label for d in at.get("download_button")]
    assert not any(label.startswith("Download the summary") for label in labels)
    next(b for b in at.button if b.label == "Prepare the printable summary").click().run()
    assert not at.exception
    at.run()  # any later rerun (a download click, another widget) keeps it
    labels = [d.proto.label for d in at.get("download_button")]
    assert any(label.startswith("Download the summary") for label in labels)
    assert any(b.label == "Prepare it again" for b in at.button)
    assert _prepared_count(app_db) == 1
