"""The Find expertise page through AppTest, over the tiny alliance (sign-in off: the sidebar
picker acts as a senior leader of Alder Primary, school A, unless a test changes it)."""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[1]


def find_page(role: str | None = None) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    if role:
        at.session_state["viewer_role"] = role
    at.run()
    at.switch_page("app_pages/find.py").run()
    assert not at.exception
    return at


def search(at: AppTest, text: str) -> AppTest:
    at.text_input(key="find_query").input(text).run()
    assert not at.exception
    return at


def test_empty_state_explains_and_shows_the_gap_map(tiny_db) -> None:
    at = find_page()
    assert at.title[0].value == "Find expertise"
    assert "Type a skill" in at.info[0].value
    assert "Gap map" in [s.value for s in at.subheader]
    gaps = at.dataframe[0].value
    assert {"area", "skill", "status"} <= set(gaps.columns)


def test_search_ranks_visible_staff_and_explains_the_top(tiny_db) -> None:
    at = search(find_page(), "maths")
    results = at.dataframe[0].value
    assert results["staff_ref"].tolist() == ["A3", "A2", "B3"]  # A3: own school, no consent
    assert results["school"].tolist()[0] == "Alder Primary"
    assert list(results.columns)[:5] == [  # what a decision rests on first (a tablet's width)
        "staff_ref",
        "school",
        "practice_score",
        "coaching",
        "confidence_words",
    ]
    assert results.set_index("staff_ref")["coaching"]["A2"] == "no record yet"
    assert results["confidence_words"].str.endswith(("low", "moderate", "high")).all()
    assert [e.label for e in at.expander][:3] == [
        "#1 A3 — Alder Primary: why this rank",
        "#2 A2 — Alder Primary: why this rank",
        "#3 B3 — Birch Academy: why this rank",
    ]
    # results, the gap map and the needs with no strong coach: no explanation until opened
    assert len(at.dataframe) == 3
    at.session_state["find_why_mathematics_A3"] = True  # open "#1 A3 … why this rank"
    at.run()
    assert not at.exception
    seen = at.dataframe[1].value  # what was seen: newest first, note and observer role
    assert seen["note"].tolist()[0] == "Year 6 outcomes well above"
    assert seen["observer"].tolist() == ["SLT", "SLT"]
    assert [t.label for t in at.tabs] == ["What was seen", "The arithmetic"]
    parts = at.dataframe[2].value  # A3's practice parts: two records and the prior
    assert parts["evidence_type"].tolist()[-1] == "prior (shrinkage)"
    assert any("Points add up to" in c.value for c in at.caption)
    assert len(at.get("download_button")) == 1
    assert "By school" in [s.value for s in at.subheader]


def test_phase_words_show_as_the_filter_they_became(tiny_db) -> None:
    at = search(find_page(), "yr 6 maths")
    assert any("phase filter **KS2** from “yr 6”" in m.value for m in at.markdown)
    assert at.dataframe[0].value["staff_ref"].tolist() == ["A3"]


def test_did_you_mean_buttons_search_for_the_choice(tiny_db) -> None:
    at = search(find_page(), "maths and stats")
    assert at.warning and "more than one skill" in at.warning[0].value
    choice = next(b for b in at.button if b.label == "Mathematics")
    choice.click().run()
    assert not at.exception
    assert at.text_input(key="find_query").value == "Mathematics"
    assert at.dataframe[0].value["staff_ref"].tolist() == ["A3", "A2", "B3"]


def test_rank_by_coaching(tiny_db) -> None:
    at = search(find_page(), "maths")
    at.radio(key="find_rank_by").set_value("coaching").run()
    assert not at.exception
    assert at.dataframe[0].value["staff_ref"].tolist()[0] == "B2"  # coached maths, no evidence
    at.radio(key="find_rank_by").set_value("blend").run()
    assert len(at.slider) == 1 and not at.exception


def test_partner_school_leader_does_not_see_non_consenting_staff(tiny_db) -> None:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.session_state["viewer_role"] = "senior_leader"
    at.session_state["viewer_school"] = "B"
    at.run()
    at.switch_page("app_pages/find.py").run()
    at = search(at, "maths")
    assert "A3" not in at.dataframe[0].value["staff_ref"].tolist()


def test_bad_query_is_a_clear_message(tiny_db) -> None:
    at = search(find_page(), "!!!")
    assert "no letters or numbers" in at.error[0].value


def test_no_evidence_offers_related_skills(tiny_db) -> None:
    at = search(find_page(), "physics")
    assert "No one you can see has evidence in Physics" in at.info[0].value
    assert "Chemistry" in [b.label for b in at.button]


def test_aggregate_only_role_sees_no_people_but_the_aggregates(tiny_db) -> None:
    at = search(find_page(role="viewer"), "maths")
    assert any("alliance figures only" in i.value for i in at.info)
    headings = [s.value for s in at.subheader]
    assert "By school" in headings and "Gap map" in headings
    assert not any("staff_ref" in d.value.columns for d in at.dataframe)


# --- caches never serve stale data (issue 24) ---------------------------------------------
def _searches(path) -> int:
    import ui

    con = ui._store(str(path)).cursor()
    return con.execute("SELECT count(*) FROM audit_log WHERE action = 'search'").fetchall()[0][0]


