"""Schools' words into the template's values, in the staged tables, before validation.

Job titles become roles, judgement words strengths (or ungraded), observer labels role labels
(a person's name dropped), statuses the needs statuses, and list cells are split where the
parts are skills. Readings from the built-in maps and saved value maps are applied and noted;
a fuzzy reading becomes a question ("needs confirmation") that refuses the batch until it is
confirmed once; a value nothing can place is one report line with the nearest choices.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import pandas as pd

from brokering import school_words as sw
from brokering.db import Connection
from brokering.importing.identity import located
from brokering.importing.problems import ImportReport, Problem
from brokering.importing.reader import Staged
from brokering.importing.spec import NEED_STATUSES, ROLES, TABLES
from brokering.importing.value_maps import saved
from brokering.phases import SCHOOL_PHASES
from brokering.taxonomy import SkillMatcher

_NOT_REF = re.compile(r"[^A-Za-z0-9]")
_WHAT = {
    "role": "role",
    "judgement": "strength",
    "observer": "observer",
    "status": "status",
    "skill": "skill",
    "school_phase": "school phase",
}
_ALLOWED = {
    "role": ROLES,
    "status": NEED_STATUSES,
    "school_phase": SCHOOL_PHASES,
    "judgement": ("outstanding", "good", "requires improvement", "inadequate", sw.UNGRADED),
}


@dataclass
class Words:
    """What the pass reported, so the validator's per-row echo of it can be dropped."""

    reported: dict[tuple[str, str], set[str]] = field(default_factory=dict)
    mine: set[int] = field(default_factory=set)


def _kind(table: str, col: str, kind: str) -> str | None:
    if (table, col) == ("staff", "role"):
        return "role"
    if (table, col) == ("needs", "status"):
        return "status"
    if (table, col) == ("schools", "phase"):
        return "school_phase"
    return {"recorder": "observer", "strength": "judgement", "skill": "skill"}.get(kind)


def translate(
    con: Connection, staged: dict[str, Staged], report: ImportReport, matcher: SkillMatcher
) -> Words:
    words = Words()
    maps = {k: saved(con, k) for k in sw.KINDS}
    for table, s in staged.items():
        for col in TABLES[table].columns:
            if col.name not in s.columns:
                continue
            if col.kind == "skill_list":
                _lists(con, s, col.name, matcher, maps["skill"], report, words)
                continue
            kind = _kind(table, col.name, col.kind)
            if kind is None:
                continue
            q = f'"{col.name}"'
            distinct = [
                r[0]
                for r in con.execute(
                    f"SELECT DISTINCT {q} FROM stg_{table} WHERE {q} IS NOT NULL"  # noqa: S608
                ).fetchall()
            ]
            if kind == "observer":
                # Staff refs (one word of letters and digits) are identity's business: only
                # words with spaces or punctuation, or known labels, are read here. The test
                # runs once per distinct value, never per row of a national file.
                labels = set(sw.OBSERVER_WORDS) | set(maps["observer"])
                distinct = [v for v in distinct if _NOT_REF.search(v) or v.lower() in labels]
            if kind == "skill":
                readings = _skills(distinct, matcher, maps["skill"])
            else:
                read = {
                    "role": sw.read_role,
                    "judgement": sw.read_judgement,
                    "observer": sw.read_observer,
                    "status": sw.read_status,
                    "school_phase": sw.read_school_phase,
                }[kind]
                readings = [read(v, maps[kind]) for v in distinct]
            _apply(con, s, col.name, kind, distinct, readings, report, words)
    return words


def _skills(texts: list[str], matcher: SkillMatcher, saved_map: dict[str, str]) -> list:
    out: list[sw.Reading | None] = []
    for text, m in zip(texts, matcher.match_many(texts), strict=True):
        core = sw.course_core(text) if m.status != "exact" else None
        if sw.norm(text) in saved_map:
            out.append(sw.Reading(saved_map[sw.norm(text)], "saved"))
        elif core and matcher.exact(core):
            out.append(sw.Reading(matcher.name(matcher.exact(core)), "rule"))
        elif m.status == "fuzzy" and m.skill_id:
            choices = tuple(dict.fromkeys([matcher.name(m.skill_id), *m.suggestions]))[:3]
            out.append(sw.Reading(matcher.name(m.skill_id), "fuzzy", choices))
        else:
            out.append(None)  # exact, or the validator's own message
    return out


