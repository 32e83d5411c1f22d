"""Pages in words (issue 23): on Alliance maturity a recorded judgement's history shows the
role in words (never its code) and no missing-value marks, and the school-by-school table
says "not enough data" where no stage can be suggested, never "None"; a staff profile names
the person's subjects by the taxonomy's names, not its references."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from brokering.importing import import_paths
from brokering.store import open_store
from brokering.viewer import operator
from tests.conftest import TINY, TINY_TODAY

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "alliance.duckdb"
    con = open_store(path)
    assert import_paths(con, [TINY], operator(), today=TINY_TODAY).ok
    con.close()
    monkeypatch.setenv("BROKERING_DB", str(path))
    st.cache_resource.clear()
    st.cache_data.clear()
    yield path
    st.cache_resource.clear()
    st.cache_data.clear()


def _no_missing_marks(frame: pd.DataFrame) -> None:
    assert not frame.isna().any().any(), frame
    for value in frame.astype(str).to_numpy().ravel():
        assert value not in ("None", "nan", "NaT", "<NA>"), frame


def test_judgement_history_and_school_table_are_in_words(db: Path) -> None:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.session_state["viewer_role"] = "headteacher"
    at.session_state["viewer_school"] = "A"
    at.run()
    at.switch_page("app_pages/maturity.py").run()
    assert not at.exception
    at.text_area[0].input("We review strengths termly.")
    at.button[0].click().run()
    assert not at.exception
    history = next(d.value for d in at.dataframe if "recorded_by" in d.value.columns)
    assert set(history["role"]) == {"Headteacher"}
    _no_missing_marks(history.drop(columns=["recorded_at"]))
    overview = at.dataframe[-1].value
    assert "school" in overview.columns and "school_id" not in overview.columns
    _no_missing_marks(overview)


def test_a_profile_names_subjects_in_words(db: Path) -> None:
    # The demo's early-years staff carry areas of learning as the taxonomy's references.
    con = open_store(db)
    con.execute(
        "UPDATE staff SET subjects = ['early-reading-and-phonics', 'Mathematics'] "
        "WHERE staff_ref = 'A2'"
    )
    con.close()
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.session_state["viewer_role"] = "senior_leader"
    at.session_state["viewer_school"] = "A"
    at.run()
    at.switch_page("app_pages/profile.py").run()
    at.text_input(key="profile_ref").input("A2").run()
    assert not at.exception
    line = next(m.value for m in at.markdown if "subjects" in m.value)
    assert "subjects Early reading and phonics, Mathematics" in line, line
