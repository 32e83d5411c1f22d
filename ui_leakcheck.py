"""The leak matrix over every page (issue 22): the canary alliance of brokering/leakcheck.py
served through the app itself (AppTest, signed in as each role's account), every page each
role may open, and what each page gives the user — every text, table, chart's data, widget
option and download — searched for a canary from a school the user may not see.

Not layout: the Streamlit side of brokering/leakcheck.py (brokering never imports
streamlit). The tests run it (tests/test_page_leaks.py), and `python -m brokering
robustness` runs it as `python -m ui_leakcheck --json` from the app's folder.

A page is explored the way a user would explore it without writing anything: opened; the
find searched and the profile asked for every canary and their colleagues; each selectbox
and radio outside a form moved through its options, one at a time; every lazily drawn box
("Why this rank") and every toggle opened; the allocation previewed. Every download on
every state is fetched, as Streamlit fetches it (the deferred callable), and read.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent
#: Options tried per selectbox or radio (every school and view; the first terms and areas).
MAX_OPTIONS = 6
#: References asked for on the profile page: the canaries, their colleagues, and others.
PROFILE_REFS = ("ZCANA", "ZCANB", "ZCANC", "LMA", "LMB", "LMC", "A2", "B2", "C1")
FIND_QUERY = "Mathematics"


def pages() -> list[str]:
    from brokering import permissions

    return sorted(p for p in permissions.PAGES if (ROOT / p).exists())


def signed_in(db: Path, username: str):  # noqa: ANN201 - an AppTest
    """The app as `username` signed in with a password a moment ago (sign-in on)."""
    from streamlit.testing.v1 import AppTest

    from brokering import accounts, leakcheck
    from brokering.db import connect
    from brokering.viewer import Viewer

    role, school = leakcheck.ROLES[username]
    con = connect(str(db))
    try:
        stamp = accounts.session_stamp(con, username)
    finally:
        con.close()
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.session_state["signed_in_viewer"] = Viewer(role, school, username)
    at.session_state["signed_in_at"] = datetime.now()
    at.session_state["signed_in_stamp"] = stamp
    return at.run()


def _protos(node: object, out: list[str]) -> None:
    proto = getattr(node, "proto", None)
    if proto is not None:
        out.append(str(proto))
    children = getattr(node, "children", None)
    if isinstance(children, dict):
        for child in children.values():
            _protos(child, out)


#: Deferred downloads registered during page runs (AppTest gives each run its own media
#: manager, gone when the run ends): file id -> the callable Streamlit would call on a click.
_DEFERRED: dict[str, Callable[[], object]] = {}


@contextmanager
def recording_downloads() -> Iterator[None]:
    """Keep every deferred download's callable, so a check can fetch it after the run."""
    from streamlit.runtime.media_file_manager import MediaFileManager

    original = MediaFileManager.add_deferred

    def add_deferred(self, data_callable, *args, **kwargs):  # noqa: ANN001, ANN002, ANN003, ANN202
        file_id = original(self, data_callable, *args, **kwargs)
        _DEFERRED[file_id] = data_callable
        return file_id

    MediaFileManager.add_deferred = add_deferred  # type: ignore[method-assign]
    try:
        yield
    finally:
        MediaFileManager.add_deferred = original  # type: ignore[method-assign]
        _DEFERRED.clear()


def _downloads(at) -> list[str]:  # noqa: ANN001 - an AppTest
    """Every download on the page, fetched as the browser's click fetches it (the deferred
    callable: ui.served_audited, which also audits it)."""
    out: list[str] = []
    for button in at.get("download_button"):
        file_id = getattr(button.proto, "deferred_file_id", "")
        if file_id in _DEFERRED:
            data = _DEFERRED.pop(file_id)()
            out.append(data.decode("utf-8", "replace") if isinstance(data, bytes) else str(data))
        else:
            out.append(f"DOWNLOAD NOT FETCHED {button.label}")
    return out


def shown(at) -> str:  # noqa: ANN001 - an AppTest
    """Everything the page gives the user in this state: every element as sent to the
    browser (text, table and chart data, widget labels and options) and every download."""
    out: list[str] = []
    _protos(at._tree, out)
    if at.exception:
        out.append("EXCEPTION " + " ".join(str(e.value) for e in at.exception))
    return "\n".join(out + _downloads(at))


def _main_choices(at) -> list:  # noqa: ANN001 - an AppTest
    """Selectboxes and radios in the page itself (not the sidebar), outside any form."""
    found = []
    for kind in ("selectbox", "radio"):
        for widget in at.main.get(kind):
            if not getattr(widget.proto, "form_id", ""):
                found.append((kind, widget.key or widget.id))
    return found


def _widget(at, kind: str, ident: str):  # noqa: ANN001, ANN202
    for widget in at.main.get(kind):
        if (widget.key or widget.id) == ident:
            return widget
    return None


def choose(widget, index: int) -> None:  # noqa: ANN001 - a selectbox or radio
    """Choose the option shown at `index`, as the browser does: it sends the label back and
    the server maps it to the value (AppTest's own setters take the value, which a page's
    format_func hides)."""
    from streamlit.proto.WidgetStates_pb2 import WidgetState

    label = widget.options[index]

    class Chosen(type(widget)):  # type: ignore[misc]
        @property
        def _widget_state(self) -> WidgetState:
            return WidgetState(id=self.id, string_value=label)

    widget.__class__ = Chosen


