"""The values of a proposed mapping's columns, checked on the sample rows.

Each mapped column's sample values are read as the import will read them. A value read
through a built-in word list (a job title, a judgement word, an observer label) is written
into the mapping's value map, so the user sees and can change it; a fuzzy reading becomes
a question to confirm; a value nothing can place is unresolved, with the nearest choices.
Only the sample rows are read here: the import still checks every row.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable

from brokering import values
from brokering.importing import parsers
from brokering.importing.reader import Source
from brokering.importing.spec import TABLES
from brokering.mapping.model import DROP, HASH, FileMapping, Unresolved

_MAX_QUESTIONS = 20
#: Column kinds whose values are words a school writes in its own way.
_WORD_KINDS = {
    "role": "read_role",
    "strength": "read_judgement",
    "recorder": "read_observer",
    "school_phase": "read_school_phase",
}
#: A register's phase the type of establishment tells at import (importing/register.py).
_TOLD_BY_TYPE = {"not applicable", "n/a"}


def _school_words() -> object | None:
    """The store side's readers of schools' words, when present (brokering.school_words)."""
    try:
        return importlib.import_module("brokering.school_words")
    except ImportError:
        return None


def questions(fm: FileMapping, source: Source, matcher: object | None) -> list[Unresolved]:
    spec = TABLES[fm.table]
    out: list[Unresolved] = []
    index = {label: i for i, label in enumerate(_labels(source))}
    for column, target in fm.columns.items():
        if target in (DROP, HASH) or column not in index:
            continue
        col = spec.column(target)
        kind = {("staff", "role"): "role", ("schools", "phase"): "school_phase"}.get(
            (fm.table, target), col.kind
        )
        raw = _distinct(source, index[column])
        vmap = fm.values.get(target, {})
        pending = [v for v in raw if v not in vmap]
        if kind == "school_phase" and "establishment_type" in fm.targets():
            pending = [v for v in pending if v.strip().lower() not in _TOLD_BY_TYPE]
        if not pending:
            continue
        if kind == "skill" and matcher is not None:
            out += _skills(fm, target, column, pending, matcher)
        elif kind == "skill_list" and matcher is not None:
            parts = sorted({p.strip() for v in pending for p in v.split(";") if p.strip()})
            out += _skills(fm, target, column, parts, matcher)
        else:
            out += _words(fm, target, column, kind, col.choices, pending)
        if len(out) >= _MAX_QUESTIONS:
            break
    return out[:_MAX_QUESTIONS]


def _labels(source: Source) -> list[str]:
    return source.labels


def _distinct(source: Source, i: int) -> list[str]:
    seen: dict[str, None] = {}
    for row in source.samples:
        if i < len(row) and row[i] and row[i].strip():
            seen.setdefault(row[i].strip())
    return list(seen)


def _words(
    fm: FileMapping, target: str, column: str, kind: str, choices: tuple[str, ...], raw: list[str]
) -> list[Unresolved]:
    words = _school_words()
    reader: Callable | None = None
    if words is not None and kind in _WORD_KINDS and hasattr(words, _WORD_KINDS[kind]):
        reader = getattr(words, _WORD_KINDS[kind])
    check = _checker(kind, choices)
    out: list[Unresolved] = []
    for value in raw:
        if check is not None and check(value) is None:
            continue  # read as it is
        if reader is not None:
            reading = reader(value)
            how = getattr(reading, "how", "unknown") if reading is not None else "unknown"
            if how in ("exact", "map", "rule", "saved") and reading.value is not None:
                if reading.value != value:
                    fm.values.setdefault(target, {})[value] = reading.value
                continue
            if how == "fuzzy":
                out.append(
                    Unresolved(
                        "value",
                        target,
                        f"'{value}' in '{column}' may be {reading.value}: confirm it, or say "
                        "what it is.",
                        list(reading.choices) or list(choices),
                        column=column,
                        value=value,
                    )
                )
                continue
        if check is None:
            continue
        out.append(
            Unresolved(
                "value",
                target,
                f"'{value}' in '{column}' {check(value)}. Say what it is in the value map.",
                list(choices),
                column=column,
                value=value,
            )
        )
    return out


def _checker(kind: str, choices: tuple[str, ...]) -> Callable[[str], str | None] | None:
    """A reader returning None when a value is read as it is, else the problem."""
    simple = {
        "date": values.parse_date,
        "bool": values.parse_bool,
        "hours": values.parse_hours,
    }
    if kind in ("enum", "role", "school_phase"):
        read = parsers.enum_reader(choices)
    elif kind == "strength":
        read = parsers.strength_reader("4-best")
    elif kind in simple:
        fn = simple[kind]

        def read(text: str) -> parsers.Mapped:
            value, problem = fn(text)
            return (None if value is None else str(value)), problem, None
    elif kind == "phase":
        read = parsers.phase_reader
    elif kind == "phase_list":
        read = parsers.phase_list_reader
    else:
        return None

    def check(value: str) -> str | None:
        return read(value)[1]

    return check


def _skills(
    fm: FileMapping, target: str, column: str, raw: list[str], matcher: object
) -> list[Unresolved]:
    out: list[Unresolved] = []
    for m in matcher.match_many(raw):  # type: ignore[attr-defined]
        if m.status == "exact":
            continue
        if m.status == "fuzzy" and m.skill_id:
            name = matcher.name(m.skill_id)  # type: ignore[attr-defined]
            out.append(
                Unresolved(
                    "value",
                    target,
                    f"'{m.text}' in '{column}' may be the skill {name} ({m.score:.0f}%): "
                    "confirm it, or say which skill it is.",
                    [name, *[s for s in m.suggestions if s != name][:3]],
                    column=column,
                    value=m.text,
                )
            )
        else:
            hint = m.reason or "is not a skill in the taxonomy"
            out.append(
                Unresolved(
                    "value",
                    target,
                    f"'{m.text}' in '{column}' {hint}: say which skill it is, or add it to the "
                    "taxonomy.",
                    list(m.suggestions[:4]),
                    column=column,
                    value=m.text,
                )
            )
    return out
