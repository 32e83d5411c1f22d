"""Per-column readers used on each distinct value of a column.

Each returns (stored text or None, problem or None, note or None). Values are stored as text
in a mapping table and cast in SQL, so one mechanism serves every column kind.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from brokering import values
from brokering.phases import KEY_STAGES, parse_phase_list, stages_for
from brokering.taxonomy import SkillMatcher

Mapped = tuple[str | None, str | None, str | None]

RECORDER_LABELS = (
    "HoD",
    "SLT",
    "external",
    "headteacher",
    "SLE",
    "line manager",
    "peer",
    "self",
    "moderator",
    "mentor",
    "coach",
)

SQL_TYPES = {
    "bool": "BOOLEAN",
    "date": "DATE",
    "hours": "DOUBLE",
    "days": "DOUBLE",
    "latitude": "DOUBLE",
    "longitude": "DOUBLE",
    "strength": "TINYINT",
}


def _simple(fn: Callable[[str], values.Parsed]) -> Callable[[str], Mapped]:
    def read(text: str) -> Mapped:
        value, problem = fn(text)
        return (None if value is None else str(value)), problem, None

    return read


def enum_reader(choices: Sequence[str]) -> Callable[[str], Mapped]:
    lookup = {c.lower(): c for c in choices}

    def read(text: str) -> Mapped:
        canonical = lookup.get(" ".join(text.lower().split()))
        if canonical is None:
            return None, f"is not allowed; use one of: {', '.join(choices)}", None
        return canonical, None, None

    return read


def recorder_reader(text: str) -> Mapped:
    """A role label, canonicalised; anything else must be a staff_ref (checked in SQL)."""
    text = text.strip()
    return _RECORDERS.get(text.lower(), text), None, None


_RECORDERS = {label.lower(): label for label in RECORDER_LABELS}


def date_column(texts: Sequence[str]) -> list[Mapped]:
    """A column's distinct dates. Each is read day first (values.parse_date), except that
    once the column holds a month-first (US) date such as 12/31/2025, a date that reads
    either way round (03/04/2025) is refused too: the file is probably month first, and
    reading it as 3 April would be a silent misread of 4 March."""
    read = _simple(values.parse_date)
    results = [read(t) for t in texts]
    us = next(
        (t for t, r in zip(texts, results, strict=True) if r[1] and "month-first" in r[1]), None
    )
    if us is None:
        return results
    shown = us.strip()[:20]
    refused = (
        None,
        "could be read either way round (day first or month first), and this column also "
        f"has month-first (US) dates such as '{shown}', so it is not read at all; write the "
        "column's dates as YYYY-MM-DD",
        None,
    )
    return [
        refused if values.either_way_round(t) else r for t, r in zip(texts, results, strict=True)
    ]


def strength_reader(scale: str | None) -> Callable[[str], Mapped]:
    return _simple(lambda t: values.parse_strength(t, scale))


def feedback_reader(scale: str | None) -> Callable[[str], Mapped]:
    """A number on the scale is scored; any other text is kept as text, not scored."""

    def read(text: str) -> Mapped:
        value, problem = values.parse_strength(text, scale)
        if problem is None:
            return str(value), None, None
        try:
            float(text)
        except ValueError:
            return None, None, None  # free text: kept in feedback_text
        return None, problem, None

    return read


def phase_reader(text: str) -> Mapped:
    stages = stages_for(text)
    if stages is None or len(stages) != 1:
        return None, f"is not one key stage; use one of: {', '.join(KEY_STAGES)}", None
    note = None if text.strip().upper() in KEY_STAGES else f"'{text}' read as {stages[0]}"
    return stages[0], None, note


def phase_list_reader(text: str) -> Mapped:
    stages, bad = parse_phase_list(text)
    if bad:
        return (
            None,
            (
                f"has phases we cannot read ({'; '.join(bad)}); use {', '.join(KEY_STAGES)} or "
                "words like Reception, Year 6, GCSE, A level"
            ),
            None,
        )
    raw = [p.strip() for p in text.split(";") if p.strip()]
    note = None
    if any(p.upper() not in KEY_STAGES for p in raw):
        note = f"'{text}' read as {';'.join(stages)}"
    return ";".join(stages), None, note


def skill_reader(matcher: SkillMatcher) -> Callable[[Sequence[str]], list[Mapped]]:
    """Skill text for many distinct values at once (fuzzy scoring is batched)."""

    def read_many(texts: Sequence[str]) -> list[Mapped]:
        out: list[Mapped] = []
        for m in matcher.match_many(texts):
            if m.status == "exact":
                out.append((m.skill_id, None, None))
            elif m.status == "fuzzy" and m.skill_id:
                name = matcher.name(m.skill_id)
                out.append((m.skill_id, None, f"'{m.text}' read as {name} ({m.score:.0f}%)"))
            elif m.status == "not_skill":
                out.append((None, f"is not a skill in the taxonomy: {m.reason}", None))
            elif m.status == "ambiguous":
                out.append(
                    (
                        None,
                        f"could be several skills: {', '.join(m.suggestions[:4])}. "
                        "Write the skill's name as in the taxonomy.",
                        None,
                    )
                )
            else:
                hint = f" Nearest: {', '.join(m.suggestions[:3])}." if m.suggestions else ""
                out.append(
                    (
                        None,
                        "is not a skill in the taxonomy."
                        + hint
                        + " Add it to data/taxonomy/skills.csv if it is new.",
                        None,
                    )
                )
        return out

    return read_many


def skill_list_reader(matcher: SkillMatcher) -> Callable[[str], Mapped]:
    single = skill_reader(matcher)

    def read(text: str) -> Mapped:
        items = [p.strip() for p in text.split(";") if p.strip()]
        results = single(items)
        problems = [f"'{i}' {r[1]}" for i, r in zip(items, results, strict=True) if r[1]]
        if problems:
            return None, "; ".join(problems), None
        notes = [r[2] for r in results if r[2]]
        ids = sorted({r[0] for r in results if r[0]})
        return ";".join(ids), None, ("; ".join(notes) or None)

    return read


def readers(matcher: SkillMatcher, scale: str | None) -> dict[str, Callable[[str], Mapped]]:
    """The one-value readers by column kind (skill is batched separately)."""
    return {
        "bool": _simple(values.parse_bool),
        "date": _simple(values.parse_date),
        "hours": _simple(values.parse_hours),
        "days": _simple(values.parse_days),
        "latitude": _simple(lambda t: values.parse_float(t, 49.0, 61.0)),
        "longitude": _simple(lambda t: values.parse_float(t, -8.5, 2.0)),
        "strength": strength_reader(scale),
        "feedback": feedback_reader(scale),
        "phase": phase_reader,
        "phase_list": phase_list_reader,
        "skill_list": skill_list_reader(matcher),
        "recorder": recorder_reader,
    }
