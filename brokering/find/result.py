"""What a find returns: the ranked table's columns, the result object and its stable JSON,
and the one function that turns ranked rows (from either route) into that table, so both
routes answer in exactly the same shape."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

import numpy as np
import pandas as pd

from brokering.db import Connection
from brokering.find.query import ResolvedQuery

RANK_BY = ("practice", "coaching", "blend")
MAX_TOP = 500
#: Columns of `FindResult.rows`, in display order.
RESULT_COLUMNS = [
    "rank",
    "staff_ref",
    "school_id",
    "school",
    "role",
    "phases",
    "practice_score",
    "coaching_score",
    "blend_score",
    "score",
    "confidence",
    "practice_confidence",
    "coaching_confidence",
    "evidence_count",
    "latest_evidence",
    "coaching_records",
]


@dataclass(frozen=True)
class RelatedSkill:
    """A skill near the one searched for in which the viewer can see someone with evidence."""

    skill_id: str
    name: str


@dataclass(frozen=True)
class FindResult:
    """A ranked answer, what it was for, and — when empty — why and where to look next."""

    skill_id: str
    skill_name: str
    area: str
    phases: tuple[str, ...]
    school_id: str | None
    rank_by: str
    blend: float
    as_of: date
    rows: pd.DataFrame
    query: ResolvedQuery | None = None
    message: str = ""
    related: tuple[RelatedSkill, ...] = field(default_factory=tuple)
    stored_parts: bool = False
    #: Empty under a phase or school filter, but the same skill has evidence without them.
    without_filters: bool = False

    @property
    def empty(self) -> bool:
        return self.rows.empty

    def strong(self) -> pd.Series:
        """Which listed people are *strong* (`brokering.concepts`): the same rule as the
        by-school chart, the gap map and the dashboard's complementary strengths."""
        from brokering import concepts  # concepts reads the find's score SQL

        return pd.Series(
            [
                concepts.is_strong(score, latest, self.as_of)
                for score, latest in zip(
                    self.rows["practice_score"], self.rows["latest_evidence"], strict=True
                )
            ],
            index=self.rows.index,
            dtype=bool,
        )

    def to_dict(self) -> dict[str, Any]:
        """The stable JSON shape of `python -m brokering find --json` (docs/CLI.md)."""
        results = []
        for r in self.rows.itertuples(index=False):
            results.append(
                {
                    "rank": int(r.rank),
                    "staff_ref": r.staff_ref,
                    "school_id": r.school_id,
                    "school": r.school,
                    "role": r.role,
                    "phases": list(r.phases),
                    "practice_score": float(r.practice_score),
                    "coaching_score": float(r.coaching_score),
                    "blend_score": float(r.blend_score),
                    "confidence": round(float(r.confidence), 3),
                    "evidence_count": int(r.evidence_count),
                    "latest_evidence": None
                    if pd.isna(r.latest_evidence)
                    else pd.Timestamp(r.latest_evidence).date().isoformat(),
                }
            )
        return {
            "ok": True,
            "skill": {"id": self.skill_id, "name": self.skill_name, "area": self.area},
            "phase": list(self.phases),
            "phase_words": list(self.query.phase_words) if self.query else [],
            "school_id": self.school_id,
            "rank_by": self.rank_by,
            "blend": self.blend,
            "as_of": self.as_of.isoformat(),
            "results": results,
            "message": self.message,
            "related": [{"id": r.skill_id, "name": r.name} for r in self.related],
        }


def frame(con: Connection, rows: list[dict[str, Any]], rank_by: str, blend: float) -> pd.DataFrame:
    """The ranked rows as the result table, with school names and the rank's confidence."""
    if not rows:
        return pd.DataFrame(columns=RESULT_COLUMNS)
    if "school" not in rows[0]:
        ids = sorted({r["school_id"] for r in rows})
        marks = ", ".join("?" for _ in ids)
        names = dict(
            con.execute(
                f"SELECT school_id, name FROM schools WHERE school_id IN ({marks})",  # noqa: S608
                ids,
            ).fetchall()
        )
        for r in rows:
            r["school"] = names.get(r["school_id"], r["school_id"])
    count = len(rows)

    def floats(key: str) -> np.ndarray:
        return np.fromiter((r[key] for r in rows), dtype=np.float64, count=count)

    def ints(key: str) -> np.ndarray:
        return np.fromiter((r[key] for r in rows), dtype=np.int64, count=count)

    conf = {"practice": floats("practice_confidence"), "coaching": floats("coaching_confidence")}
    conf["blend"] = (1 - blend) * conf["practice"] + blend * conf["coaching"]
    phases = np.empty(count, dtype=object)
    phases[:] = [tuple(r["phases"] or ()) for r in rows]
    columns = {
        "rank": np.arange(1, count + 1, dtype=np.int64),
        "staff_ref": [r["staff_ref"] for r in rows],
        "school_id": [r["school_id"] for r in rows],
        "school": [r["school"] for r in rows],
        "role": [r["role"] for r in rows],
        "phases": phases,
        "practice_score": floats("practice_score"),
        "coaching_score": floats("coaching_score"),
        "blend_score": floats("blend_score"),
        "score": floats(f"{rank_by}_score"),
        "confidence": conf[rank_by],
        "practice_confidence": conf["practice"],
        "coaching_confidence": conf["coaching"],
        "evidence_count": ints("n"),
        "latest_evidence": np.array([r["latest"] for r in rows], dtype="datetime64[s]"),
        "coaching_records": ints("c_n"),
    }
    return pd.DataFrame(columns)
