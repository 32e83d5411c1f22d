"""The app and the operator share the store: the app's connection is locked down, holds the
file only while page runs use it, lets the command line in, and says so in plain words when
a page run meets the command line's hold. Imports run on their own short-lived connection."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from pathlib import Path

import duckdb
import pytest

from brokering.errors import DatabaseLockedError
from brokering.importing import import_paths
from brokering.sharing import SharedStore, marker_path, operator_waiting
from brokering.store import open_store
from brokering.viewer import operator
from tests.conftest import TINY, TINY_TODAY

ROOT = Path(__file__).parent.parent
HOSTILE = [
    "SELECT * FROM read_csv('/etc/passwd')",
    "SELECT * FROM read_text('/etc/hostname')",
    "SELECT * FROM glob('/etc/*')",
    "ATTACH '{tmp}/other.duckdb' AS other",
    "INSTALL excel",
    "LOAD excel",
    "COPY (SELECT 1 AS x) TO '{tmp}/out.csv'",
    "EXPORT DATABASE '{tmp}/dump'",
    "SET enable_external_access = true",
    "SET lock_configuration = false",
    "SET allowed_directories = ['/']",
    "SET memory_limit = '1TB'",
]


@pytest.fixture
def store_path(tmp_path: Path) -> Path:
    path = tmp_path / "alliance.duckdb"
    con = open_store(path)
    assert import_paths(con, [TINY], operator(), today=TINY_TODAY).ok
    con.close()
    return path


def in_thread(fn):  # noqa: ANN001, ANN201 - a page run is a thread that ends
    out: dict = {}

    def run() -> None:
        try:
            out["value"] = fn()
        except Exception as exc:  # noqa: BLE001 - handed back to the test
            out["error"] = exc

    t = threading.Thread(target=run)
    t.start()
    t.join()
    if "error" in out:
        raise out["error"]
    return out["value"]


@pytest.mark.parametrize("sql", HOSTILE)
def test_the_apps_connection_refuses_files_extensions_and_settings(
    store_path: Path, tmp_path: Path, sql: str
) -> None:
    store = SharedStore(store_path)
    try:
        con = store.cursor()
        with pytest.raises(duckdb.Error):
            con.execute(sql.format(tmp=tmp_path))
        assert not (tmp_path / "out.csv").exists() and not (tmp_path / "other.duckdb").exists()
        assert con.execute("SELECT count(*) FROM staff").fetchall() == [(8,)]
    finally:
        store.close()


def test_the_apps_connection_still_writes(store_path: Path) -> None:
    store = SharedStore(store_path)
    try:
        con = store.cursor()
        con.execute("UPDATE staff SET capacity_hours = 7 WHERE staff_ref = 'A1'")
        con.execute("CHECKPOINT")
        assert con.execute(
            "SELECT capacity_hours FROM staff WHERE staff_ref = 'A1'"
        ).fetchall() == [(7.0,)]
    finally:
        store.close()


def test_an_import_runs_on_its_own_connection_and_the_app_stays_locked(
    store_path: Path, tiny_dir: Path
) -> None:
    store = SharedStore(store_path)
    try:
        store.cursor()  # this page run holds the store, locked down
        (tiny_dir / "staff.csv").write_text(
            (tiny_dir / "staff.csv").read_text() + "A9,A,teacher,KS1,,,yes,no,no,0,2025-09-01,\n"
        )
        with store.exclusive() as con:
            report = import_paths(con, [tiny_dir], operator(), today=TINY_TODAY)
        assert report.ok, [str(p) for p in report.problems]
        con = store.cursor()
        assert con.execute("SELECT count(*) FROM staff").fetchall() == [(9,)]
        with pytest.raises(duckdb.Error):
            con.execute("SELECT * FROM read_csv('/etc/passwd')")
    finally:
        store.close()


def _other_process_opens(path: Path) -> bool:
    code = f"import duckdb; duckdb.connect({str(path)!r}).close()"
    return subprocess.run([sys.executable, "-c", code], capture_output=True).returncode == 0


def test_the_file_is_free_once_page_runs_end(store_path: Path) -> None:
    store = SharedStore(store_path, idle_close=3600)
    try:
        in_thread(lambda: store.cursor().execute("SELECT 1").fetchall())
        assert store.release_if_idle()
        assert _other_process_opens(store_path)
        # The next page run opens it again.
        assert in_thread(lambda: store.cursor().execute("SELECT 1").fetchall()) == [(1,)]
        assert store.opened == 2
    finally:
        store.close()


def test_a_page_run_in_progress_keeps_the_file(store_path: Path) -> None:
    store = SharedStore(store_path)
    try:
        store.cursor()  # the test's own thread is a page run still going
        assert not store.release_if_idle()
    finally:
        store.close()


def _holder(path: Path) -> subprocess.Popen:
    """A command line holding the store (its marker beside it) until its stdin closes."""
    code = (
        "import sys\n"
        "from brokering.sharing import operator_claim\n"
        "from brokering.db import connect\n"
        f"with operator_claim({str(path)!r}):\n"
        f"    con = connect({str(path)!r})\n"
        "    print('held', flush=True)\n"
        "    sys.stdin.read()\n"
        "    con.close()\n"
    )
    return subprocess.Popen(
        [sys.executable, "-c", code],
        cwd=ROOT,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )


def test_a_page_run_meeting_the_command_line_waits_then_says_so(store_path: Path) -> None:
    holder = _holder(store_path)
    store = SharedStore(store_path, wait=0.3)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        assert operator_waiting(store_path) == holder.pid
        with pytest.raises(DatabaseLockedError) as info:
            in_thread(store.cursor)
        assert "command line" in str(info.value) and "Traceback" not in str(info.value)
    finally:
        holder.communicate("")
        store.close()
    assert not marker_path(store_path).exists()
    assert in_thread(lambda: store.cursor().execute("SELECT 1").fetchall()) == [(1,)]
    store.close()


@pytest.mark.parametrize(
    "argv",
    [
        ["users", "list"],
        ["import", str(TINY), "--refs-are-pseudonyms"],
        ["consent", "set", "B2", "no"],
        ["optimise"],
    ],
    ids=["users", "import", "consent", "optimise"],
)
def test_the_command_line_works_while_the_app_serves(store_path: Path, argv: list[str]) -> None:
    store = SharedStore(store_path, idle_close=3600)  # the app would hold it for an hour
    try:
        in_thread(lambda: store.cursor().execute("SELECT 1").fetchall())
        assert store.is_open
        env = {**os.environ, "BROKERING_LOCK_WAIT": "30"}
        done = subprocess.run(
            [sys.executable, "-m", "brokering", "--db", str(store_path), *argv],
            cwd=ROOT,
            capture_output=True,
            text=True,
            env=env,
        )
        assert done.returncode == 0, done.stderr
        assert in_thread(lambda: store.cursor().execute("SELECT 1").fetchall()) == [(1,)]
    finally:
        store.close()


def test_a_page_meeting_the_command_line_says_so_in_plain_words(
    tiny_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from streamlit.testing.v1 import AppTest

    monkeypatch.setenv("BROKERING_PAGE_WAIT", "0.3")
    holder = _holder(tiny_db)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
        at.session_state["viewer_role"] = "alliance_admin"
        at.run()
        assert not at.exception
        assert any("command line" in w.value for w in at.warning)
    finally:
        holder.communicate("")
