"""Downloads served by URL: audited on every fetch, and gone after sign-out or a short expiry
(issue 22: "every download served is audited, including by URL").

What Streamlit does (1.67, read from streamlit/runtime/media_file_manager.py and the
`/media/{file_id}` route in web/server/starlette/starlette_routes.py):
- a deferred download (`st.download_button` given a callable, as ui.download does) puts no
  file anywhere until the button is clicked; the click asks the server, over the session's
  WebSocket, to run the callable; its bytes are stored in the in-memory media storage under
  an id made from a hash of the content, type and file name, and the browser then fetches
  `/media/<id>.<ext>` over plain HTTP;
- that route checks no session, cookie or sign-in: whoever has the URL gets the file;
- the stored file belongs to no session: Streamlit marks it at the end of the next script
  run (of any session) and deletes it at the end of the one after. On a quiet server it
  stays fetchable for as long as nobody runs a page.

Streamlit offers no hook on that route when started with `streamlit run` (st.App middleware
would need a different entry point), so the app guards the storage's lookup itself: the
first page run that offers a download wraps the media storage's `get_file` (`guard`). A
downloadable file is then handed over only if this module issued it — to a session still
signed in, within `ttl()` seconds — and each fetch is written to the audit trail (the
viewer it was issued to, the file name and "fetched by URL") before the bytes go out. An
unknown, expired or revoked file is dropped from the storage and answered "not found";
if the audit cannot be written the file is not served. Sign-out revokes the session's files.
"""

from __future__ import annotations

import hashlib
import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from brokering import audit
from brokering.viewer import Viewer

#: Seconds a served download stays fetchable by its URL (`BROKERING_DOWNLOAD_TTL`).
DEFAULT_TTL = 60.0


def ttl() -> float:
    try:
        return max(0.0, float(os.environ.get("BROKERING_DOWNLOAD_TTL", DEFAULT_TTL)))
    except ValueError:
        return DEFAULT_TTL


@dataclass(frozen=True)
class Issued:
    """One download handed to one session: who, which file, until when."""

    viewer: Viewer
    file_name: str
    session: str
    expires: float


_LOCK = threading.Lock()
#: sha256 of the bytes -> every issue of those bytes (Streamlit stores equal bytes once).
_ISSUED: dict[str, list[Issued]] = {}
#: Set while the storage makes a URL (its own lookup, not a fetch).
_INTERNAL = threading.local()


def _digest(data: bytes | str) -> str:
    raw = data.encode("utf-8") if isinstance(data, str) else bytes(data)
    return hashlib.sha256(raw).hexdigest()


def issue(data: bytes | str, viewer: Viewer, file_name: str, session: str) -> None:
    """Note that `data` was just served to `session`: fetchable by URL until `ttl()`."""
    entry = Issued(viewer, file_name, session, time.monotonic() + ttl())
    with _LOCK:
        _prune()
        _ISSUED.setdefault(_digest(data), []).append(entry)


def revoke(session: str) -> int:
    """Every download issued to `session` stops being fetchable (sign-out calls this)."""
    removed = 0
    with _LOCK:
        for key in list(_ISSUED):
            kept = [e for e in _ISSUED[key] if e.session != session]
            removed += len(_ISSUED[key]) - len(kept)
            if kept:
                _ISSUED[key] = kept
            else:
                del _ISSUED[key]
    return removed


def _prune() -> None:
    now = time.monotonic()
    for key in list(_ISSUED):
        kept = [e for e in _ISSUED[key] if e.expires > now]
        if kept:
            _ISSUED[key] = kept
        else:
            del _ISSUED[key]


def current(content: bytes, file_name: str | None) -> Issued | None:
    """The live issue of these bytes under this name, if any."""
    with _LOCK:
        _prune()
        live = [e for e in _ISSUED.get(_digest(content), []) if e.file_name == file_name]
    return live[-1] if live else None


def guard(storage: object, lease: Callable) -> None:
    """Wrap the media storage's `get_file` (once per storage object): downloadable files
    are served only while issued, and every fetch is audited first. `lease` holds the store
    (SharedStore.lease) for the audit entry."""
    from streamlit.runtime.media_file_storage import MediaFileKind, MediaFileStorageError

    with _LOCK:
        if getattr(storage, "_brokering_guarded", False):
            return
        storage._brokering_guarded = True  # type: ignore[attr-defined]
    original = storage.get_file  # type: ignore[attr-defined]
    original_url = storage.get_url  # type: ignore[attr-defined]

    def get_url(file_id: str) -> str:
        """Making a URL looks the file up too: that is not a fetch."""
        _INTERNAL.on = True
        try:
            return original_url(file_id)
        finally:
            _INTERNAL.on = False

    def get_file(file_id: str):  # noqa: ANN202 - Streamlit's MemoryFile
        found = original(file_id)
        if getattr(_INTERNAL, "on", False) or found.kind != MediaFileKind.DOWNLOADABLE:
            return found
        issued = current(found.content, found.filename)
        detail = {"download": found.filename or "", "fetched_by_url": True}
        if issued is None:
            _drop(storage, file_id)
            raise MediaFileStorageError(f"Bad filename '{file_id}'. (No media file with id)")
        try:
            with lease() as cursor:
                audit.record(cursor(), issued.viewer, "export", detail)
        except Exception as exc:  # noqa: BLE001 - not audited, not served
            raise MediaFileStorageError("The download could not be recorded.") from exc
        return found

    storage.get_file = get_file  # type: ignore[attr-defined]
    storage.get_url = get_url  # type: ignore[attr-defined]


def _drop(storage: object, file_id: str) -> None:
    try:
        storage.delete_file(file_id)  # type: ignore[attr-defined]
    except Exception:  # noqa: BLE001, S110 - already gone
        pass


def guard_this_server(lease: Callable) -> None:
    """Guard the running server's media storage (a no-op outside a server)."""
    from streamlit import runtime

    if not runtime.exists():
        return
    manager = runtime.get_instance().media_file_mgr
    storage = getattr(manager, "_storage", None)
    if storage is not None and hasattr(storage, "get_file"):
        guard(storage, lease)
