"""Proposing a mapping for files as they come: which table, which columns, which values.

Reads only each file's head (the header search and 50 sample rows), so a proposal for a
50,000-row workbook costs what its first rows cost. The order of trust: a saved mapping for
the same school and headers; a built-in profile of the exporting system; a template column
name; a known header word; then a fuzzy header match, which is a question to confirm, never
applied silently. Columns nobody needs are dropped and listed; names are always dropped;
e-mails and payroll numbers are hashed.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

from rapidfuzz import fuzz, process

from brokering.importing.reader import Source, header_key, open_source
from brokering.importing.spec import TABLES
from brokering.mapping import values as value_checks
from brokering.mapping import words as in_words
from brokering.mapping.model import DROP, HASH, FileMapping, Mapping, Unresolved
from brokering.mapping.profiles import (
    CONSENT_QUESTION,
    HEADER_WORDS,
    IDENTITY_WORDS,
    NAME_HEADERS,
    PROFILES,
    Profile,
    norm,
)
from brokering.mapping.recognise import table_from_name

FUZZY_CUTOFF = 85
PROFILE_CUTOFF = 0.6
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")

_VOCAB = (
    {norm(w) for words in HEADER_WORDS.values() for ws in words.values() for w in ws}
    | {norm(n) for spec in TABLES.values() for n in spec.names}
    | {norm(w) for ws in IDENTITY_WORDS.values() for w in ws}
    | set(NAME_HEADERS)
    | {norm(h) for p in PROFILES for h in p.columns}
)


def header_score(cells: Sequence[str | None]) -> float:
    """How much a row looks like a header row of some export (for open_source)."""
    texts = [c for c in cells if c and c.strip()]
    if len(texts) < 2 and len(cells) > 1:
        return 0.0
    words = [t for t in texts if not re.fullmatch(r"[\d\s.,/:+-]+", t) and "@" not in t]
    return 3.0 * sum(norm(t) in _VOCAB for t in words) + len(set(words))


def open_for_mapping(path: Path, workdir: Path, fm: FileMapping | None = None) -> Source:
    """The file's head, found the way a proposal finds it (or where `fm` says)."""
    if fm is not None:
        return open_source(path, workdir, header_score, sheet=fm.sheet, header_line=fm.header_row)
    return open_source(path, workdir, header_score)


def propose(
    paths: Sequence[Path],
    workdir: Path,
    *,
    schools: dict[str, str] | None = None,
    school: str | None = None,
    known_schools: set[str] | None = None,
    matcher: object | None = None,
    saved: Sequence[FileMapping] = (),
) -> tuple[Mapping, list[str]]:
    """A proposal for each file, and file-level problems (not a table at all, a bomb…)."""
    mapping = Mapping()
    problems: list[str] = []
    for path in paths:
        source = open_for_mapping(path, workdir)
        if source.problem:
            problems.append(f"{source.label}: {source.problem}")
            continue
        who = (schools or {}).get(path.name, school)
        mapping.files.append(
            propose_file(source, who, known_schools=known_schools, matcher=matcher, saved=saved)
        )
    return mapping, problems


def propose_file(
    source: Source,
    school: str | None = None,
    *,
    known_schools: set[str] | None = None,
    matcher: object | None = None,
    saved: Sequence[FileMapping] = (),
) -> FileMapping:
    normed = {norm(label): label for label in source.labels}
    reuse = _saved_for(normed, school, saved)
    if reuse is not None:
        fm = FileMapping(
            file=source.label,
            table=reuse.table,
            sheet=source.sheet,
            header_row=source.header_line,
            school=school or reuse.school,
            source=reuse.source,
            columns={normed.get(norm(c), c): t for c, t in reuse.columns.items()},
            constants=dict(reuse.constants),
            values={k: dict(v) for k, v in reuse.values.items()},
        )
        finish(fm, source, known_schools, matcher)
        return fm
    profile = _best_profile(set(normed))
    table = profile.table if profile else _table_for(source, normed)
    fm = FileMapping(
        file=source.label,
        table=table,
        sheet=source.sheet,
        header_row=source.header_line,
        school=school,
        source=profile.name if profile else "",
    )
    _assign_columns(fm, source, profile)
    if profile:
        fm.constants.update({k: v for k, v in profile.constants.items() if k not in fm.targets()})
        fm.constants.update({k: v for k, v in profile.defaults.items() if k not in fm.targets()})
        for target, vmap in profile.values.items():
            if target in fm.targets():
                fm.values[target] = dict(vmap)
    finish(fm, source, known_schools, matcher)
    return fm


def finish(
    fm: FileMapping, source: Source, known_schools: set[str] | None, matcher: object | None
) -> None:
    """School, required columns and values: whatever a person must still decide (added to
    `fm.unresolved`; also run again on a mapping a person has edited)."""
    spec = TABLES[fm.table]
    names = set(spec.names)
    targets = fm.targets()
    if "school_id" in names and "school_id" not in targets and fm.table != "schools":
        if fm.school:
            fm.constants["school_id"] = fm.school
        elif spec.column("school_id").required:
            fm.unresolved.append(
                Unresolved(
                    "school",
                    "school_id",
                    "The file has no school column and no school was given: say whose file it is.",
                    sorted(known_schools or ()),
                )
            )
    if fm.school and known_schools is not None and fm.school not in known_schools:
        fm.unresolved.append(
            Unresolved(
                "school",
                "school_id",
                f"'{fm.school}' is not a school of the alliance; give one of its school codes.",
                sorted(known_schools),
            )
        )
    free = [c for c, t in fm.columns.items() if t == DROP]
    asked = {u.target for u in fm.unresolved if u.kind == "school"}
    for col in spec.columns:
        if col.name in asked:
            continue
        if col.required and col.name not in targets and col.name not in fm.constants:
            what = in_words.table_words(fm.table).capitalize()
            fm.unresolved.append(
                Unresolved(
                    "column",
                    col.name,
                    f"{what} needs “{in_words.words(col.name)}” "
                    "and no column of the file was read as it: map one of the file's columns "
                    "to it, or give a fixed value.",
                    free,
                )
            )
    fm.unresolved += value_checks.questions(fm, source, matcher)


