"""Free text cleaned at the door: notes and comments lose e-mail addresses and the names of
anyone in the batch's identity files before anything is validated or stored.

E-mail addresses become `[e-mail]`; "Title Surname" (Mrs Okafor, Mr. Lee) and "Forename
Surname" of a person named in staff.csv's identity-only columns become `[name]`. The names
themselves are never stored; the report counts what was taken out.
"""

from __future__ import annotations

import re

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
    con: Connection, staged: dict[str, Staged], names: list[Name], report: ImportReport
) -> None:
    """Rewrite the staged free-text cells; count e-mails and names removed."""
    patterns = name_patterns(names)
    removed = {"e-mail": 0, "name": 0}
    for table, columns in FREE_TEXT.items():
        s = staged.get(table)
        if s is None:
            continue
        for col in (c for c in columns if c in s.columns):
            removed["e-mail"] += _replace(con, table, col, EMAIL_PATTERN, "[e-mail]", "%@%")
            for pattern in patterns:
                removed["name"] += _replace(con, table, col, pattern, "[name]", None)
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
