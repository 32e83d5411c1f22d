"""A served download's URL (ui_downloads): Streamlit's `/media/<id>` route serves whatever
its media storage returns, to anyone with the URL, until its cleanup gets round to it. The
guard on the storage's lookup serves a download only to a session still signed in, within a
short expiry, and audits every fetch before the bytes go out.

These drive Streamlit's own MediaFileManager and in-memory storage (the objects behind the
route) as the server does: a deferred download is run on a click, then fetched by id."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from streamlit.runtime.media_file_manager import MediaFileManager
from streamlit.runtime.media_file_storage import MediaFileStorageError
from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage

import ui
import ui_downloads
from brokering.db import connect
from brokering.sharing import SharedStore
from brokering.store import open_store
from brokering.viewer import Viewer

HEAD = Viewer("headteacher", "A", "head-a")
DATA = b"staff_ref,skill\r\nA2,Mathematics\r\n"


@pytest.fixture
def server(
    tmp_path: Path,
) -> Iterator[tuple[MediaFileManager, MemoryMediaFileStorage, SharedStore]]:
    db = tmp_path / "alliance.duckdb"
    open_store(db).close()
    store = SharedStore(db, opener=lambda p: connect(p))
    storage = MemoryMediaFileStorage("/media")
    manager = MediaFileManager(storage)
    ui_downloads.guard(storage, store.lease)
    yield manager, storage, store
    for session in ("s1", "s2"):
        ui_downloads.revoke(session)


def _click(manager: MediaFileManager, store: SharedStore, session: str = "s1") -> str:
    """The download button clicked: Streamlit runs the deferred callable; the file's id."""
    serve = ui.served_audited(store, HEAD, DATA, "results.csv", session)
    file_id = manager.add_deferred(serve, "text/csv", "1.2", file_name="results.csv")
    url = manager.execute_deferred(file_id)
    return url.rsplit("/", 1)[-1].split(".", 1)[0]


def _exports(store: SharedStore) -> list[dict]:
    with store.lease() as cursor:
        rows = (
            cursor()
            .execute("SELECT detail FROM audit_log WHERE action = 'export' ORDER BY audit_id")
            .fetchall()
        )
    return [json.loads(r[0]) for r in rows]


def test_each_fetch_by_url_is_audited(server) -> None:
    manager, storage, store = server
    file_id = _click(manager, store)
    assert _exports(store) == [{"download": "results.csv", "bytes": len(DATA)}]
    for _ in range(2):
        assert bytes(storage.get_file(file_id).content) == DATA
    fetched = [e for e in _exports(store) if e.get("fetched_by_url")]
    assert fetched == [{"download": "results.csv", "fetched_by_url": True}] * 2


def test_not_fetchable_after_the_session_signs_out(server) -> None:
    manager, storage, store = server
    file_id = _click(manager, store, "s1")
    assert storage.get_file(file_id)
    ui_downloads.revoke("s1")
    with pytest.raises(MediaFileStorageError):
        storage.get_file(file_id)
    with pytest.raises(MediaFileStorageError):  # and dropped from the storage altogether
        storage.get_file(file_id)
    assert len([e for e in _exports(store) if e.get("fetched_by_url")]) == 1


def test_not_fetchable_after_the_expiry(server, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BROKERING_DOWNLOAD_TTL", "0")
    manager, storage, store = server
    file_id = _click(manager, store)
    with pytest.raises(MediaFileStorageError):
        storage.get_file(file_id)
    assert not [e for e in _exports(store) if e.get("fetched_by_url")]


def test_another_sessions_sign_out_leaves_this_one_fetchable(server) -> None:
    manager, storage, store = server
    file_id = _click(manager, store, "s1")
    ui_downloads.revoke("s2")
    assert bytes(storage.get_file(file_id).content) == DATA


def test_a_download_not_issued_here_is_never_served(server) -> None:
    """A file put in the storage some other way (a static download) is refused; pictures
    and other media are left alone."""
    manager, storage, _store = server
    url = manager.add(b"secret", "text/csv", "1.3", "x.csv", is_for_static_download=True)
    with pytest.raises(MediaFileStorageError):
        storage.get_file(url.rsplit("/", 1)[-1].split(".", 1)[0])
    url = manager.add(b"\x89PNG picture", "image/png", "1.4")
    assert storage.get_file(url.rsplit("/", 1)[-1].split(".", 1)[0])


def test_a_fetch_that_cannot_be_audited_is_not_served(tmp_path: Path) -> None:
    db = tmp_path / "alliance.duckdb"
    open_store(db).close()
    store = SharedStore(db, opener=lambda p: connect(p))
    storage = MemoryMediaFileStorage("/media")
    manager = MediaFileManager(storage)

    @contextmanager
    def broken_lease():  # noqa: ANN202
        raise OSError("disk full")
        yield  # pragma: no cover

    ui_downloads.guard(storage, broken_lease)
    try:
        file_id = _click(manager, store, "s1")
        with pytest.raises(MediaFileStorageError, match="could not be recorded"):
            storage.get_file(file_id)
    finally:
        ui_downloads.revoke("s1")
