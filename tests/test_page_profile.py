"""The Staff profile page through AppTest, over the tiny alliance (sign-in off: the sidebar
picker acts as a senior leader of Alder Primary, school A, unless a test changes it)."""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

from brokering.names import NameKey, owner_of
from brokering.viewer import Viewer

ROOT = Path(__file__).resolve().parents[1]


def profile_page(ref: str, role: str | None = None, school: str | None = None) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    if role:
        at.session_state["viewer_role"] = role
    if school:
        at.session_state["viewer_school"] = school
    at.run()
    at.switch_page("app_pages/profile.py").run()
    at.text_input(key="profile_ref").input(ref).run()
    assert not at.exception
    return at


def frame_with(at: AppTest, column: str):
    return next(d.value for d in at.dataframe if column in d.value.columns)


def test_own_school_profile_shows_what_was_seen(tiny_db) -> None:
    at = profile_page("A2")
    assert at.title[0].value == "Staff profile"
    assert at.subheader[0].value == "A2"
    strengths = frame_with(at, "Practice")
    assert strengths["Coaching"].tolist() == ["no record yet"]
    assert strengths["Confidence"].str.endswith("low").all()
    seen = frame_with(at, "observer")
    assert seen["note"].tolist()[0] == "Strong modelling with concrete materials"
    assert seen["observer"].tolist() == ["headteacher", "self"]
    assert [e.label for e in at.main.expander] == ["How the weights are worked out"]


def test_a_hidden_reference_reads_as_one_that_does_not_exist(tiny_db) -> None:
    hidden = profile_page("A3", school="B")
    missing = profile_page("A9", school="B")
    assert hidden.error[0].value.replace("A3", "X") == missing.error[0].value.replace("A9", "X")
    assert "No one you can see" in hidden.error[0].value


def test_names_loaded_in_the_session_show_beside_own_staff(tiny_db) -> None:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    viewer = Viewer("senior_leader", "A", "demo-senior_leader")
    at.session_state["people_names"] = NameKey(
        "A", {"A2": "Zoë Brontë", "A3": "Alan Turing"}, owner_of(viewer)
    )
    at.run()
    at.switch_page("app_pages/profile.py").run()
    at.text_input(key="profile_ref").input("A2").run()
    assert not at.exception
    assert at.subheader[0].value == "Zoë Brontë (A2)"
    similar = frame_with(at, "similarity")
    assert dict(zip(similar["staff_ref"], similar["Name"], strict=True))["A3"] == "Alan Turing"
    assert dict(zip(similar["staff_ref"], similar["Name"], strict=True))["B3"] == ""


def test_names_of_another_viewer_are_dropped(tiny_db) -> None:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    other = Viewer("senior_leader", "A", "someone-else")
    at.session_state["people_names"] = NameKey("A", {"A2": "Zoë Brontë"}, owner_of(other))
    at.run()
    at.switch_page("app_pages/profile.py").run()
    at.text_input(key="profile_ref").input("A2").run()
    assert at.subheader[0].value == "A2"
    assert "people_names" not in at.session_state


def test_a_link_with_the_reference_opens_the_profile(tiny_db) -> None:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.run()
    at.query_params["ref"] = "B2"
    at.switch_page("app_pages/profile.py").run()
    assert not at.exception
    assert at.subheader[0].value == "B2"


def open_page(page: str, role: str, school: str | None = None) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.session_state["viewer_role"] = role
    if school:
        at.session_state["viewer_school"] = school
    at.run()
    at.switch_page(page).run()
    assert not at.exception
    return at


def test_candidates_lead_with_reference_school_score_confidence(tiny_db) -> None:
    at = open_page("app_pages/coaches.py", "alliance_admin")
    ranked = frame_with(at, "match_score")
    # The rank, then who and where, then the score (confidence is under "Why this match").
    assert list(ranked.columns)[:4] == ["rank", "staff_ref", "school_name", "match_score"]
    links = [link.label for link in at.get("page_link")]
    assert "Open the profile of B2" in links  # beside the chosen candidate
    assert at.selectbox(key="needs_profile").options == ["B3", "A2"]  # from the register


def test_own_names_show_in_the_needs_register_and_not_partners(tiny_db) -> None:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    viewer = Viewer("senior_leader", "A", "demo-senior_leader")
    at.session_state["people_names"] = NameKey("A", {"A2": "Zoë Brontë"}, owner_of(viewer))
    at.run()
    at.switch_page("app_pages/coaches.py").run()
    assert not at.exception
    register = frame_with(at, "pending_requests")
    names = dict(zip(register["staff_ref"], register["Name"], strict=True))
    # The page opens on the viewer's own school's needs; a partner's person is never named.
    assert names["A2"] == "Zoë Brontë"
    assert all(name == "" for ref, name in names.items() if not ref.startswith("A"))
