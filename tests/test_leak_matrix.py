"""The leak matrix: canary staff who withheld consent at three schools, and every role ×
every export and every command that lists people. No canary from a school the user may not
see appears anywhere in what they are given — not as a row, and not as a reference inside
another row (a coachee, a line manager, the person who recorded evidence)."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from brokering import accounts, scoring
from brokering.cli import main
from brokering.importing import import_paths
from brokering.store import open_store
from brokering.viewer import Viewer, operator
from tests.conftest import TINY, TINY_TODAY

CANARY_DIR = Path(__file__).parent / "data" / "canary"
#: One canary per school: a partner school's leaders may never see them.
CANARIES = {"A": "ZCANA", "B": "ZCANB", "C": "ZCANC"}
PASSWORD = "leak-matrix-Password-4417"

#: username -> (role, school); every role, school-bound ones at each school.
ROLES: dict[str, tuple[str, str | None]] = {
    "m-admin": ("alliance_admin", None),
    "m-coordinator": ("sle_coordinator", None),
    "m-governor": ("viewer", None),
    **{f"m-head-{s.lower()}": ("headteacher", s) for s in CANARIES},
    **{f"m-leader-{s.lower()}": ("senior_leader", s) for s in CANARIES},
}

EXPORTS = ["schools", "staff", "evidence", "coaching", "needs", "skills"]
#: Every command that lists or names people (argument lists after `--as USER`).
COMMANDS: list[list[str]] = [
    ["find", "Mathematics", "--top", "200", "--json", "--as-of", "2026-11-20"],
    ["find", "Mathematics", "--rank-by", "coaching", "--top", "200", "--json"],
    ["find", "Mathematics", "--rank-by", "blend", "--top", "200", "--json"],
    ["match", "LMA", "Mathematics", "--json", "--as-of", "2026-11-20"],
    ["match", "B3", "Mathematics", "--json", "--as-of", "2026-11-20"],
    ["allocate", "--json", "--as-of", "2026-11-20"],
    ["needs", "list", "--json"],
    ["needs", "list", "--status", "open", "--status", "closed", "--json"],
    ["requests", "list", "--json"],
    ["pairings", "--json"],
    ["pairings-ledger", "--by", "person", "--json"],
    ["pairings-ledger", "--by", "relationship", "--json"],
    ["pairings-accountability", "--json"],
    ["users", "list", "--json"],
    ["stats", "--json"],
]


def forbidden(role: str, school: str | None) -> set[str]:
    """The canaries this user may not see: all but their own school's (the administrator
    sees everyone)."""
    if role == "alliance_admin":
        return set()
    return {ref for s, ref in CANARIES.items() if s != school}


@pytest.fixture(scope="module")
def matrix_db(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    path = tmp_path_factory.mktemp("leak") / "alliance.duckdb"
    con = open_store(path)
    assert import_paths(con, [TINY], operator(), today=TINY_TODAY).ok
    report = import_paths(con, [CANARY_DIR], operator(), today=TINY_TODAY)
    assert report.ok, [str(p) for p in report.problems]
    for username, (role, school) in ROLES.items():
        accounts.create_user(con, operator(), username, PASSWORD, role, school)
    # Every command runs on one open store (a cursor each) rather than reopening the file
    # 180 times: the rules under test are the same, and the matrix stays quick.
    cli_module = sys.modules[main.__module__]
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(cli_module, "open_store", lambda _path=None: con.cursor())
        yield path
    con.close()


def run_cli(db: Path, argv: list[str], capsys: pytest.CaptureFixture[str]) -> str:
    main(["--db", str(db), *argv])
    out = capsys.readouterr()
    return out.out + out.err


def test_the_canaries_are_there_for_the_administrator(matrix_db: Path, capsys) -> None:
    """The matrix proves something only if the canaries would show when allowed."""
    text = run_cli(matrix_db, COMMANDS[0], capsys)
    assert set(CANARIES.values()) <= {r["staff_ref"] for r in json.loads(text)["results"]}


@pytest.mark.parametrize("table", EXPORTS)
@pytest.mark.parametrize("username", list(ROLES))
def test_exports_hold_no_canary_the_user_may_not_see(
    matrix_db: Path, tmp_path: Path, username: str, table: str, capsys
) -> None:
    out = tmp_path / f"{table}.csv"
    text = run_cli(matrix_db, ["--as", username, "export", table, "--out", str(out)], capsys)
    assert "Traceback" not in text
    body = out.read_text(encoding="utf-8-sig") if out.exists() else ""
    role, school = ROLES[username]
    leaked = {ref for ref in forbidden(role, school) if ref in body or ref in text}
    assert not leaked, f"{username} export {table} shows {leaked}"


@pytest.mark.parametrize("argv", COMMANDS, ids=[" ".join(c[:2]) for c in COMMANDS])
@pytest.mark.parametrize("username", list(ROLES))
def test_commands_name_no_canary_the_user_may_not_see(
    matrix_db: Path, username: str, argv: list[str], capsys
) -> None:
    text = run_cli(matrix_db, ["--as", username, *argv], capsys)
    assert "Traceback" not in text
    role, school = ROLES[username]
    leaked = {ref for ref in forbidden(role, school) if ref in text}
    assert not leaked, f"{username} {' '.join(argv)} shows {leaked}"


@pytest.mark.parametrize("username", list(ROLES))
def test_why_this_rank_names_no_canary_the_user_may_not_see(matrix_db: Path, username) -> None:
    """The find's "Why this rank" lists who recorded each piece of evidence."""
    role, school = ROLES[username]
    viewer = Viewer(role, school, username)
    con = sys.modules[main.__module__].open_store(matrix_db)
    try:
        shown = ""
        for ref in ("LMA", "LMB", "LMC"):
            try:
                shown += scoring.explain_practice(
                    con, viewer, ref, "mathematics", as_of=TINY_TODAY
                ).to_csv()
            except Exception as exc:  # noqa: BLE001 - a refusal is fine; its text is checked
                shown += str(exc)
    finally:
        con.close()
    leaked = {ref for ref in forbidden(role, school) if ref in shown}
    assert not leaked, f"{username} why-this-rank shows {leaked}"
