"""Home's inbox through AppTest on the tiny alliance: the count in the navigation's title, a
request answered there (with the colleague's agreement, or several declined with one reason),
and the asking school reading the answer."""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

from brokering.db import connect
from brokering.matching import needs, requests
from brokering.viewer import Viewer

ROOT = Path(__file__).resolve().parents[1]


def home(role: str, school: str | None = None) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.session_state["viewer_role"] = role
    if school:
        at.session_state["viewer_school"] = school
    return at.run()


def _ask(db: Path, staff: str, school: str) -> int:
    con = connect(db)
    try:
        leader = Viewer("headteacher", school, f"head-{school.lower()}")
        need = needs.add_need(con, leader, staff_ref=staff, skill="Mathematics")
        if staff == "A2":
            con.execute("UPDATE staff SET capacity_hours = 30 WHERE staff_ref = 'B2'")
        return requests.send_request(con, leader, need.need_id, "B2").request_id
    finally:
        con.close()


def button(at: AppTest, label: str):  # noqa: ANN201 - a streamlit testing widget
    return next(b for b in at.button if b.label.startswith(label))


def test_the_asked_school_sees_the_request_and_accepts_it_on_home(tiny_db: Path) -> None:
    rid = _ask(tiny_db, "C1", "C")
    at = home("headteacher", "B")
    assert not at.exception
    assert at.subheader[0].value.startswith("What waits for you (")
    waiting = next(d.value for d in at.dataframe if "reply_by" in d.value.columns)
    assert waiting["request_id"].tolist() == [rid]
    at.multiselect(key="inbox_pick").set_value([rid])
    button(at, "Accept").click().run()
    assert any("Tick that B2 agreed" in w.value for w in at.warning)  # nothing accepted
    at.multiselect(key="inbox_pick").set_value([rid])
    at.checkbox(key="inbox_agreed").check()
    button(at, "Accept").click().run()
    assert not at.exception
    assert f"Request {rid} accepted" in at.success[0].value
    asking = home("headteacher", "C")
    assert any("accepted" in m.value for m in asking.markdown)
    button(asking, "Mark these answers as read").click().run()
    assert "1 answer(s) marked as read." in asking.success[0].value


def test_several_requests_declined_with_one_reason(tiny_db: Path) -> None:
    first, second = _ask(tiny_db, "C1", "C"), _ask(tiny_db, "A2", "A")
    at = home("senior_leader", "B")
    at.multiselect(key="inbox_pick").set_value([first, second])
    at.text_input[0].input("Mocks week")
    button(at, "Decline").click().run()
    assert not at.exception
    assert f"Request {first} declined. Request {second} declined." in at.success[0].value


def test_the_count_is_in_the_navigation_title(tiny_db: Path) -> None:
    """The sidebar list is drawn by the browser (the browser journey reads it); here, the
    title app.py gives Home is checked against the inbox Home shows."""
    import ui_inbox

    _ask(tiny_db, "C1", "C")
    at = home("headteacher", "B")
    count = int(at.subheader[0].value.split("(")[1].rstrip(")"))
    assert count >= 1
    assert ui_inbox.nav_title("Home", count) == f"Home ({count})"
    assert ui_inbox.nav_title("Home", 0) == "Home"
    quiet = home("alliance_admin")
    assert quiet.subheader[0].value == "Nothing waits for you"


def test_items_decided_elsewhere_are_links_in_words(tiny_db: Path) -> None:
    at = home("headteacher", "B")  # Birch's needs have had no one asked yet
    labels = [link.label for link in at.get("page_link")]
    needs_links = [label for label in labels if "nobody asked yet" in label]
    assert needs_links, labels
    # the need in words (who, school, skill), never led by its bare reference ("N1 — …")
    assert all(not label.split()[0].rstrip("—").startswith("N") for label in needs_links)
    assert all("Birch Academy" in label for label in needs_links)
