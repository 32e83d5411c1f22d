"""Who pairs with whom in the demo alliance (see brokering/demo_pairings.py).

Read from the demo's own files: each donor is the strongest practitioner (or coach) of a
practice at the school that leads in it; recipients are colleagues at a school weaker in it,
sharing a key stage with the donor where possible.
"""

from __future__ import annotations

import csv
import random
from collections import Counter, defaultdict
from pathlib import Path

from brokering.taxonomy import SkillMatcher, load_skills

PRACTICES = (
    "Retrieval practice;Early reading and phonics;Behaviour and routines;Mathematics;"
    "English as an additional language;Formative assessment;Autism support;Writing;Science;"
    "Curriculum design;Oracy;Feedback;Metacognition;Reading fluency;Instructional coaching;"
    "Adaptive teaching for SEND;Communication and language;Questioning;Modelling and explanation"
).split(";")
#: (slot, status, kind): the sixteen pairings. Couples give to each other; one-way ones don't.


def read_rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


class DemoAlliance:
    """What the pairings need from the demo's files: who is strong in what, and where."""

    def __init__(self, out_dir: Path) -> None:
        self.staff = {s["staff_ref"]: s for s in read_rows(out_dir / "staff.csv")}
        skills = load_skills()
        self.names = {s.skill_id: s.name for s in skills}
        self.depends = {s.skill_id: s.depends_on for s in skills if s.kind == "core competence"}
        matcher = SkillMatcher(skills)
        evidence = read_rows(out_dir / "evidence.csv")
        coaching = read_rows(out_dir / "coaching.csv")
        texts = sorted({e["skill"] for e in evidence} | {c["skill"] for c in coaching})
        ids = {t: m.skill_id or "" for t, m in zip(texts, matcher.match_many(texts), strict=True)}
        self.score: dict[str, Counter[str]] = defaultdict(Counter)  # skill -> ref -> score
        self.strengths: dict[tuple[str, str], list[int]] = defaultdict(list)
        for e in evidence:
            sid = ids[e["skill"]]
            self.strengths[(sid, e["staff_ref"])].append(int(e["strength"]))
            if e["strength"] == "4" and self.eligible(e["staff_ref"]):
                self.score[sid][e["staff_ref"]] += 1
        for c in coaching:
            if c["outcome_strength"] == "4" and self.eligible(c["coach_ref"]):
                self.score[ids[c["skill"]]][c["coach_ref"]] += 2

    def eligible(self, ref: str, consent: bool = True) -> bool:
        s = self.staff[ref]
        return (
            not s["left_on"]
            and (s["share_consent"] == "yes") == consent
            and s["role"] not in ("support staff", "headteacher")
        )

    def school(self, ref: str) -> str:
        return self.staff[ref]["school_id"]

    def leader(self, sid: str) -> str | None:
        """The strongest eligible practitioner (or coach) of a practice."""
        ranked = sorted(self.score[sid].items(), key=lambda kv: (-kv[1], kv[0]))
        return ranked[0][0] if ranked else None

    def mean(self, sid: str, school: str) -> float:
        vals = [
            v
            for (s, r), vs in self.strengths.items()
            if s == sid and self.school(r) == school
            for v in vs
        ]
        return sum(vals) / len(vals) if vals else 2.5

    def recipients(
        self,
        sid: str,
        donor: str,
        school: str,
        rng: random.Random,
        n: int = 1,
        consent: bool = True,
    ) -> list[str]:
        """People at `school` who could learn the practice, sharing a key stage if possible."""
        phases = set(self.staff[donor]["phases"].split(";"))
        pool = sorted(
            r
            for r, s in self.staff.items()
            if s["school_id"] == school
            and r != donor
            and self.eligible(r, consent)
            and s["role"]
            in ("teacher", "early career teacher", "middle leader", "teaching assistant")
        )
        near = [r for r in pool if phases & set(self.staff[r]["phases"].split(";"))]
        weak = [r for r in near if max(self.strengths.get((sid, r), [0])) <= 2]
        choices = weak or near or pool
        return sorted(rng.sample(choices, min(n, len(choices))))


def _pick_practices(a: DemoAlliance) -> list[tuple[str, str]]:
    """(skill_id, donor) for practices with a leader, distinct leading schools first."""
    by_name = {name: sid for sid, name in a.names.items()}
    leaders = [(by_name[p], a.leader(by_name[p])) for p in PRACTICES if p in by_name]
    found = [(sid, ref) for sid, ref in leaders if ref]
    first: list[tuple[str, str]] = []
    rest: list[tuple[str, str]] = []
    schools: set[str] = set()
    for sid, ref in found:
        (rest if a.school(ref) in schools else first).append((sid, ref))
        schools.add(a.school(ref))
    return first + rest


def plan_people(
    a: DemoAlliance, rng: random.Random, plan: list[tuple[str, str, str]]
) -> list[tuple[str, str, list[str]]]:
    """(skill_id, donor, recipients) for each slot of PLAN, in order."""
    practices = _pick_practices(a)
    schools = sorted({s["school_id"] for s in a.staff.values()})
    out: list[tuple[str, str, list[str]]] = []
    gives: set[tuple[str, str]] = set()
    couples = practices[:6]
    for i in range(0, 6, 2):
        (s1, d1), (s2, d2) = couples[i], couples[i + 1]
        out.append((s1, d1, a.recipients(s1, d1, a.school(d2), rng)))
        out.append((s2, d2, a.recipients(s2, d2, a.school(d1), rng)))
        gives |= {(a.school(d1), a.school(d2)), (a.school(d2), a.school(d1))}
    pool = practices[6:] + practices[:6]
    for k, (slot, _status, kind) in enumerate(plan[6:]):
        sid, donor = pool[k % len(pool)]
        home = a.school(donor)
        if slot == "same-school":
            out.append((sid, donor, a.recipients(sid, donor, home, rng)))
            continue
        n = 2 if kind == "joint training day" else 1
        consent = slot != "hidden"
        fresh = [s for s in schools if s != home and {(home, s), (s, home)}.isdisjoint(gives)]
        for target in sorted(
            fresh + [s for s in schools if s != home and s not in fresh],
            key=lambda s: (s not in fresh, a.mean(sid, s), s),
        ):
            people = a.recipients(sid, donor, target, rng, n, consent=consent)
            if people:
                break
        gives.add((home, target))
        out.append((sid, donor, people))
    return out
