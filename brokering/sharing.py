"""The app and the operator's command line share one store file.

DuckDB lets one process at a time open a file, so the app must not sit on it. The app holds
the store through a `SharedStore`: every page run takes a lease, the file is opened for the
first lease and closed shortly after the last one ends (`idle_close` seconds, so a burst of
page runs pays the ~80 ms open once, not per run). The operator's command line claims the
store by leaving a marker file beside it (`<db>.operator`, holding its process id) while it
waits for and holds the file; the app, seeing the marker, closes as soon as its page runs
end and lets new page runs wait (up to `wait` seconds) before saying, in plain words, that
the data is being updated from the command line.

The app's connection is locked down once the schema is open (`db.lock_down`): no file
access, no extensions, configuration fixed — so no text that reached SQL could read
`/etc/passwd`, attach another database or write a file. An import needs file access (it
reads the uploaded files with `read_csv`) and sets its own memory limit, so it runs on a
separate short-lived connection, `exclusive()`, opened once every page run has let go.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import threading
import time
import weakref
from collections.abc import Callable, Iterator
from pathlib import Path

import duckdb

from brokering.db import Connection, connect, lock_down
from brokering.errors import DatabaseLockedError

#: How long a page run waits for the command line (or an import) before saying so.
PAGE_WAIT_SECONDS = 5.0
#: How long the command line waits for the app's page runs to end (`BROKERING_LOCK_WAIT`).
OPERATOR_WAIT_SECONDS = 60.0


def page_wait() -> float:
    """Seconds a page run waits for the store: `BROKERING_PAGE_WAIT`, else five."""
    try:
        return max(float(os.environ.get("BROKERING_PAGE_WAIT", PAGE_WAIT_SECONDS)), 0.0)
    except ValueError:
        return PAGE_WAIT_SECONDS


def operator_wait() -> float:
    """Seconds the command line waits for the store: `BROKERING_LOCK_WAIT`, else a minute."""
    try:
        return max(float(os.environ.get("BROKERING_LOCK_WAIT", OPERATOR_WAIT_SECONDS)), 0.0)
    except ValueError:
        return OPERATOR_WAIT_SECONDS


_POLL = 0.05


def marker_path(db_path: Path | str) -> Path:
    return Path(f"{db_path}.operator")


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def operator_waiting(db_path: Path | str) -> int | None:
    """The process id of a command line that holds or waits for the store, if any (a
    marker left by a process that has died is removed)."""
    marker = marker_path(db_path)
    try:
        pid = int(marker.read_text(encoding="ascii").strip() or 0)
    except (FileNotFoundError, ValueError):
        return None
    if pid and pid != os.getpid() and _pid_alive(pid):
        return pid
    with contextlib.suppress(FileNotFoundError):
        marker.unlink()
    return None


def busy_message(pid: int | None = None) -> str:
    who = f" (process {pid})" if pid else ""
    return (
        "The alliance's data is being updated from the command line" + who + " or by an "
        "import. Nothing you did was lost: try again in a minute."
    )


def open_with_wait(
    opener: Callable[[], Connection], wait: float, on_wait: Callable[[], None] | None = None
) -> Connection:
    """Open the store, retrying while another process holds its lock, for up to `wait`
    seconds; then the lock error (which names the holder) is raised."""
    deadline = time.monotonic() + wait
    while True:
        try:
            return opener()
        except DatabaseLockedError:
            if time.monotonic() >= deadline:
                raise
            if on_wait is not None:
                on_wait()
            time.sleep(_POLL)


@contextlib.contextmanager
def operator_claim(db_path: Path | str | None) -> Iterator[None]:
    """The command line's side: a marker beside the store for as long as it works on it,
    so the app lets go of the file and holds new page runs back."""
    if db_path is None or str(db_path) == ":memory:":
        yield
        return
    marker = marker_path(db_path)
    marker.parent.mkdir(parents=True, exist_ok=True)
    marker.write_text(str(os.getpid()), encoding="ascii")
    try:
        yield
    finally:
        with contextlib.suppress(FileNotFoundError):
            if marker.read_text(encoding="ascii").strip() == str(os.getpid()):
                marker.unlink()


_ALL: weakref.WeakSet[SharedStore] = weakref.WeakSet()


@atexit.register
def _close_all() -> None:
    """Let go of every store at exit (the closer threads are daemons and would not)."""
    for store in list(_ALL):
        store.close()


class SharedStore:
    """One store file shared by the app's page runs and its imports.

    A page run's thread takes the store by asking for a cursor (`cursor()`), and holds it
    until the thread ends — Streamlit runs each script run on a thread of its own that ends
    with the run, so no end-of-run hook is needed. Other threads hold it explicitly
    (`lease()`). A closer thread lets go of the file once nobody holds it: at once when the
    command line is waiting, else after `idle_close` seconds.
    """

    def __init__(
        self,
        path: Path | str,
        *,
        opener: Callable[[str], Connection] | None = None,
        idle_close: float = 1.0,
        wait: float | None = None,
    ) -> None:
        self.path = str(path)
        self._opener = opener or (lambda p: connect(p))
        self.idle_close = idle_close
        self.wait = page_wait() if wait is None else wait
        self._cond = threading.Condition()
        self._con: Connection | None = None
        self._threads: dict[int, threading.Thread] = {}
        self._explicit = 0
        self._exclusive = False
        self._idle_since = 0.0
        self.opened = 0  # how many times the file was opened (for tests and measures)
        _ALL.add(self)

    # -- holding ---------------------------------------------------------------------------
    def cursor(self) -> Connection:
        """A cursor for the calling thread, which holds the store until it ends."""
        me = threading.current_thread()
        with self._cond:
            # Thread ids are reused: the entry must be this very thread, not a dead one.
            if self._threads.get(me.ident) is not me or self._con is None:
                self._take()
                self._threads[me.ident] = me
            return self._con.cursor()

    @contextlib.contextmanager
    def lease(self) -> Iterator[Callable[[], Connection]]:
        """Hold the store for a block (threads that outlive the work, e.g. a pool)."""
        cursors: list[Connection] = []
        with self._cond:
            self._take()
            self._explicit += 1
            base = self._con

        def cursor() -> Connection:
            c = base.cursor()
            cursors.append(c)
            return c

        try:
            yield cursor
        finally:
            for c in cursors:
                with contextlib.suppress(duckdb.Error):
                    c.close()
            with self._cond:
                self._explicit -= 1
                self._cond.notify_all()

    def _holders(self) -> int:
        for ident, thread in list(self._threads.items()):
            if not thread.is_alive():
                del self._threads[ident]
        return len(self._threads) + self._explicit

    def _take(self) -> None:
        """Called holding the condition: wait out an import or a waiting command line, then
        open the file if it is closed."""
        deadline = time.monotonic() + self.wait
        while self._exclusive or operator_waiting(self.path):
            if self._con is not None and not self._holders():
                self._close()
            left = deadline - time.monotonic()
            if left <= 0:
                raise DatabaseLockedError(busy_message(operator_waiting(self.path)))
            self._cond.wait(min(left, _POLL * 4))
        if self._con is None:
            try:
                self._con = open_with_wait(
                    self._open_locked_down, max(deadline - time.monotonic(), 0.0)
                )
            except DatabaseLockedError as exc:
                raise DatabaseLockedError(busy_message()) from exc
            threading.Thread(target=self._closer, name="store-closer", daemon=True).start()

    def _open_locked_down(self) -> Connection:
        con = self._opener(self.path)
        lock_down(con)
        self.opened += 1
        return con

    def _closer(self) -> None:
        """Let go of the file once nobody holds it (at once if the command line waits)."""
        with self._cond:
            self._idle_since = 0.0
            while self._con is not None:
                if self._holders():
                    self._idle_since = 0.0
                else:
                    now = time.monotonic()
                    self._idle_since = self._idle_since or now
                    if now - self._idle_since >= self.idle_close or operator_waiting(self.path):
                        self._close()
                        break
                self._cond.wait(_POLL * 2)

    def _close(self) -> None:
        if self._con is not None:
            with contextlib.suppress(duckdb.Error):
                self._con.close()
            self._con = None
            self._threads.clear()
            self._cond.notify_all()

    def close(self) -> None:
        with self._cond:
            self._close()

    def release_if_idle(self) -> bool:
        """Let go of the file now if nobody holds it (the closer does this by itself after
        `idle_close`); True when the file is free."""
        with self._cond:
            if not self._holders():
                self._close()
            return self._con is None

    @property
    def is_open(self) -> bool:
        return self._con is not None

    # -- imports -------------------------------------------------------------------------
    @contextlib.contextmanager
    def exclusive(self, wait: float | None = None) -> Iterator[Connection]:
        """A separate, short-lived connection with file access, for an import: opened once
        every other page run has let go (new ones wait), closed at the end. The calling
        thread's own hold ends here: its earlier cursors are closed with the file."""
        deadline = time.monotonic() + (self.wait if wait is None else wait)
        with self._cond:
            self._threads.pop(threading.current_thread().ident, None)
            while self._exclusive or self._holders():
                left = deadline - time.monotonic()
                if left <= 0:
                    raise DatabaseLockedError(busy_message())
                self._cond.wait(min(left, _POLL * 4))
            self._exclusive = True
            self._close()
        try:
            left = max(deadline - time.monotonic(), 0.0)
            con = open_with_wait(lambda: self._opener(self.path), left)
            try:
                yield con
            finally:
                with contextlib.suppress(duckdb.Error):
                    con.close()
        finally:
            with self._cond:
                self._exclusive = False
                self._cond.notify_all()