def explore(at, page: str) -> Iterator[tuple[str, str]]:  # noqa: ANN001 - an AppTest
    """(what was done, what the page then showed) for each state of `page` tried."""
    at.switch_page(page).run()
    yield "opened", shown(at)
    if page.endswith("find.py"):
        at.text_input(key="find_query").input(FIND_QUERY).run()
        yield f"searched {FIND_QUERY}", shown(at)
        if _open_everything(at):
            at.run()
            yield "opened every Why this rank", shown(at)
        for rank_by in ("coaching", "blend"):
            at.radio(key="find_rank_by").set_value(rank_by).run()
            yield f"ranked by {rank_by}", shown(at)
    if page.endswith("profile.py"):
        for ref in PROFILE_REFS:  # as a link opens it (?ref=) and as typed
            at.query_params["ref"] = ref
            at.text_input(key="profile_ref").input(ref).run()
            yield f"profile {ref}", shown(at)
        return
    if page.endswith("allocate.py"):
        for button in at.get("button"):
            if button.label.startswith("Preview allocation"):
                button.click().run()
                yield "previewed the allocation", shown(at)
                break
    for kind, ident in _main_choices(at):
        for index in range(MAX_OPTIONS):
            widget = _widget(at, kind, ident)
            if widget is None or index >= len(widget.options):
                break
            if index == widget.index:  # already shown
                continue
            choose(widget, index)
            at.run()
            yield f"{kind} {ident} option {index}", shown(at)
    if _open_everything(at):
        at.run()
        yield "opened every box and toggle", shown(at)


def _open_everything(at) -> bool:  # noqa: ANN001 - an AppTest
    """Open every keyed box drawn only when opened ("Why this rank"), and switch on every
    toggle outside a form."""
    changed = False
    for widget in at.main.get("toggle"):
        if not getattr(widget.proto, "form_id", "") and not widget.value:
            widget.set_value(True)
            changed = True
    for box in at.expander:
        ident = str(box.proto.id)
        key = ident.rsplit("-", 1)[-1] if ident.startswith("$$ID-") else ""
        if key and key != "None" and not box.proto.expanded:
            at.session_state[key] = True
            changed = True
    return changed


@dataclass
class PageReport:
    """How many page states were checked, by role, and what leaked."""

    checks: int = 0
    leaks: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        return {"checks": self.checks, "leaks": len(self.leaks), "found": self.leaks}


def check(username: str, page: str, state: str, text: str) -> list[str]:
    """The leaks (and failures) in one page state, in words. On the profile page the
    references the user typed are theirs already (the box and the refusal repeat them): a
    typed canary they may not see must meet the refusal, and nothing else may name one."""
    from brokering import leakcheck

    found = []
    if "EXCEPTION" in text or "DOWNLOAD NOT FETCHED" in text:
        found.append(f"{username} {page} {state}: the page failed")
    hidden = leakcheck.forbidden(*leakcheck.ROLES[username])
    typed: set[str] = set()
    if state.startswith("profile "):
        ref = state.removeprefix("profile ")
        typed = set(PROFILE_REFS[: PROFILE_REFS.index(ref) + 1])
        if ref in hidden and f"No one you can see has the reference “{ref}”" not in text:
            found.append(f"{username} {page} {state}: the profile was not refused")
    leaked = sorted(r for r in hidden - typed if r in text)
    if leaked:
        found.append(f"{username} {page} {state}: {', '.join(leaked)}")
    return found


def run_pages(db: Path) -> PageReport:
    """Every role x every page it may open x every state explored, on the canary store."""
    import os

    from brokering import leakcheck, permissions
    from brokering.viewer import Viewer

    os.environ["BROKERING_DB"] = str(db)
    os.environ["BROKERING_SIGN_IN"] = "on"
    report = PageReport()
    with recording_downloads():
        for username, (role, school) in leakcheck.ROLES.items():
            for page in pages():
                if not permissions.can_open(Viewer(role, school, username), page):
                    continue
                for state, text in explore(signed_in(db, username), page):
                    report.checks += 1
                    report.leaks += check(username, page, state, text)
    return report


def main(argv: list[str]) -> int:
    """`python -m ui_leakcheck [--json] [FOLDER]`: build the canary store and run every page."""
    import tempfile

    from brokering import leakcheck

    as_json = "--json" in argv
    folders = [a for a in argv if not a.startswith("--")]
    with tempfile.TemporaryDirectory(prefix="brokering-page-leaks-") as tmp:
        work = Path(folders[0] if folders else tmp)
        work.mkdir(parents=True, exist_ok=True)
        db = work / "pages.duckdb"
        leakcheck.build_store(db)
        report = run_pages(db)
    if as_json:
        print(json.dumps(report.to_dict()))
    else:
        print(f"Page leak checks: {report.checks} run, {len(report.leaks)} leaks found")
        for leak in report.leaks:
            print(f"  FAILED: {leak}")
    return 0 if not report.leaks else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
