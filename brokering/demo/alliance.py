"""Deterministic demo alliance: ten fictional schools around the fictional town of Marlowick.

Why: pages, the command line, docs and benchmarks need an alliance whose data tells a story
worth exploring (complementary strengths, a strong coach who is not the top performer, consent
gaps, leavers, evidence that fades). One seed and one "as of" date give byte-identical CSVs in
the import templates' format, so screenshots and tests are reproducible. Standard library only,
so it runs wherever the importer runs. People are pseudonymous refs; no names exist anywhere.
"""

from __future__ import annotations

import csv
import random
from datetime import date, timedelta
from pathlib import Path

from brokering.demo.cast import (
    ALIAS_OF,
    DEMO_AS_OF,
    DEMO_SEED,
    EV_TYPES,
    EV_WEIGHTS,
    FEEDBACK,
    HEADERS,
    HUB,
    NOTES,
    PAIR_SCHOOLS,
    RECENT_DAYS,
    SCHOOLS,
    SIGNATURE_SKILLS,
    WEAK_SKILLS,
    WINDOW_DAYS,
)
from brokering.demo.roster import (
    _age,
    _build_roster,
    _clamp,
    _eligible,
    _iso,
    _Staff,
    _yn,
)


def _day(as_of: date, back: int) -> date:
    """A school day `back` days before as_of (a weekend moves to the Friday before)."""
    d = as_of - timedelta(days=back)
    return d - timedelta(days=max(0, d.weekday() - 4))


def _recorder(rng: random.Random, s: _Staff, etype: str, pools: dict[str, list[str]]) -> str:
    """Who recorded the evidence: a staff ref or a role label, never a name."""
    r, sles = rng.random(), pools["sle:" + s.school]
    if etype == "self-assessment":
        return s.ref
    if etype == "accreditation":
        return "external"
    if etype == "peer-endorsement":
        return rng.choice([ref for ref in pools[s.school] if ref != s.ref])
    if etype == "coaching-feedback":
        return rng.choice(sles) if r < 0.6 else "external"
    if etype == "observation":
        if r < 0.5 and s.boss:
            return s.boss.ref
        return "SLT" if r < 0.7 else "HoD" if r < 0.85 else rng.choice(sles)
    return s.boss.ref if r < 0.3 and s.boss else "HoD" if r < 0.6 else "SLT"


class _Evidence:
    """Collects evidence rows, refusing a second row with the same natural key."""

    def __init__(self) -> None:
        self.rows: list[list[str]] = []
        self.keys: set[tuple[str, str, str, str, str]] = set()

    def add(
        self,
        s: _Staff,
        skill: str,
        etype: str,
        strength: int,
        day: date,
        by: str,
        note: str = "",
        phase: str = "",
        written: str = "",
    ) -> None:
        key = (s.ref, skill, etype, day.isoformat(), by)
        if key not in self.keys:
            self.keys.add(key)
            row = [s.ref, written or skill, etype, str(strength), day.isoformat(), by, note, phase]
            self.rows.append(row)


def _plan(rng: random.Random, s: _Staff, skill: str, lo: int, hi: int) -> list[tuple]:
    """(days back, evidence type, fixed strength or None) for one person's skill."""
    obs, out, peer = "observation", "outcomes", "peer-endorsement"
    if s.story == f"top:{skill}":  # eight 4s spread over three years: the strongest record
        kinds = [obs, out, obs, peer, obs, out, obs, out]
        return [
            (rng.randint(lo + 5 + 120 * i, lo + 120 * (i + 1)), t, 4) for i, t in enumerate(kinds)
        ]
    if s.story == f"coach:{skill}":  # good, not top: mostly 3s
        kinds = [(obs, 3), (out, 3), (obs, 4), (peer, 3), (obs, 3), (out, 3)]
        return [
            (rng.randint(lo + 5 + 150 * i, lo + 150 * (i + 1)), t, v)
            for i, (t, v) in enumerate(kinds)
        ]
    plan: list[tuple] = []
    if skill in s.faded:
        plan = [(rng.randint(20, 300), obs, 2), (rng.randint(20, 300), obs, None)]
        plan += [(rng.randint(700, hi), t, 4) for t in (obs, out)]
    elif skill in s.stars:
        plan = [(rng.randint(lo, min(hi, max(lo + 30, RECENT_DAYS))), t, 4) for t in (obs, out)]
    n = rng.choice([1, 1, 2, 2, 3] if s.role == "teaching assistant" else [1, 2, 3, 3, 4, 4])
    return plan + [
        (rng.randint(lo, hi), rng.choices(EV_TYPES, EV_WEIGHTS)[0], None) for _ in range(n)
    ]


