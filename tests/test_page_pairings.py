"""The JPD pairings page through AppTest, on a tiny store with two pairings:
P0001 C1 -> A2 (review due, observed after the start), P0002 B2 -> B3 (active, same school,
review date passed, nothing logged)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from brokering.importing import import_paths
from brokering.pairings import lifecycle, views
from brokering.store import open_store
from brokering.viewer import operator
from tests import grid
from tests.conftest import TINY, TINY_TODAY

ROOT = Path(__file__).resolve().parents[1]
PAIRINGS = (
    "pairing_id,donor_refs,recipient_refs,skill,work_kind,status,start_date,review_date\n"
    "P0001,C1,A2,Questioning,coaching,review due,2026-09-01,2026-11-01\n"
    "P0002,B2,B3,Retrieval practice,co-planning,active,2026-09-01,2026-10-01\n"
)
EVIDENCE = (
    "pairing_id,entry_type,date,recorded_by,observed_ref,hours,rating_before,rating_after\n"
    "P0001,coaching session,2026-09-15,C1,,1.5,,\n"
    "P0001,observation,2026-10-20,SLT,A2,1,2,3\n"
)


@pytest.fixture
def db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    batch = tmp_path / "batch"
    batch.mkdir()
    (batch / "pairings.csv").write_text(PAIRINGS)
    (batch / "pairing_evidence.csv").write_text(EVIDENCE)
    path = tmp_path / "alliance.duckdb"
    con = open_store(path)
    for folder in (TINY, batch):
        assert import_paths(con, [folder], operator(), today=TINY_TODAY).ok
    con.close()
    monkeypatch.setenv("BROKERING_DB", str(path))
    monkeypatch.setenv("BROKERING_SIGN_IN", "off")
    st.cache_resource.clear()
    st.cache_data.clear()
    yield path
    st.cache_resource.clear()
    st.cache_data.clear()


def page(role: str = "sle_coordinator") -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.session_state["viewer_role"] = role
    at.run()
    at.switch_page("app_pages/pairings.py").run()
    assert not at.exception, at.exception
    return at


def button(at: AppTest, label: str):
    return next(b for b in at.button if b.label == label)


def by_label(widgets, label: str):
    return next(w for w in widgets if w.label == label)


def stored(path: Path, pairing_id: str) -> dict:
    st.cache_resource.clear()
    con = open_store(path)
    try:
        return views.pairing_detail(con, operator(), pairing_id)
    finally:
        con.close()


def test_list_counts_and_an_open_pairing(db: Path) -> None:
    at = page()
    assert at.title[0].value == "JPD pairings"
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Review due"] == "1" and metrics["Active"] == "1"
    listed = at.dataframe[0].value
    assert listed["pairing_id"].tolist() == ["P0001", "P0002"]
    # a pairing in words, its reference only in a small note and the table's last column
    heading = at.subheader[0].value.replace("\\", "")  # as drawn, Markdown's escapes gone
    assert heading.startswith("Questioning: Cedar Special School → Alder Primary")
    assert "started 1 Sep 2026" in heading and "P0001" not in heading
    assert any(c.value == "Reference P0001" for c in at.caption)
    assert listed.columns[-1] == "pairing_id"
    choice = by_label(at.selectbox, "Open a pairing")
    assert not any("P000" in o for o in choice.options)
    assert choice.options[0].startswith("Questioning: ")
    assert any("Transfer evidenced by 1" in s.value for s in at.success)
    assert len(at.get("download_button")) >= 1


def test_same_school_pairing_is_marked(db: Path) -> None:
    at = page()
    by_label(at.selectbox, "Open a pairing").set_value("P0002").run()
    assert not at.exception
    assert any("Same-school pairing" in w.value for w in at.warning)
    assert any("1 pairing(s) past the review date" in w.value for w in at.warning)
    assert any("No observation yet" in w.value for w in at.warning)


def test_log_a_pairing_through_the_form(db: Path) -> None:
    at = page()
    at.radio(key="pairings_view").set_value("Log a pairing").run()
    by_label(at.text_input, "Practice").input("cold calling")
    by_label(at.multiselect, "Donor (shares the practice)").set_value(["C1"])
    by_label(at.multiselect, "Recipient (develops the practice)").set_value(["B3"])
    by_label(at.selectbox, "Starts as").set_value("active")
    button(at, "Log the pairing").click().run()
    assert not at.exception
    assert not at.error, [e.value for e in at.error]
    assert any(s.value.startswith("Logged the pairing") for s in at.success)
    assert at.radio(key="pairings_view").value == "Pairings"
    detail = stored(db, "P0003")
    assert detail["practice"] == "Questioning" and detail["status"] == "active"
    assert detail["disciplines"] == ["behaviour-and-routines", "curriculum-design"]


def test_refused_pairing_shows_a_plain_error_and_writes_nothing(db: Path) -> None:
    at = page()
    at.radio(key="pairings_view").set_value("Log a pairing").run()
    by_label(at.text_input, "Practice").input("Questioning")
    by_label(at.multiselect, "Donor (shares the practice)").set_value(["C1"])
    by_label(at.multiselect, "Recipient (develops the practice)").set_value(["C1"])
    button(at, "Log the pairing").click().run()
    assert not at.exception
    assert "both donor and recipient" in at.error[0].value


def test_move_to_transferred_and_a_refused_move(db: Path) -> None:
    at = page()
    by_label(at.selectbox, "Move to").set_value("not transferred")
    button(at, "Move").click().run()
    assert "Give the reason" in at.error[0].value
    assert stored(db, "P0001")["status"] == "review due"
    by_label(at.selectbox, "Move to").set_value("transferred")
    button(at, "Move").click().run()
    assert not at.exception
    assert any("The pairing is now transferred" in s.value for s in at.success)
    assert stored(db, "P0001")["status"] == "transferred"


def test_add_an_observation_to_the_log(db: Path) -> None:
    at = page()
    by_label(at.selectbox, "Open a pairing").set_value("P0002").run()
    # Whose practice was seen defaults by the type of entry: a visit sees the donor's.
    by_label(at.selectbox, "Type of entry").set_value("visit").run()
    assert by_label(at.selectbox, "Whose practice was seen").value == "B2"
    by_label(at.selectbox, "Type of entry").set_value("observation").run()
    assert by_label(at.selectbox, "Whose practice was seen").value == "B3"
    by_label(at.text_input, "Recorded by").input("B2")
    by_label(at.number_input, "Hours").set_value(1.0)
    by_label(at.selectbox, "Rating of what was seen (1-4, 4 strongest)").set_value(3)
    button(at, "Add to the log").click().run()
    assert not at.exception
    assert any("Added the observation to this pairing" in s.value for s in at.success)
    assert stored(db, "P0002")["transfer_evidence"] == 1


def test_a_refused_entry_says_why_at_the_form_and_writes_nothing(db: Path) -> None:
    """The entry is written at the top of the run after the submit (before the log is
    drawn): a refusal is shown at the form, and the log and the store are unchanged."""
    at = page()
    by_label(at.selectbox, "Open a pairing").set_value("P0002").run()
    before = _entries(db)
    by_label(at.text_input, "Recorded by").input("Jo Bloggs")  # a name: refused
    button(at, "Add to the log").click().run()
    assert not at.exception
    assert any("never write a name here" in e.value for e in at.error)
    assert not any("Added" in s.value for s in at.success)
    assert _entries(db) == before


def _entries(path: Path) -> int:
    st.cache_resource.clear()
    con = open_store(path)
    try:
        return con.execute("SELECT count(*) FROM pairing_entries").fetchall()[0][0]
    finally:
        con.close()


def test_a_baseline_shows_as_one_and_never_counts(db: Path) -> None:
    at = page()
    by_label(at.selectbox, "Open a pairing").set_value("P0002").run()
    by_label(at.selectbox, "Type of entry").set_value("baseline observation").run()
    assert by_label(at.selectbox, "Whose practice was seen").value == "B3"
    by_label(at.text_input, "Recorded by").input("B2")
    by_label(at.selectbox, "Rating of what was seen (1-4, 4 strongest)").set_value(2)
    button(at, "Add to the log").click().run()
    assert not at.exception, at.exception
    assert stored(db, "P0002")["transfer_evidence"] == 0
    assert any("No observation yet shows" in w.value for w in at.warning)
    verdicts = next(d.value for d in at.dataframe if "why" in d.value.columns)
    assert verdicts["why"].str.contains("is a baseline").all()


def test_accountability_keeps_the_overdue_in_view(db: Path) -> None:
    at = page()
    at.radio(key="pairings_view").set_value("Accountability").run()
    assert not at.exception
    overdue = at.dataframe[0].value
    assert overdue["pairing_id"].tolist() == ["P0002"]
    assert len(at.get("download_button")) >= 2


def test_ledger_shows_a_chart_and_tables(db: Path) -> None:
    at = page()
    at.radio(key="pairings_view").set_value("Reciprocity ledger").run()
    assert not at.exception
    assert at.get("arrow_vega_lite_chart") or at.get("vega_lite_chart")
    schools = at.dataframe[0].value.set_index("school")
    assert schools.loc["Cedar Special School", "hours_given"] == "2.5"  # session + observation


def test_aggregate_only_role_sees_figures_not_people(db: Path) -> None:
    at = page("viewer")
    assert any("figures only" in i.value for i in at.info)
    assert {m.value for m in at.metric} <= {"0", "fewer than 3"}
    assert len(at.dataframe) == 1
    assert "staff_ref" not in at.dataframe[0].value.columns


def test_edit_details_keeps_the_old_version(db: Path) -> None:
    at = page()
    at.toggle(key="correct_P0001").set_value(True).run()
    by_label(at.text_input, "Note").input("Second cycle agreed with both heads")
    by_label(at.number_input, "Planned hours").set_value(12.0)
    button(at, "Save the changes").click().run()
    assert not at.exception
    assert any("version 2; the earlier one is kept" in s.value for s in at.success)
    st.cache_resource.clear()
    con = open_store(db)
    try:
        history = views.pairing_history(con, operator(), "P0001")
    finally:
        con.close()
    assert history["planned_hours"].tolist()[-1] == 12.0
    assert history["change"].tolist() == ["imported", "edited: note, planned_hours"]


def test_withdraw_an_entry(db: Path) -> None:
    at = page()
    by_label(at.selectbox, "Open a pairing").set_value("P0002").run()
    at.toggle(key="correct_P0002").set_value(True).run()
    assert not any(f.label == "Entry" for f in at.selectbox)  # nothing logged: no form
    at = page()
    at.toggle(key="correct_P0001").set_value(True).run()
    by_label(at.text_input, "Why it is withdrawn").input("Logged against the wrong pairing")
    button(at, "Withdraw the entry").click().run()
    assert not at.exception
    assert any("withdrawn; it remains in the history" in s.value for s in at.success)


# --- every page finished (issue 23) --------------------------------------------------------
def _column_formats(at: AppTest) -> dict[str, str]:
    """Each date column's display format, across every table on the page."""
    import json

    formats: dict[str, str] = {}
    for frame in at.dataframe:
        for name, config in json.loads(frame.proto.columns or "{}").items():
            kind = (config.get("type_config") or {}).get("type")
            if kind in ("date", "datetime"):
                formats[name] = config["type_config"].get("format")
    return formats


