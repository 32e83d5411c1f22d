"""The Coaches and mentors page through AppTest on the tiny alliance: the register, the
candidates of a need with a breakdown, sending a request, and the other school accepting it.

The acting viewer is seeded through the sidebar picker's widget keys before each run (one
AppTest per person acting; the store is shared through the database file)."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from brokering.db import connect

ROOT = Path(__file__).resolve().parents[1]


def page(role: str, school: str | None = None) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.session_state["viewer_role"] = role
    if school:
        at.session_state["viewer_school"] = school
    at.run()
    at.switch_page("app_pages/coaches.py").run()
    assert not at.exception, at.exception
    return at


def button(at: AppTest, label: str):  # noqa: ANN201 - a streamlit testing widget
    return next(b for b in at.button if b.label.startswith(label))


def frame_with(at: AppTest, column: str):  # noqa: ANN201 - a DataFrame
    return next(d.value for d in at.dataframe if column in d.value.columns)


def test_register_candidates_and_breakdown(tiny_db: Path) -> None:
    at = page("alliance_admin")
    assert at.title[0].value == "Coaches and mentors"
    register = frame_with(at, "pending_requests")
    assert register["need_id"].tolist() == ["N1", "N2"]
    assert at.selectbox(key="need_pick").value == "N1"
    # a need in words (skill, person, school, date), its reference only last in the table
    assert register.columns[-1] == "need_id"
    choices = at.selectbox(key="need_pick").options
    assert not any("N1" in o or "N2" in o for o in choices)
    assert any(" for B" in o and " at Birch Academy, raised " in o for o in choices), choices
    ranked = frame_with(at, "match_score")
    assert ranked["staff_ref"].tolist() == ["B2", "A3", "A2"]
    assert ranked["proposable"].tolist() == [True, False, False]
    assert at.selectbox(key="candidate_N1").value == "B2"
    assert any(e.label == "Why this match: B2" for e in at.expander)
    parts = frame_with(at, "points")
    assert parts["points"].sum() == pytest.approx(ranked["match_score"][0], abs=1e-6)
    at.selectbox(key="candidate_N1").set_value("A3").run()
    assert button(at, "Send request for A3").disabled  # not proposed: no consent


def test_send_a_request_then_the_other_school_is_pointed_to_home(tiny_db: Path) -> None:
    at = page("alliance_admin")
    at.text_input(key="request_note").input("Fractions in Year 7")
    button(at, "Send request for B2").click().run()
    assert not at.exception
    assert "Request #1 for B2 sent to Birch Academy." in at.success[0].value
    assert (
        frame_with(at, "pending_requests").set_index("need_id").loc["N1", "pending_requests"] == 1
    )
    head_b = page("headteacher", "B")
    assert any("answered on Home" in i.value for i in head_b.info)  # decided in the inbox


def test_a_need_opened_from_the_inbox_is_chosen(tiny_db: Path) -> None:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.session_state["viewer_role"] = "alliance_admin"
    at.query_params["need"] = "N2"
    at.run()
    at.switch_page("app_pages/coaches.py").run()
    assert not at.exception
    assert at.selectbox(key="need_pick").value == "N2"


def test_add_a_need_and_a_refused_one(tiny_db: Path) -> None:
    at = page("headteacher", "C")
    at.text_input(key="add_staff_ref").input("C1")
    at.selectbox(key="add_skill").set_value("mathematics")
    button(at, "Add need").click().run()
    assert not at.exception
    assert "Added the need: Mathematics for C1 at Cedar Special School" in at.success[
        0
    ].value.replace("\\", "")
    assert at.selectbox(key="need_pick").value == "N0004"  # the need just added is chosen
    at.text_input(key="add_staff_ref").input("ZZ9")
    at.selectbox(key="add_skill").set_value("oracy")
    button(at, "Add need").click().run()
    assert any("ZZ9" in e.value for e in at.error)


def stored_need(db: Path, need_id: str) -> tuple:
    con = connect(db)
    try:
        return con.execute(
            "SELECT skill_id, priority, wanted_role, hours, note FROM needs WHERE need_id = ?",
            [need_id],
        ).fetchall()[0]
    finally:
        con.close()


def test_a_leader_changes_a_needs_skill(tiny_db: Path) -> None:
    at = page("headteacher", "B")
    assert at.selectbox(key="need_pick").value == "N1"
    at.text_input(key="edit_skill_N1").input("retrieval practise")  # a close spelling
    button(at, "Save changes").click().run()
    assert not at.exception
    assert at.success[0].value == "Updated the need of B3 at Birch Academy."
    assert stored_need(tiny_db, "N1")[0] == "retrieval-practice"
    register = frame_with(at, "pending_requests").set_index("need_id")
    assert register.loc["N1", "skill_name"] == "Retrieval practice"


@pytest.mark.parametrize(
    ("text", "message", "hint"),
    [
        ("xyzzy blorp", "No skill in the taxonomy matches 'xyzzy blorp'.", None),
        ("reading", "'reading' could be several skills.", "Reading fluency"),
    ],
)
def test_an_unresolvable_skill_is_refused_and_nothing_changes(
    tiny_db: Path, text: str, message: str, hint: str | None
) -> None:
    before = stored_need(tiny_db, "N1")
    at = page("headteacher", "B")
    at.text_input(key="edit_skill_N1").input(text)
    at.selectbox(key="edit_priority_N1").set_value("low")
    button(at, "Save changes").click().run()
    assert not at.exception
    assert any(message in e.value for e in at.error)
    assert not at.success
    if hint:
        assert any(c.value.startswith("Did you mean:") and hint in c.value for c in at.caption)
    assert stored_need(tiny_db, "N1") == before  # the priority was not saved either


def test_other_schools_see_but_do_not_request_and_do_not_answer(tiny_db: Path) -> None:
    at = page("senior_leader", "A")
    at.selectbox(key="need_pick").set_value("N1").run()  # Birch's need (A's own opens first)
    ranked = frame_with(at, "match_score")
    assert "A3" in ranked["staff_ref"].tolist()  # own school: visible, but not proposed to B
    assert not any(b.label.startswith("Send request") for b in at.button)
    assert any("leaders of Birch Academy" in c.value for c in at.caption)
    assert not any("answered on Home" in i.value for i in at.info)  # none wait for school A


def test_aggregate_only_viewers_are_not_offered_the_page(tiny_db: Path) -> None:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.session_state["viewer_role"] = "viewer"
    at.run()
    with pytest.raises(ValueError, match="coaches.py"):
        at.switch_page("app_pages/coaches.py")


def test_the_page_opens_on_the_viewers_own_school(tiny_db: Path) -> None:
    at = page("headteacher", "A")
    assert at.selectbox(key="needs_school").value == "A"
    register = frame_with(at, "pending_requests")
    assert set(register["school_name"]) <= {"Alder Primary"}
    picked = at.selectbox(key="need_pick").value
    assert picked in set(register["need_id"]) or register.empty


def test_the_candidates_table_holds_the_decision_and_says_its_order(tiny_db: Path) -> None:
    at = page("alliance_admin")
    ranked = frame_with(at, "match_score")
    assert list(ranked.columns) == [
        "rank", "staff_ref", "school_name", "match_score", "expertise_score", "craft_score",
        "proposed_as", "hours_left", "proposable", "not_proposed_reason",
    ]  # fmt: skip
    assert any(c.value.startswith("Ordered as they would be proposed") for c in at.caption)
    # The order the caption states: proposable first, then by match score.
    keys = list(zip(~ranked["proposable"], -ranked["match_score"], strict=True))
    assert keys == sorted(keys)
    text = " ".join(str(v) for v in ranked.to_numpy().ravel())
    assert "None" not in text and "nan" not in text