def _make_evidence(staff: list[_Staff], as_of: date, seed: int) -> _Evidence:
    """Evidence drawn from hidden ability: noisy, drifting with age, capped to 1..4."""
    rng = random.Random(f"{seed}:evidence")
    active = [s for s in staff if not s.left_on and s.role != "support staff"]
    pools: dict[str, list[str]] = {}
    for school in SCHOOLS:
        sid = school[0]
        pools[sid] = [s.ref for s in active if s.school == sid]
        pools["sle:" + sid] = [s.ref for s in active if s.role == "SLE" and s.school != sid]
    ev = _Evidence()
    for s in staff:
        lo = (as_of - s.left_on).days + 1 if s.left_on else 0
        hi = lo + 430 if s.role == "early career teacher" else WINDOW_DAYS - 3
        for skill, ab in s.ability.items():
            for back, etype, strength in _plan(rng, s, skill, lo, hi):
                if strength is None:
                    self_rated = etype == "self-assessment"
                    noise = rng.gauss(0.3, 0.7) if self_rated else rng.gauss(0, 0.45)
                    strength = int(_clamp(ab + s.drift[skill] * back / 365 + noise + 0.5, 1, 4))
                    strength = max(strength, 3) if etype == "accreditation" else strength
                alias = ALIAS_OF.get(skill, "") if not s.story and rng.random() < 0.08 else ""
                note = rng.choice(NOTES[etype]) if rng.random() < 0.65 else ""
                phase = rng.choice(s.phases) if s.phases and rng.random() < 0.55 else ""
                by = _recorder(rng, s, etype, pools)
                ev.add(s, skill, etype, strength, _day(as_of, back), by, note, phase, alias)
    return ev