def _apply(
    con: Connection,
    s: Staged,
    col: str,
    kind: str,
    distinct: list[str],
    readings: list,
    report: ImportReport,
    words: Words,
) -> None:
    rewrite: list[tuple[str, str | None]] = []
    read_as: list[str] = []
    for raw, r in zip(distinct, readings, strict=True):
        if r is None or (r.how == "exact" and r.value != sw.UNGRADED):
            continue
        if r.how in ("exact", "map", "rule", "saved"):
            value = None if r.value == sw.UNGRADED else r.value
            if value != raw:
                rewrite.append((raw, value))
                if kind != "observer" or r.value != sw.NOT_RECORDED:
                    read_as.append(f"'{raw}' read as {r.value}")
                else:
                    read_as.append("a person's name dropped (observer not recorded)")
            continue
        lines, rows = _lines(con, s, col, raw)
        if r.how == "fuzzy":
            report.questions.append(
                {
                    "kind": kind,
                    "file": s.label,
                    "column": col,
                    "value": raw,
                    "suggestion": r.value,
                    "choices": list(r.choices),
                    "rows": rows,
                }
            )
            msg = (
                f"needs confirmation: did the file mean {r.value}? (nearest: "
                f"{', '.join(r.choices)}; {rows} row{'s' if rows != 1 else ''}). Confirm it once "
                f'(Data page, or: python -m brokering values confirm {kind} "{raw}" '
                f'"{r.value}") and later files are read the same way.'
            )
        else:
            msg = (
                f"is not a {_WHAT[kind]} we can place, so it is not allowed ({rows} row"
                f"{'s' if rows != 1 else ''}); nearest: {', '.join(r.choices)}. Use one of: "
                f"{', '.join(_ALLOWED.get(kind, r.choices))}, or map the word once: python -m "
                f'brokering values confirm {kind} "{raw}" VALUE.'
            )
        p = Problem(*located(s, lines[0]), col, raw, msg)
        words.mine.add(id(p))
        shown = raw[:79] + "…" if len(raw) > 80 else raw
        files = {s.label, *(getattr(s, "parts", None) or [])}
        words.reported.setdefault((col, shown), set()).update(files)
        report.add(p)
    if read_as:
        shown = "; ".join(dict.fromkeys(read_as[:8]))
        more = f" and {len(read_as) - 8} more" if len(read_as) > 8 else ""
        report.notes.append(f"{s.label}, {col}: {shown}{more}.")
    if rewrite:
        frame = pd.DataFrame(rewrite, columns=["raw", "val"], dtype="string")
        con.register("words_frame", frame)
        con.execute(
            f'UPDATE stg_{s.table} s SET "{col}" = m.val FROM words_frame m '  # noqa: S608
            f'WHERE s."{col}" = m.raw'
        )
        con.unregister("words_frame")


def _lines(con: Connection, s: Staged, col: str, raw: str) -> tuple[list[int], int]:
    rows = con.execute(
        f'SELECT line, count(*) OVER () FROM stg_{s.table} WHERE "{col}" = ? ORDER BY line '  # noqa: S608
        "LIMIT 1",
        [raw],
    ).fetchall()
    return [int(rows[0][0])], int(rows[0][1])


def _lists(
    con: Connection,
    s: Staged,
    col: str,
    matcher: SkillMatcher,
    saved_map: dict[str, str],
    report: ImportReport,
    words: Words,
) -> None:
    """List cells split where the parts are skills; fuzzy parts asked about."""

    def exact(text: str) -> bool:
        return matcher.exact(text) is not None or sw.norm(text) in saved_map

    def name(text: str) -> str:
        sid = matcher.exact(text)
        return matcher.name(sid) if sid else saved_map.get(sw.norm(text), text)

    cells = [
        r[0]
        for r in con.execute(
            f'SELECT DISTINCT "{col}" FROM stg_{s.table} WHERE "{col}" IS NOT NULL'  # noqa: S608
        ).fetchall()
    ]
    rewrite: list[tuple[str, str]] = []
    leftovers: dict[str, list[str]] = {}
    for cell in cells:
        parts = sw.split_list(cell, exact)
        if parts is None:
            parts = []
            for item in (p.strip() for p in cell.split(";") if p.strip()):
                parts += sw.split_list(item, exact) or [item]
        out = [name(p) for p in parts]
        for p in parts:
            if not exact(p):
                leftovers.setdefault(p, []).append(cell)
        joined = ";".join(out)
        if joined != cell:
            rewrite.append((cell, joined))
    if leftovers:
        texts = list(leftovers)
        readings = _skills(texts, matcher, saved_map)
        for text, r in zip(texts, readings, strict=True):
            if r is not None and r.how == "fuzzy":
                cell = leftovers[text][0]
                lines, rows = _lines(con, s, col, next((w for c, w in rewrite if c == cell), cell))
                report.questions.append(
                    {
                        "kind": "skill",
                        "file": s.label,
                        "column": col,
                        "value": text,
                        "suggestion": r.value,
                        "choices": list(r.choices),
                        "rows": rows,
                    }
                )
                p = Problem(
                    *located(s, lines[0]),
                    col,
                    text,
                    f"needs confirmation: did the file mean {r.value}? (nearest: "
                    f"{', '.join(r.choices)}). Confirm it once (Data page, or: python -m "
                    f'brokering values confirm skill "{text}" "{r.value}").',
                )
                words.mine.add(id(p))
                report.add(p)
    if rewrite:
        report.notes.append(
            f"{s.label}, {col}: "
            + "; ".join(f"'{a}' read as {b.replace(';', ', ')}" for a, b in rewrite[:8])
            + (f" and {len(rewrite) - 8} more" if len(rewrite) > 8 else "")
            + "."
        )
        frame = pd.DataFrame(rewrite, columns=["raw", "val"], dtype="string")
        con.register("words_frame", frame)
        con.execute(
            f'UPDATE stg_{s.table} s SET "{col}" = m.val FROM words_frame m '  # noqa: S608
            f'WHERE s."{col}" = m.raw'
        )
        con.unregister("words_frame")


def drop_echoes(report: ImportReport, words: Words) -> None:
    """The validator repeats, row by row, a value this pass already reported once."""
    if not words.reported:
        return
    kept = []
    for p in report.problems:
        if id(p) not in words.mine and p.file in words.reported.get((p.column, p.value), ()):
            report.problem_count -= 1
            continue
        kept.append(p)
    report.problems = kept


def note_ungraded(con: Connection, report: ImportReport, label: str) -> None:
    """Say how many evidence rows carry no grade (they are kept, and weigh little)."""
    cols = {r[0] for r in con.execute("DESCRIBE prs_evidence").fetchall()}
    where = "strength IS NULL" if "strength" in cols else "TRUE"
    n = con.execute(f"SELECT count(*) FROM prs_evidence WHERE {where}").fetchall()[0][0]  # noqa: S608
    if n:
        report.notes.append(
            f"{label}: {n:,} row{'s' if n != 1 else ''} without a grade (course attendance, "
            "ungraded observations): kept with no strength and weighted low in scoring."
        )
