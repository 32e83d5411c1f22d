"""Free text cleaned at the door: notes and comments lose e-mail addresses and the names of
anyone in the batch's identity files before anything is validated or stored.

E-mail addresses become `[e-mail]`; "Title Surname" (Mrs Okafor, Mr. Lee) and "Forename
Surname" of a person named in staff.csv's identity-only columns become `[name]`. The names
themselves are never stored; the report counts what was taken out.
"""

from __future__ import annotations

import re

import pandas as pd

from brokering.db import Connection
from brokering.importing.problems import ImportReport
from brokering.importing.reader import Staged

#: Free-text columns, by table.
FREE_TEXT: dict[str, tuple[str, ...]] = {
    "evidence": ("note",),
    "coaching": ("coachee_feedback",),
    "pairings": ("donor_contribution", "recipient_contribution", "reason", "note"),
    "pairing_evidence": ("note", "measure"),
}
EMAIL_PATTERN = r"[A-Za-z0-9._%+'-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+"
TITLES = ("Mr", "Mrs", "Ms", "Miss", "Mx", "Dr", "Prof", "Sir", "Dame")
_CHUNK = 1500  # names per regular expression, so a national staff file stays manageable

Name = tuple[str | None, str | None, str | None]


def name_patterns(names: list[Name]) -> list[str]:
    """RE2 patterns (case-insensitive) for "Title Surname" and "Forename Surname"."""
    surnames = sorted({s.strip() for _t, _f, s in names if s and s.strip()})
    pairs = sorted(
        {f"{f.strip()} {s.strip()}" for _t, f, s in names if f and s and f.strip() and s.strip()}
    )
    titles = sorted({t.strip().rstrip(".") for t, _f, _s in names if t and t.strip()} | set(TITLES))
    title_alt = "|".join(re.escape(t) for t in titles)
    out = []
    for i in range(0, len(surnames), _CHUNK):
        alt = "|".join(re.escape(s) for s in surnames[i : i + _CHUNK])
        out.append(rf"(?i)\b(?:{title_alt})\.?\s+(?:{alt})\b")
    for i in range(0, len(pairs), _CHUNK):
        alt = "|".join(re.escape(p).replace(r"\ ", r"\s+") for p in pairs[i : i + _CHUNK])
        out.append(rf"(?i)\b(?:{alt})\b")
    return out


def clean_free_text(
    con: Connection,
    staged: dict[str, Staged],
    names: list[Name],
    report: ImportReport,
    key: bytes | None = None,
) -> None:
    """Rewrite the staged free-text cells; count e-mails and names removed. With the alliance
    key, names of people from earlier batches' staff files (kept only as keyed hashes in the
    identity index) are found too."""
    patterns = name_patterns(names)
    removed = {"e-mail": 0, "name": 0}
    held = key is not None and bool(
        con.execute("SELECT count(*) FROM identity_index WHERE kind = 'surname'").fetchall()[0][0]
    )
    for table, columns in FREE_TEXT.items():
        s = staged.get(table)
        if s is None:
            continue
        for col in (c for c in columns if c in s.columns):
            removed["e-mail"] += _replace(con, table, col, EMAIL_PATTERN, "[e-mail]", "%@%")
            for pattern in patterns:
                removed["name"] += _replace(con, table, col, pattern, "[name]", None)
            if held and key is not None:
                removed["name"] += _held_names(con, table, col, key)
    report.removed = {k: v for k, v in removed.items() if v}
    if report.removed:
        words = {"e-mail": ("e-mail address", "e-mail addresses"), "name": ("name", "names")}
        said = " and ".join(f"{n:,} {words[k][n != 1]}" for k, n in report.removed.items())
        report.notes.append(f"Free text cleaned: {said} taken out of notes and comments.")


def _replace(con: Connection, table: str, col: str, pattern: str, by: str, like: str | None) -> int:
    q = f'"{col}"'
    where = f"{q} LIKE '{like}' AND " if like else ""
    n = con.execute(
        f"SELECT coalesce(sum(len(regexp_extract_all({q}, ?))), 0) FROM stg_{table} "  # noqa: S608
        f"WHERE {where}regexp_matches({q}, ?)",
        [pattern, pattern],
    ).fetchall()[0][0]
    if n:
        con.execute(
            f"UPDATE stg_{table} SET {q} = regexp_replace({q}, ?, ?, 'g') "  # noqa: S608
            f"WHERE {where}regexp_matches({q}, ?)",
            [pattern, by, pattern],
        )
    return int(n)


_WORD = re.compile(r"[A-Za-z][A-Za-z'’-]*\.?")


def _held_names(con: Connection, table: str, col: str, key: bytes) -> int:
    """Names of people held (as keyed hashes) in cells with two capitalised words in a row:
    each "Title Word" and "Word Word" pair is hashed and looked up, never stored."""
    from brokering.pseudonymise import identity_hash

    q = f'"{col}"'
    cells = [
        r[0]
        for r in con.execute(
            f"SELECT DISTINCT {q} FROM stg_{table} "  # noqa: S608
            f"WHERE regexp_matches({q}, '[A-Z][A-Za-z''’-]*\\.?\\s+[A-Z]')"
        ).fetchall()
    ]
    titles = {t.lower() for t in TITLES}
    found: dict[str, list[tuple[int, int, str, str]]] = {}
    hashes: set[str] = set()
    for cell in cells:
        words = list(_WORD.finditer(cell))
        for a, b in zip(words, words[1:], strict=False):
            w1, w2 = a.group(0), b.group(0).rstrip(".")
            if not w2[:1].isupper() or cell[a.end() : b.start()].strip():
                continue
            if w1.rstrip(".").lower() in titles:
                kind, text = "surname", w2.lower()
            elif w1[:1].isupper():
                kind, text = "name", f"{w1.rstrip('.')} {w2}".lower()
            else:
                continue
            h = identity_hash(kind, text, key)
            hashes.add(h)
            found.setdefault(cell, []).append((a.start(), b.start() + len(w2), kind, h))
    if not hashes:
        return 0
    known = {
        r[0]
        for r in con.execute(
            "SELECT key_hash FROM identity_index WHERE kind IN ('name', 'surname') "
            "AND list_contains(?, key_hash)",
            [sorted(hashes)],
        ).fetchall()
    }
    rewrite: list[tuple[str, str, int]] = []
    for cell, spans in found.items():
        hits = sorted((a, b) for a, b, _k, h in spans if h in known)
        out, at, k = [], 0, 0
        for a, b in hits:
            if a < at:
                continue
            out += [cell[at:a], "[name]"]
            at, k = b, k + 1
        if k:
            rewrite.append((cell, "".join([*out, cell[at:]]), k))
    if not rewrite:
        return 0
    frame = pd.DataFrame(rewrite, columns=["raw", "val", "k"]).astype(
        {"raw": "string", "val": "string"}
    )
    con.register("names_frame", frame)
    n = con.execute(
        f"SELECT coalesce(sum(m.k), 0) FROM stg_{table} s JOIN names_frame m ON s.{q} = m.raw"  # noqa: S608
    ).fetchall()[0][0]
    con.execute(f"UPDATE stg_{table} s SET {q} = m.val FROM names_frame m WHERE s.{q} = m.raw")  # noqa: S608
    con.unregister("names_frame")
    return int(n)