def test_one_date_format_throughout(db: Path) -> None:
    from brokering.dates import DAY_FORMAT, DAY_TIME_FORMAT, INPUT_FORMAT

    at = page()
    at.toggle(key="history_P0001").set_value(True).run()
    at.toggle(key="correct_P0001").set_value(True).run()
    assert not at.exception
    # dates are dates (a heading click sorts them by date), drawn as "1 Sep 2026"
    listed = grid.drawn(at.dataframe[0].value).set_index("pairing_id")
    assert listed.loc["P0001", "start_date"] == "1 Sep 2026"
    assert listed.loc["P0002", "last_activity"] == ""  # nothing logged: empty, never "None"
    log = next(d.value for d in at.dataframe if "flow" in d.value.columns)
    assert set(grid.drawn(log)["date"]) == {"20 Oct 2026", "15 Sep 2026"}
    stamps = next(d.value for d in at.dataframe if "changed_at" in d.value.columns)
    assert pd.api.types.is_datetime64_any_dtype(stamps["changed_at"].dtype)
    # every date column is drawn in the one format, days without a time
    formats = _column_formats(at)
    assert set(formats.values()) <= {DAY_FORMAT, DAY_TIME_FORMAT}
    assert formats["start_date"] == DAY_FORMAT and formats["date"] == DAY_FORMAT
    assert any("started 1 Sep 2026; review 1 Nov 2026" in c.value for c in at.caption)
    entry = by_label(at.selectbox, "Entry")
    assert {o.split(" · ")[1] for o in entry.options} == {"20 Oct 2026", "15 Sep 2026"}
    assert all(d.proto.format == INPUT_FORMAT for d in at.date_input)
    text = " ".join(
        e.value for k in ("caption", "markdown", "success", "warning") for e in at.main.get(k)
    )
    assert "2026-" not in text and "00:00:00" not in text