def _best_profile(headers: set[str]) -> Profile | None:
    scored = [(p.matches(headers), p) for p in PROFILES]
    score, best = max(scored, key=lambda s: s[0])
    return best if score >= PROFILE_CUTOFF else None


def _table_for(source: Source, normed: dict[str, str]) -> str:
    named = table_from_name(source.label)
    if named:
        return named
    best, best_score = "staff", -1.0
    for table, spec in TABLES.items():
        words = _words(table)
        hits: dict[str, float] = {}
        for h in normed:
            if h in words:
                target, weight = words[h], 1.0
            else:
                hit = process.extractOne(
                    h, list(words), scorer=fuzz.token_sort_ratio, score_cutoff=FUZZY_CUTOFF
                )
                if hit is None:
                    continue
                target, weight = words[hit[0]], 0.8
            hits[target] = max(hits.get(target, 0.0), weight)
        required = [c.name for c in spec.columns if c.required and c.name != "school_id"]
        score = (
            sum(hits.values())
            + 2 * sum(hits.get(r, 0.0) for r in required)
            - 1.5 * sum(r not in hits for r in required)
        )
        if score > best_score:
            best, best_score = table, score
    return best


def _words(table: str) -> dict[str, str]:
    """Normalised header word -> target, for one table (its own names included)."""
    out: dict[str, str] = {}
    for target, words in HEADER_WORDS.get(table, {}).items():
        for w in words:
            out.setdefault(norm(w), target)
    for name in TABLES[table].names:
        out[norm(name)] = name
    return out


def _assign_columns(fm: FileMapping, source: Source, profile: Profile | None) -> None:
    spec = TABLES[fm.table]
    names = set(spec.names)
    words = _words(fm.table)
    taken: dict[str, str] = {}
    pending: list[str] = []
    for i, (header, label) in enumerate(zip(source.header, source.labels, strict=True)):
        n = norm(header)
        target = None
        if profile and n in profile.columns:
            target = profile.columns[n]
        elif header_key(header) in names:
            target = header_key(header)
        elif n in NAME_HEADERS:
            target = DROP
        elif (identity := _identity(n)) is not None:
            target = identity
        elif n in words:
            target = words[n]
        elif fm.table in ("staff", "consent") and CONSENT_QUESTION.search(header or ""):
            target = "share_consent"
        if target is None:
            pending.append(label)
            fm.columns[label] = DROP
            continue
        target = _resolve_identity_target(target, fm.table, source, i)
        if target not in (DROP, HASH) and (target not in names or target in taken):
            target = DROP
        fm.columns[label] = target
        if target not in (DROP, HASH):
            taken[target] = label
    # Fuzzy header matches for the columns left: a question each, never applied silently.
    choices = {w: t for w, t in words.items() if t not in taken}
    for label in pending:
        if not choices or not norm(label):
            continue
        hit = process.extractOne(
            norm(label), list(choices), scorer=fuzz.token_sort_ratio, score_cutoff=FUZZY_CUTOFF
        )
        if hit is None:
            continue
        target = choices[hit[0]]
        fm.columns[label] = target
        taken[target] = label
        choices = {w: t for w, t in choices.items() if t != target}
        fm.unresolved.append(
            Unresolved(
                "confirm",
                target,
                f"'{label}' looks like “{in_words.words(target)}” ({hit[1]:.0f}% alike): confirm "
                "it, or map the column to something else (or leave it out).",
                [target, DROP],
                column=label,
            )
        )
    # E-mail addresses under a header nobody knows are hashed where the table keeps them.
    for i, label in enumerate(source.labels):
        if label in pending and fm.columns.get(label) == DROP and _mostly_emails(source, i):
            fm.columns[label] = _resolve_identity_target(HASH, fm.table, source, i)


def _identity(n: str) -> str | None:
    for target, words in IDENTITY_WORDS.items():
        if n in {norm(w) for w in words}:
            return HASH if target in ("email", "payroll_number") else target
    return None


def _resolve_identity_target(target: str, table: str, source: Source, index: int) -> str:
    """`hash` keeps only a keyed hash where the table has an identity column for it (staff's
    e-mail or payroll number); names go to the table's identity-only columns when it has
    them (used to clean notes, never stored) — otherwise both are dropped."""
    names = set(TABLES[table].names)
    if target == HASH:
        kind = "email" if _mostly_emails(source, index) else "payroll_number"
        return HASH if kind in names else DROP
    if target in ("title", "forename", "surname"):
        return target if target in names else DROP
    return target


def _mostly_emails(source: Source, index: int) -> bool:
    vals = [r[index] for r in source.samples if index < len(r) and r[index]]
    return bool(vals) and sum(bool(_EMAIL.match(v.strip())) for v in vals) >= 0.8 * len(vals)


def _saved_for(
    normed: dict[str, str], school: str | None, saved: Sequence[FileMapping]
) -> FileMapping | None:
    """A saved mapping made for the same headers (and school, when both say)."""
    heads = set(normed)
    for fm in saved:
        if {norm(c) for c in fm.columns} == heads and (
            not school or not fm.school or fm.school == school
        ):
            return fm
    return None