def test_a_consent_withdrawal_shows_on_the_very_next_run(tiny_db) -> None:
    import ui
    from brokering.consent import set_consent
    from brokering.viewer import Viewer

    at = search(find_page(), "maths")
    assert "B3" in at.dataframe[0].value["staff_ref"].tolist()  # partner, consented
    admin = Viewer("alliance_admin", None, "test-admin")
    set_consent(ui._store(str(tiny_db)).cursor(), admin, "B3", False)
    at.run()
    assert not at.exception
    assert "B3" not in at.dataframe[0].value["staff_ref"].tolist()


def test_a_search_is_audited_once_per_asking_not_per_rerun(tiny_db) -> None:
    at = find_page()
    before = _searches(tiny_db)
    at = search(at, "maths")
    assert _searches(tiny_db) == before + 1
    at.run()  # a rerun of the same search (another widget, a refresh): not asked again
    at.session_state["find_why_mathematics_A3"] = True  # opening "why this rank"
    at.run()
    assert not at.exception
    assert _searches(tiny_db) == before + 1
    search(at, "phonics")
    search(at, "maths")  # asked again: served from the cache, still audited
    assert _searches(tiny_db) == before + 3
    at.selectbox(key="find_school").set_value("B").run()  # a filter changed: a new search
    assert _searches(tiny_db) == before + 4


def test_phase_words_fill_the_phase_filter_and_leave_it_when_the_words_go(tiny_db) -> None:
    at = search(find_page(), "yr 6 maths")
    assert at.multiselect(key="find_phases").value == ["KS2"]
    at = search(at, "maths")  # no phase words: the filter they set is cleared
    assert at.multiselect(key="find_phases").value == []
    assert at.dataframe[0].value["staff_ref"].tolist() == ["A3", "A2", "B3"]
    at.multiselect(key="find_phases").set_value(["KS1"]).run()  # set by hand: kept
    at = search(at, "mathematics")
    assert at.multiselect(key="find_phases").value == ["KS1"]
    assert at.dataframe[0].value["staff_ref"].tolist() == ["A2"]


def test_clearing_the_phase_words_filter_searches_every_phase(tiny_db) -> None:
    at = search(find_page(), "yr 6 maths")
    at.multiselect(key="find_phases").set_value([]).run()
    assert not at.exception
    assert any("at any phase" in m.value for m in at.markdown)
    assert at.dataframe[0].value["staff_ref"].tolist() == ["A3", "A2", "B3"]


def test_no_one_under_the_phase_offers_the_skill_without_it_and_nearby_skills(tiny_db) -> None:
    at = search(find_page(), "A level maths")
    assert at.multiselect(key="find_phases").value == ["KS5"]
    assert any("Without the phase filter, Mathematics has evidence" in i.value for i in at.info)
    assert "Chemistry" in [b.label for b in at.button]  # B2 has KS5 chemistry evidence
    next(b for b in at.button if b.label.startswith("Search Mathematics at every")).click().run()
    assert not at.exception
    assert at.multiselect(key="find_phases").value == []
    assert at.dataframe[0].value["staff_ref"].tolist() == ["A3", "A2", "B3"]


def test_the_by_school_chart_counts_whole_people_and_names_schools_in_full() -> None:
    import pandas as pd

    import ui_find

    long_name = "St Mary and St John Church of England Voluntary Aided Primary School"
    long = pd.DataFrame(
        {
            "school": [long_name, "Birch Academy"],
            "kind": ["Can be listed", "Can be listed"],
            "count": [2, 1],
        }
    )
    spec = ui_find.depth_chart(long, [long_name, "Birch Academy"], "Mathematics").to_dict()
    assert "by school" in spec["title"]
    x, y = spec["encoding"]["x"], spec["encoding"]["y"]
    assert x["axis"]["tickMinStep"] == 1 and x["axis"]["format"] == "d"  # whole people
    assert "(people)" in x["title"]
    assert y["axis"]["labelExpr"] and y["axis"]["labelLimit"] == 0  # wrapped, never cut
    assert y["sort"][0] == ui_find.wrapped(long_name)
    tips = {t["field"]: t.get("title") for t in spec["encoding"]["tooltip"]}
    assert tips["school"] == "School"  # the full name on hover
    rows = next(iter(spec["datasets"].values()))
    assert rows[0]["school"] == long_name and "\n" in rows[0]["label"]


def test_long_school_names_wrap_whole_words_the_same_way() -> None:
    import ui_find
    from brokering.dashboard import charts

    name = "St Mary and St John Church of England Voluntary Aided Primary School"
    lines = ui_find.wrapped(name).split("\n")
    assert " ".join(lines) == name
    assert all(len(line) <= charts.LABEL_WIDTH for line in lines)
    assert ui_find.wrapped("Alder Primary") == "Alder Primary"


def test_no_file_paths_ids_or_none_on_the_page(tiny_db) -> None:
    at = search(find_page(), "maths")
    at.session_state["find_why_mathematics_A3"] = True
    at.run()
    assert not at.exception
    text = " ".join(
        str(e.value) for k in ("caption", "markdown", "info", "subheader") for e in at.main.get(k)
    )
    for leftover in ("docs/", ".md", "None", "nan", "NaT", "00:00:00", "sidebar"):
        assert leftover not in text, leftover
    coaching = next(d.value for d in at.dataframe if "part" in d.value.columns)
    assert "skill_id" not in coaching.columns and "skill" in coaching.columns
    for frame in at.dataframe:  # a missing value only where the cell is drawn empty
        text_cols = frame.value.select_dtypes(include=["object", "str"])
        assert not text_cols.map(lambda v: v is None or v != v).any().any(), frame.value