def test_the_next_steps_are_read_from_the_lifecycle_beside_the_control(db: Path) -> None:
    at = page()  # P0001 is review due
    sentence = lifecycle.next_steps_text("review due")
    assert any(c.value == sentence for c in at.caption)
    assert "active (with a later review date)" in sentence and "stopped (with a reason)" in sentence
    assert at.get("graphviz_chart"), "the lifecycle drawn beside the control"
    by_label(at.selectbox, "Open a pairing").set_value("P0002").run()
    assert any(c.value == lifecycle.next_steps_text("active") for c in at.caption)


def test_no_leftovers_none_or_codes_on_screen(db: Path) -> None:
    at = page()
    at.toggle(key="history_P0001").set_value(True).run()
    for view in ("Pairings", "Accountability", "Reciprocity ledger"):
        at.radio(key="pairings_view").set_value(view).run()
        assert not at.exception
        text = " ".join(
            str(e.value)
            for k in ("caption", "markdown", "info", "success", "warning", "subheader")
            for e in at.main.get(k)
        )
        for leftover in ("sidebar", "Headteacher or Senior leader", "None", "nan", "NaT"):
            assert leftover not in text, (view, leftover)
        for frame in at.dataframe:
            shown = frame.value
            shown = shown.data if hasattr(shown, "data") else shown  # a styled table
            text_cols = shown.select_dtypes(include=["object", "str"])
            assert not text_cols.isna().any().any(), (view, "a missing text shows as None")


def test_the_full_history_has_headings_in_words(db: Path) -> None:
    import json

    at = page()
    at.toggle(key="history_P0001").set_value(True).run()
    assert not at.exception
    for frame in at.dataframe:
        configured = json.loads(frame.proto.columns or "{}")
        for name in frame.value.columns:
            if name.startswith("_"):
                continue
            assert name in configured and configured[name].get("label"), name


def test_no_widget_offers_none(db: Path) -> None:
    at = page()
    for box in at.selectbox:
        assert "None" not in box.options, box.label
    assert (
        "not rated" in by_label(at.selectbox, "Rating before the work (1-4, 4 strongest)").options
    )