def _make_coaching(staff: list[_Staff], as_of: date, seed: int, ev: _Evidence) -> list[list]:
    """Coaching and mentoring records; finished coaching leaves before/after evidence."""
    rng = random.Random(f"{seed}:coaching")
    earliest = as_of - timedelta(days=WINDOW_DAYS)
    records: list[list] = []
    seen: set[tuple[str, str, str, date]] = set()

    def add(
        coach: _Staff,
        learner: _Staff,
        skill: str,
        mode: str,
        back: int,
        outcome: int | None = None,
        feedback: str | None = None,
    ) -> None:
        if coach is learner or (mode == "mentoring" and learner.boss is coach):
            return  # a line manager is never the mentor
        length = rng.choice([42, 56, 70, 84, 98] if mode == "coaching" else [120, 180, 240])
        hours = rng.choice(["6", "6", "9", "12", "6.5"] if mode == "coaching" else ["12", "18"])
        start = _day(as_of, back)
        latest = min(d for d in (as_of, coach.left_on, learner.left_on) if d)
        can_run = latest == as_of and coach.ongoing + float(hours) <= coach.capacity and back >= 7
        end: date | None = start + timedelta(days=length)
        if end > latest and can_run:  # still running: it uses the coach's capacity
            end, coach.ongoing = None, coach.ongoing + float(hours)
        elif end > latest:  # leavers and full diaries: finished before now / before leaving
            end = _day(latest, rng.randint(1, 30))
            start = _day(end, length)
        if start < earliest or (coach.ref, learner.ref, skill, start) in seen:
            return
        seen.add((coach.ref, learner.ref, skill, start))
        if end is None:
            outcome = None
        elif outcome is None and rng.random() > 0.06:  # a few finished with nothing evidenced
            outcome = int(_clamp(rng.gauss(coach.coaching_skill, 0.6) + 0.5, 1, 4))
        if feedback is None:
            r, band = rng.random(), outcome or rng.randint(2, 4)
            if r < 0.4 and end is not None:
                feedback = str(int(_clamp(band + rng.choice([-1, 0, 0, 1]), 1, 4)))
            else:
                feedback = rng.choice(FEEDBACK[band]) if r < 0.75 else ""
        span = [start.isoformat(), end.isoformat() if end else "", str(outcome or "")]
        records.append([coach.ref, learner.ref, skill, mode, *span, feedback, hours])
        if mode == "coaching" and outcome and end:  # transfer is shown by before/after evidence
            before = start - timedelta(days=rng.randint(1, 10))
            if before >= earliest:
                base = rng.choice([1, 2, 2])
                ev.add(learner, skill, "observation", base, _day(before, 0), coach.ref, "Baseline")
            ev.add(learner, skill, "coaching-feedback", outcome, _day(end, 0), coach.ref)

    def learners(skill: str, school: str | None, coach: _Staff) -> list[_Staff]:
        return [
            s
            for s in staff
            if s is not coach
            and _eligible(s, skill)
            and school in (None, s.school)
            and not (s.story or s.faded or s.role == "support staff")
        ]

    for s in staff:  # the story's coaches: a strong, cross-school record in their skill
        if s.story.startswith("coach:"):
            skill = s.story[6:]
            needy = [sid for sid, weak in WEAK_SKILLS.items() if skill in weak and sid != s.school]
            pool = [c for sid in needy for c in learners(skill, sid, s)] or learners(skill, None, s)
            for i, c in enumerate(rng.sample(pool, min(5, len(pool)))):
                add(s, c, skill, "coaching", 200 + 170 * i, 4, rng.choice(["4", *FEEDBACK[4]]))
            add(s, rng.choice([c for c in pool if not c.left_on]), skill, "coaching", 30)
        elif s.story == "top:Mathematics":  # the top performer tried once; it did not land
            pupil = rng.choice(learners("Mathematics", "SCH02", s))
            add(s, pupil, "Mathematics", "coaching", 400, 2, "Hard to follow the steps")
    trained = [s for s in staff if (s.coach_trained or s.mentor_trained) and not s.story]
    needy_pairs = [(sid, skill) for sid, weak in WEAK_SKILLS.items() for skill in weak]
    target, tries = len(records) + 175, 0
    while len(records) < target and tries < 5000:
        tries += 1
        if rng.random() < 0.55:  # a weak school borrows from a strong one
            sid, skill = rng.choice(needy_pairs)
            donors = [c for c in trained if c.school != sid and c.ability.get(skill, 0) >= 3.0]
            if not donors:
                continue
            coach = rng.choice(donors)
        else:  # someone shares what they do well, often in their own school
            coach = rng.choice(trained)
            skills = [k for k, v in coach.ability.items() if v >= 2.9]
            if not skills:
                continue
            skill = rng.choice(skills)
            sid = rng.choice([x[0] for x in SCHOOLS if x[0] != coach.school] + [coach.school] * 6)
        mode = "mentoring" if coach.mentor_trained and rng.random() < 0.3 else "coaching"
        if mode == "coaching" and not coach.coach_trained:
            continue
        if mode == "mentoring" and rng.random() < 0.6:  # most mentoring happens in school
            sid = coach.school
        pool = learners(skill, sid, coach)
        if mode == "mentoring":  # mentors: often a same-team colleague, often for an ECT
            near = [c for c in pool if c.school == coach.school and c.team == coach.team]
            ects = [c for c in pool if c.role == "early career teacher"]
            pool = (near if rng.random() < 0.5 else ects) or pool
        if pool:
            add(coach, rng.choice(pool), skill, mode, rng.randint(10, WINDOW_DAYS - 10))
    records.sort(key=lambda r: (r[4], r[0], r[1], r[2]))
    return records


