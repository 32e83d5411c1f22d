"""Saved value maps: the data manager's confirmed readings of their schools' words.

A fuzzy reading (a job title, a judgement, a skill…) is asked once; `confirm` saves the
answer here and every later import uses it. A saved entry that would contradict another is
refused unless `replace` is given, so one word never means two things.
"""

from __future__ import annotations

import pandas as pd

from brokering import audit
from brokering.db import Connection, transaction
from brokering.errors import PermissionDenied, ValidationError
from brokering.importing.parsers import RECORDER_LABELS
from brokering.importing.spec import NEED_STATUSES, ROLES
from brokering.phases import SCHOOL_PHASES
from brokering.school_words import KINDS, NOT_RECORDED, UNGRADED, norm
from brokering.taxonomy import SkillMatcher
from brokering.values import STRENGTH_WORDS

_TARGETS = {
    "role": tuple(ROLES),
    "judgement": ("outstanding", "good", "requires improvement", "inadequate", UNGRADED),
    "observer": (*RECORDER_LABELS, NOT_RECORDED),
    "status": tuple(NEED_STATUSES),
    "school_phase": tuple(SCHOOL_PHASES),
}


def saved(con: Connection, kind: str) -> dict[str, str]:
    """raw (comparison form) -> value for one kind."""
    return dict(con.execute("SELECT raw, value FROM value_maps WHERE kind = ?", [kind]).fetchall())


def entries(con: Connection) -> pd.DataFrame:
    return con.execute(
        "SELECT kind, raw, value, confirmed_by, confirmed_at FROM value_maps ORDER BY kind, raw"
    ).df()


def target(kind: str, value: str, matcher: SkillMatcher | None = None) -> str:
    """The canonical value a map entry may point at, or a clear refusal."""
    if kind not in KINDS:
        raise ValidationError(
            f"'{kind}' is not a kind of value map; use one of: {', '.join(KINDS)}."
        )
    if kind == "skill":
        sid = matcher.exact(value) if matcher else None
        if sid is None:
            raise ValidationError(
                f"'{value}' is not a skill's name or alias in the taxonomy; write it as listed."
            )
        return matcher.name(sid)
    choices = _TARGETS[kind]
    if kind == "judgement" and value.strip().lower() in STRENGTH_WORDS:
        value = {4: "outstanding", 3: "good", 2: "requires improvement", 1: "inadequate"}[
            STRENGTH_WORDS[value.strip().lower()]
        ]
    for c in choices:
        if c.lower() == value.strip().lower():
            return c
    raise ValidationError(f"'{value}' is not a {kind} here; use one of: {', '.join(choices)}.")


def confirm(
    con: Connection,
    viewer,
    kind: str,
    raw: str,
    value: str,
    *,
    matcher: SkillMatcher | None = None,
    replace: bool = False,
) -> str:
    """Save "files that say `raw` mean `value`" for `kind`; returns the canonical value."""
    if viewer.role != "alliance_admin":
        raise PermissionDenied(
            "Only the alliance administrator (the data manager) sets value maps."
        )
    if kind == "skill" and matcher is None:
        matcher = SkillMatcher.from_db(con)
    canonical = target(kind, value, matcher)
    k = norm(raw)
    if not k:
        raise ValidationError("The word to map is empty.")
    held = con.execute(
        "SELECT value FROM value_maps WHERE kind = ? AND raw = ?", [kind, k]
    ).fetchall()
    if held and held[0][0] != canonical and not replace:
        raise ValidationError(
            f"'{raw}' is already mapped to {held[0][0]} for {kind}; a word means one thing. "
            "Replace the entry explicitly if that was wrong."
        )
    with transaction(con):
        con.execute(
            "INSERT OR REPLACE INTO value_maps (kind, raw, value, confirmed_by) "
            "VALUES (?, ?, ?, ?)",
            [kind, k, canonical, viewer.username],
        )
    audit.record(con, viewer, "value map", {"kind": kind, "value": canonical})
    return canonical
