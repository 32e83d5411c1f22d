"""The Allocate all needs page through AppTest on the tiny alliance: preview optimal against
greedy, the leftovers with reasons, the outflow cap, and commit only after confirmation."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from brokering.db import connect

ROOT = Path(__file__).resolve().parents[1]


def page(role: str = "alliance_admin") -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.session_state["viewer_role"] = role
    at.run()
    at.switch_page("app_pages/allocate.py").run()
    assert not at.exception, at.exception
    return at


def button(at: AppTest, label: str):  # noqa: ANN201 - a streamlit testing widget
    return next(b for b in at.button if b.label.startswith(label))


def test_preview_shows_both_methods_and_the_leftovers(tiny_db: Path) -> None:
    at = page()
    assert at.title[0].value == "Allocate all needs"
    assert any("Nothing is sent" in i.value for i in at.info)
    button(at, "Preview allocation").click().run()
    assert not at.exception
    metrics = [(m.label, m.value) for m in at.metric]
    assert metrics.count(("Needs matched", "1 of 2")) == 3  # each of the three ways
    assert ("Average match", "21.2") in metrics or any(lab == "Average match" for lab, _ in metrics)
    labels = " ".join(m.value for m in at.markdown)
    assert "Match as many needs as possible" in labels and "Best matches overall" in labels
    assert "flow" not in labels and "HiGHS" not in labels  # never a solver's name
    proposals = next(d.value for d in at.dataframe if "coach_school_name" in d.value.columns)
    assert proposals[["need_id", "coach_ref"]].values.tolist() == [["N1", "B2"]]
    unmatched = next(d.value for d in at.dataframe if "reason" in d.value.columns)
    assert unmatched["need_id"].tolist() == ["N2"]
    assert "expertise" in unmatched["reason"][0]
    charts = at.get("arrow_vega_lite_chart") or at.get("vega_lite_chart")
    assert charts, "the comparison chart is drawn"
    assert button(at, "Commit the requests").disabled  # not before confirming


def test_commit_after_confirmation(tiny_db: Path) -> None:
    at = page("sle_coordinator")
    button(at, "Preview allocation").click().run()
    at.radio(key="alloc_method").set_value("greedy").run()
    at.checkbox(key="alloc_confirm").check().run()
    button(at, "Commit the requests").click().run()
    assert not at.exception
    assert "Sent 1 requests" in at.success[0].value
    sent = next(d.value for d in at.dataframe if "reoffered" in d.value.columns)
    assert sent[["sent", "pending", "accepted"]].values.tolist() == [[1, 1, 0]]  # followed
    con = connect(tiny_db)
    try:
        rows = con.execute("SELECT need_id, status, source FROM match_requests").fetchall()
        audit = con.execute(
            "SELECT detail FROM audit_log WHERE action = 'allocation.commit'"
        ).fetchall()
    finally:
        con.close()
    assert rows == [("N1", "pending", "allocation")]
    assert json.loads(audit[0][0])["method"] == "greedy"


def test_school_cap_parameter(tiny_db: Path) -> None:
    at = page()
    at.checkbox(key="alloc_capped").check().run()
    at.slider(key="alloc_cap").set_value(0)
    button(at, "Preview allocation").click().run()
    assert not at.exception
    assert any("side by side" in s.value for s in at.subheader)
    proposals = next(d.value for d in at.dataframe if "coach_school_name" in d.value.columns)
    assert proposals["coach_ref"].tolist() == ["B2"]  # same school: no outflow


def test_school_leaders_are_not_offered_allocation(tiny_db: Path) -> None:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.session_state["viewer_role"] = "headteacher"
    at.run()
    with pytest.raises(ValueError, match="allocate.py"):
        at.switch_page("app_pages/allocate.py")


def test_the_share_cannot_be_moved_while_the_cap_is_off(tiny_db: Path) -> None:
    at = page()
    assert not at.checkbox(key="alloc_capped").value
    assert at.slider(key="alloc_cap").disabled
    at.checkbox(key="alloc_capped").check().run()
    assert not at.exception
    assert not at.slider(key="alloc_cap").disabled
    at.checkbox(key="alloc_capped").uncheck().run()
    assert at.slider(key="alloc_cap").disabled


def test_a_coordinators_words_not_a_solvers(tiny_db: Path) -> None:
    at = page()
    button(at, "Preview allocation").click().run()
    assert not at.exception
    shown = [m.label for m in at.metric] + [m.value for m in at.metric]
    shown += [
        e.value for kind in ("markdown", "caption", "subheader", "info") for e in at.get(kind)
    ]
    shown += [r.label for r in at.radio] + [o for r in at.radio for o in r.options]
    shown += [e.label for e in at.expander]
    charts = at.get("arrow_vega_lite_chart") or at.get("vega_lite_chart")
    text = " ".join(str(s) for s in shown) + " ".join(c.proto.spec for c in charts)
    for words in ("quality", "HiGHS", "integer programme", "solver", "optimal", "None", "nan"):
        assert words not in text, words
    metrics = {m.label for m in at.metric}
    assert {"Needs matched", "Average match"} <= metrics
    for frame in (d.value for d in at.dataframe):
        text_cols = frame.select_dtypes(include=["object", "str"])
        assert not text_cols.isna().any().any(), "a missing text would show as None"
