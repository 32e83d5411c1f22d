"""User text is rendered as text (issue 22): Markdown from the data — a school's name, a
pairing's contributions and reason, an import's file name — never becomes an image (a
tracking pixel loaded in other users' browsers) or a live link on any page."""

from __future__ import annotations

import csv
import re
from datetime import date
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

import ui
from brokering.importing import import_paths
from brokering.pairings import service
from brokering.pairings.model import PairingDraft
from brokering.store import open_store
from brokering.viewer import operator
from tests.conftest import TINY_TODAY

ROOT = Path(__file__).resolve().parents[1]
IMAGE = "![x](http://host/p.png)"
LINK = "[link](http://x)"
PAYLOAD = f"{IMAGE} {LINK} :red[alarm] $x^2$"
# Markdown that would render: an unescaped "[" (link, image, colour directive) or a bare URL.
LIVE = re.compile(r"(?<!\\)\[|(?<![\\\w])https?(?<!\\):")


@pytest.fixture
def hostile_db(tiny_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    schools = tiny_dir / "schools.csv"
    rows = list(csv.DictReader(schools.open()))
    for r in rows:
        if r["school_id"] == "B":
            r["name"] = f"Birch {PAYLOAD}"
    with schools.open("w", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    path = tmp_path / "alliance.duckdb"
    con = open_store(path)
    assert import_paths(con, [tiny_dir], operator(), today=TINY_TODAY).ok
    service.log_pairing(
        con,
        operator(),
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
    con.close()
    monkeypatch.setenv("BROKERING_DB", str(path))
    monkeypatch.setenv("BROKERING_SIGN_IN", "off")
    st.cache_resource.clear()
    st.cache_data.clear()
    yield path
    st.cache_resource.clear()
    st.cache_data.clear()


def _rendered(at: AppTest) -> list[str]:
    """Every string the page hands to Streamlit's Markdown renderer."""
    out: list[str] = []
    for kind in ("markdown", "caption", "title", "header", "subheader", "info", "warning"):
        out += [str(e.value) for e in getattr(at, kind)]
    out += [str(e.value) for e in at.success] + [str(e.value) for e in at.error]
    out += [e.label for e in at.expander] + [b.label for b in at.button]
    out += [m.label for m in at.metric]
    return out


def _app(role: str, school: str | None = None) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=90)
    at.session_state["viewer_role"] = role
    if school:
        at.session_state["viewer_school"] = school
    return at.run()


def test_plain_escapes_every_markdown_mark() -> None:
    text = ui.plain(PAYLOAD + "\n# heading\n- item")
    assert not LIVE.search(text)
    assert "\n" not in text
    assert text.startswith(r"\!\[x\](http\://host/p.png)")
    assert ui.plain("# one") == r"\# one" and ui.plain("see www.x.org") == r"see www\.x.org"
    assert ui.plain("Request #1 for B2 sent.") == "Request #1 for B2 sent."


@pytest.mark.parametrize(
    ("role", "school", "page"),
    [
        ("headteacher", "B", "app_pages/home.py"),
        ("alliance_admin", None, "app_pages/pairings.py"),
        ("alliance_admin", None, "app_pages/coaches.py"),
        ("alliance_admin", None, "app_pages/transfer.py"),
        ("alliance_admin", None, "app_pages/data.py"),
        ("headteacher", "B", "app_pages/coaches.py"),
    ],
)
def test_no_markdown_from_the_data_renders(hostile_db: Path, role, school, page) -> None:
    at = _app(role, school)
    at.switch_page(page).run()
    assert not at.exception, at.exception
    texts = _rendered(at)
    live = [t for t in texts if LIVE.search(t)]
    assert not live, live


def test_the_payload_is_shown_as_text(hostile_db: Path) -> None:
    """Not vacuous: the pairing's reason and contributions are on the page, escaped."""
    at = _app("alliance_admin")
    at.switch_page("app_pages/pairings.py").run()
    escaped = ui.plain(PAYLOAD)
    assert sum(escaped in t for t in _rendered(at)) >= 3
