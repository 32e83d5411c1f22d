"""The role x page x action matrix run through the app itself (AppTest): every role opens
exactly the pages the matrix allows, and guarded actions appear only for allowed roles."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from brokering import permissions
from brokering.viewer import ROLE_LABELS, Viewer

ROOT = Path(__file__).resolve().parents[1]
SCHOOL = {"headteacher": "A", "senior_leader": "A"}
PAGES = sorted(p for p in permissions.PAGES if (ROOT / p).exists())


def _app(role: str) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.session_state["viewer_role"] = role
    if role in SCHOOL:
        at.session_state["viewer_school"] = SCHOOL[role]
    return at.run()


@pytest.mark.parametrize("role", list(ROLE_LABELS))
def test_each_role_opens_exactly_its_pages(tiny_db: Path, role: str) -> None:
    viewer = Viewer(role, SCHOOL.get(role))
    for page in PAGES:
        at = _app(role)
        if permissions.can_open(viewer, page):
            at.switch_page(page).run()
            assert not at.exception, (role, page, at.exception)
        else:
            # The page is not in this role's navigation, so the app never registers it.
            with pytest.raises(ValueError, match="Could not find a navigation page"):
                at.switch_page(page)


@pytest.mark.parametrize("role", list(ROLE_LABELS))
def test_import_form_only_for_the_administrator(tiny_db: Path, role: str) -> None:
    at = _app(role)
    at.switch_page("app_pages/data.py").run()
    assert not at.exception
    assert (len(at.main.get("file_uploader")) == 1) == (role == "alliance_admin")


@pytest.mark.parametrize("role", list(ROLE_LABELS))
def test_maturity_judgement_form_follows_the_matrix(tiny_db: Path, role: str) -> None:
    at = _app(role)
    at.switch_page("app_pages/maturity.py").run()
    assert not at.exception
    allowed = permissions.can(Viewer(role, SCHOOL.get(role)), "record_maturity_judgement")
    assert (len(at.text_area) > 0) == allowed
