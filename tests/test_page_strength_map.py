"""The find page's map of strengths, gap skills by area and needs with no strong coach,
through AppTest over the tiny alliance (the chart's data is tested in
tests/test_strength_map.py)."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[1]


def find_page(role: str = "sle_coordinator") -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.session_state["viewer_role"] = role
    at.run()
    at.switch_page("app_pages/find.py").run()
    assert not at.exception
    return at


def test_heatmap_gap_skills_and_thin_needs(tiny_db) -> None:
    at = find_page()
    headings = [s.value for s in at.subheader]
    assert headings[:3] == [
        "Map of strengths",
        "Gap map",
        "Open needs with no strong coach anywhere",
    ]
    charts = at.get("vega_lite_chart")
    spec = json.loads(charts[0].proto.spec)
    assert spec["layer"][0]["mark"]["type"] == "rect"
    # schools down the side, each name in full (no label limit), areas wrapped above
    y = spec["layer"][0]["encoding"]["y"]
    assert y["field"] == "school" and y["axis"]["labelLimit"] == 0
    thin = next(d.value for d in at.dataframe if "need_id" in d.value.columns)
    assert set(thin["need_id"]) == {"N1", "N2"}


def test_choosing_a_gap_skill_searches_for_it(tiny_db) -> None:
    at = find_page("senior_leader")
    at.selectbox(key="gap_area").set_value("Subjects").run()
    pills = at.get("button_group")[0]
    assert "Mathematics" in pills.options
    pills.set_value("Mathematics").run()
    assert not at.exception
    assert at.text_input(key="find_query").value == "Mathematics"
    assert at.dataframe[0].value["staff_ref"].tolist() == ["A3", "A2", "B3"]


def test_a_governor_sees_the_map_but_not_needs(tiny_db) -> None:
    at = find_page("viewer")
    headings = [s.value for s in at.subheader]
    assert "Map of strengths" in headings
    assert "Open needs with no strong coach anywhere" not in headings


def test_the_map_writes_every_school_name_in_full() -> None:
    from brokering.dashboard import charts

    long_name = "St Mary and St John Church of England Voluntary Aided Primary School"
    frame = pd.DataFrame(
        {
            "school": [long_name, "Birch Academy"],
            "area": ["Assessment and curriculum", "Subjects"],
            "depth": [3, 0],
            "not_shared": [0, 0],
        }
    )
    spec = charts.strength_map(frame, [long_name, "Birch Academy"]).to_dict()
    heat = spec["layer"][0]["encoding"]
    assert heat["y"]["sort"] == [long_name, "Birch Academy"]
    assert heat["y"]["axis"]["labelLimit"] == 0  # never cut at Vega's 180 pixels
    assert heat["x"]["axis"]["labelLimit"] == 0 and heat["x"]["axis"]["labelExpr"]
    assert "title" in spec and "area" in spec["title"]
    tips = {t["field"]: t["title"] for t in heat["tooltip"]}
    assert tips["school"] == "School"
    rows = next(iter(spec["datasets"].values()))
    assert rows[0]["school"] == long_name  # drawn whole, not abbreviated
