"""The leak matrix (brokering/leakcheck.py): canary staff who withheld consent at three
schools, and every role × every export and every command that lists people. No canary from
a school the user may not see appears anywhere in what they are given — not as a row, and
not as a reference inside another row (a coachee, a line manager, who recorded evidence)."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from brokering import leakcheck
from brokering.cli import main
from brokering.leakcheck import CANARIES, COMMANDS, EXPORTS, ROLES, forbidden
from brokering.store import open_store


@pytest.fixture(scope="module")
def matrix_db(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    path = tmp_path_factory.mktemp("leak") / "alliance.duckdb"
    leakcheck.build_store(path)
    con = open_store(path)
    # Every command runs on one open store (a cursor each) rather than reopening the file
    # 170 times: the rules under test are the same, and the matrix stays quick.
    cli_module = sys.modules[main.__module__]
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(cli_module, "open_store", lambda _path=None: con.cursor())
        yield path
    con.close()


def test_the_canaries_are_there_for_the_administrator(matrix_db: Path) -> None:
    """The matrix proves something only if the canaries would show when allowed."""
    text = leakcheck.run_cli(matrix_db, ["--as", "m-admin", *COMMANDS[0]])
    assert set(CANARIES.values()) <= {r["staff_ref"] for r in json.loads(text)["results"]}


@pytest.mark.parametrize("table", EXPORTS)
@pytest.mark.parametrize("username", list(ROLES))
def test_exports_hold_no_canary_the_user_may_not_see(
    matrix_db: Path, tmp_path: Path, username: str, table: str
) -> None:
    out = tmp_path / f"{table}.csv"
    text = leakcheck.run_cli(matrix_db, ["--as", username, "export", table, "--out", str(out)])
    assert "Traceback" not in text
    body = out.read_text(encoding="utf-8-sig") if out.exists() else ""
    leaked = {ref for ref in forbidden(*ROLES[username]) if ref in body or ref in text}
    assert not leaked, f"{username} export {table} shows {leaked}"


@pytest.mark.parametrize("argv", COMMANDS, ids=[" ".join(c[:2]) for c in COMMANDS])
@pytest.mark.parametrize("username", list(ROLES))
def test_commands_name_no_canary_the_user_may_not_see(
    matrix_db: Path, username: str, argv: list[str]
) -> None:
    text = leakcheck.run_cli(matrix_db, ["--as", username, *argv])
    assert "Traceback" not in text
    leaked = {ref for ref in forbidden(*ROLES[username]) if ref in text}
    assert not leaked, f"{username} {' '.join(argv)} shows {leaked}"


@pytest.mark.parametrize("username", list(ROLES))
def test_why_this_rank_names_no_canary_the_user_may_not_see(matrix_db: Path, username) -> None:
    """The find's "Why this rank" lists who recorded each piece of evidence."""
    con = sys.modules[main.__module__].open_store(matrix_db)
    try:
        shown = leakcheck.why_this_rank(con, username)
    finally:
        con.close()
    leaked = {ref for ref in forbidden(*ROLES[username]) if ref in shown}
    assert not leaked, f"{username} why-this-rank shows {leaked}"