def _make_needs(staff: list[_Staff], coaching: list[list], as_of: date, seed: int) -> list[list]:
    """Open needs where schools are weak, plus matched, closed and withdrawn ones."""
    rng = random.Random(f"{seed}:needs")
    earliest = as_of - timedelta(days=WINDOW_DAYS)
    by_ref = {s.ref: s for s in staff}
    active = [s for s in staff if not s.left_on and s.role != "support staff"]
    needs: list[tuple[date, str, str, str, str, str, str]] = []
    used: set[tuple[str, str]] = set()

    def add(s: _Staff, skill: str, raised: date, status: str, role: str, prio: str) -> bool:
        if s.left_on or (s.ref, skill) in used:  # never for a leaver; one need per person-skill
            return False
        used.add((s.ref, skill))
        hours = rng.choice(["", "", "", "6", "9", "12"])
        needs.append((max(raised, earliest), s.ref, skill, prio, role, status, hours))
        return True

    done = {"matched": 0, "closed": 0}  # needs behind ongoing and recently finished pairings
    for _, learner, skill, mode, start, end, *_ in coaching:
        wanted = "mentor" if mode == "mentoring" else rng.choice(["coach", "either"])
        raised = date.fromisoformat(start) - timedelta(days=rng.randint(7, 40))
        status = "closed" if end else "matched"
        if done[status] < (9 if end else 16) and (not end or _age(end, as_of) < 400):
            done[status] += add(by_ref[learner], skill, raised, status, wanted, "medium")
    for sid, weak in WEAK_SKILLS.items():
        for skill in weak:
            pool = [s for s in active if s.school == sid and _eligible(s, skill)]
            for s in rng.sample(pool, min(4, len(pool))):
                ect = s.role == "early career teacher"
                role = rng.choice(["mentor"] if ect else ["coach", "coach", "either", "mentor"])
                prio = rng.choices(["high", "medium", "low"], [4, 4, 2])[0]
                add(s, skill, _day(as_of, rng.randint(1, 150)), "open", role, prio)
    while sum(n[5] == "open" for n in needs) < 62:
        s = rng.choice(active)
        if s.ability:
            skill = min(s.ability, key=lambda k: (s.ability[k], k))
            raised = _day(as_of, rng.randint(1, 200))
            add(s, skill, raised, "open", "either", rng.choice(["medium", "low"]))
    for s in rng.sample(active, 4):
        if s.ability:
            raised = _day(as_of, rng.randint(200, 600))
            add(s, rng.choice(sorted(s.ability)), raised, "withdrawn", "either", "low")
    needs.sort()
    return [
        [f"N{i:04d}", ref, skill, prio, role, raised.isoformat(), status, hours]
        for i, (raised, ref, skill, prio, role, status, hours) in enumerate(needs, start=1)
    ]


def demo_story(seed: int = DEMO_SEED) -> dict:
    """The story the demo data tells, with its people's refs for `seed` (as_of never moves them)."""
    staff = _build_roster(seed, DEMO_AS_OF)
    pairs = {skill: {"top_performer": "", "better_coach": ""} for skill in PAIR_SCHOOLS}
    for s in staff:
        if s.story:
            kind, skill = s.story.split(":", 1)
            pairs[skill]["top_performer" if kind == "top" else "better_coach"] = s.ref
    return {
        "town": "Marlowick",
        "hub": HUB,
        "signature_skills": SIGNATURE_SKILLS,
        "weak_skills": WEAK_SKILLS,
        "coach_pairs": pairs,
        "faded": {skill: s.ref for s in staff for skill in s.faded},
        "stars_without_consent": sorted(s.ref for s in staff if s.stars and not s.consent),
        "strong_leavers": sorted(s.ref for s in staff if s.stars and s.left_on),
        "leavers": sorted(s.ref for s in staff if s.left_on),
    }


STORY: dict = demo_story()


def write_demo_csvs(
    out_dir: Path, as_of: date = DEMO_AS_OF, seed: int = DEMO_SEED
) -> dict[str, int]:
    """Write schools.csv, staff.csv, evidence.csv, coaching.csv, needs.csv into out_dir; return
    row counts per file stem. The same (as_of, seed) always gives byte-identical files."""
    staff = _build_roster(seed, as_of)
    ev = _make_evidence(staff, as_of, seed)
    coaching = _make_coaching(staff, as_of, seed, ev)
    tables: dict[str, list[list]] = {
        "schools": [[*sc[:3], _yn(sc[0] == HUB), *sc[3:6]] for sc in SCHOOLS],
        "staff": [
            [s.ref, s.school, s.role, ";".join(s.phases), ";".join(s.subjects)]
            + [s.boss.ref if s.boss else "", _yn(s.consent), _yn(s.coach_trained)]
            + [_yn(s.mentor_trained), str(s.capacity), _iso(s.consent_date), _iso(s.left_on)]
            for s in staff
        ],
        "evidence": sorted(ev.rows, key=lambda r: (r[0], r[4], r[1], r[2], r[5])),
        "coaching": coaching,
        "needs": _make_needs(staff, coaching, as_of, seed),
    }
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    for stem, rows in tables.items():
        with open(out_dir / f"{stem}.csv", "w", newline="", encoding="utf-8") as fh:
            writer = csv.writer(fh, lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
            writer.writerow(HEADERS[stem])
            writer.writerows(rows)
    return {stem: len(rows) for stem, rows in tables.items()}
