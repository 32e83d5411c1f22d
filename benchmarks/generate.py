"""Seeded, reproducible benchmark data in the import templates' CSV format.

National scale: the state-funded schools of England from the real register
(`/work/shared/data/schools_england_open.csv`, see its README for the defects handled here),
≈470k staff spread in proportion to each school's number on roll, ≥5M evidence rows,
≥200k coaching records, ≥50k open needs — and pairings once the pairings spec exists in
`brokering.importing.spec.TABLES`. Alliance scale is the demo alliance
(`brokering.demo.write_demo_csvs`). Smoke scale is a few dozen real schools, for CI.

Everything is drawn with numpy from one seed and written through DuckDB's `COPY` from
categorical frames, so the national set takes well under a minute and the same
(scale, seed) always gives the same files. Generated sets are cached under
`benchmarks/_work/data/<scale>-<seed>-v<GENERATOR_VERSION>/`.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import time
from dataclasses import asdict, dataclass
from datetime import date, timedelta
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

from brokering.phases import KEY_STAGES
from brokering.taxonomy import Skill, load_skills

#: Bump when the generated data changes, so cached sets are rebuilt.
GENERATOR_VERSION = 2
#: Every generated date is on or before this day; imports run with today=AS_OF.
AS_OF = date(2026, 11, 20)
WINDOW_DAYS = 1095
DEFAULT_SEED = 20261124

HERE = Path(__file__).resolve().parent
WORK_DIR = HERE / "_work"
SCHOOLS_FILE = Path(
    os.environ.get("BENCH_SCHOOLS_FILE", "/work/shared/data/schools_england_open.csv")
)
#: 451 rows of that register (with its defects) kept beside the harness: the smoke scale
#: uses them when the full register is not on the machine.
SCHOOLS_SAMPLE = HERE / "data" / "schools_england_sample.csv"

WELSH_LAS = frozenset(
    {
        "Blaenau Gwent",
        "Bridgend",
        "Caerphilly",
        "Cardiff",
        "Carmarthenshire",
        "Ceredigion",
        "Conwy",
        "Denbighshire",
        "Flintshire",
        "Gwynedd",
        "Isle of Anglesey",
        "Merthyr Tydfil",
        "Monmouthshire",
        "Neath Port Talbot",
        "Newport",
        "Pembrokeshire",
        "Powys",
        "Rhondda Cynon Taf",
        "Swansea",
        "Torfaen",
        "Vale of Glamorgan",
        "Wrexham",
    }
)
_NOT_ENGLAND = re.compile(r"Offshore Establishments|Overseas Establishments|^Does not apply$")
_AP_WORDS = re.compile(
    r"pupil referral|\bpru\b|alternative|tuition|short stay|inclusion|learning centre|"
    r"learning service|hospital|medical|education centre|\bap academy\b",
    re.IGNORECASE,
)
_PRIMARY_WORDS = re.compile(r"primary|infant|junior|first school", re.IGNORECASE)
PHASE_MAP = {
    "Primary": "primary",
    "Secondary": "secondary",
    "Nursery": "nursery",
    "16 plus": "16 plus",
    "All-through": "all-through",
    "Middle deemed secondary": "middle",
    "Middle deemed primary": "middle",
}
#: Staff per pupil relative to a mainstream school (special schools are staffed far more
#: densely); used with number on roll to spread the staff.
STAFFING = {
    "special": 3.5,
    "alternative provision": 3.0,
    "nursery": 1.3,
    "primary": 1.0,
    "middle": 1.0,
    "secondary": 0.95,
    "all-through": 0.95,
    "16 plus": 0.8,
}
#: Teaching school hubs in England (FACTS.md): that many schools are marked is_hub.
HUBS = 87


@dataclass(frozen=True)
class Scale:
    name: str
    schools: int | None  # None: every state-funded school of England in the register
    staff: int
    evidence: int
    coaching: int
    open_needs: int
    pairings: int


SCALES: dict[str, Scale] = {
    "national": Scale("national", None, 470_000, 5_000_000, 200_000, 50_000, 100_000),
    "smoke": Scale("smoke", 40, 1_200, 12_000, 600, 150, 150),
    # One large alliance (issue 24's browser rows): national proportions per member of staff.
    "alliance50": Scale("alliance50", 50, 5_000, 53_000, 2_100, 530, 1_000),
}
TABLE_ORDER = ("schools", "staff", "evidence", "coaching", "needs")


# --------------------------------------------------------------------------------------------
# Schools: the real register, cleaned
# --------------------------------------------------------------------------------------------
def schools_file(full: bool = True) -> Path:
    """The register; for small scales (`full=False`) the bundled sample will do."""
    if SCHOOLS_FILE.exists():
        return SCHOOLS_FILE
    if not full:
        return SCHOOLS_SAMPLE
    raise FileNotFoundError(
        f"The schools register is not at {SCHOOLS_FILE}; set BENCH_SCHOOLS_FILE to its path."
    )


def _school_phase(row_phase: str, row_type: str, name: str) -> str:
    if row_phase in PHASE_MAP:
        return PHASE_MAP[row_phase]
    # "Not applicable": special schools, PRUs/AP, and a few academies with odd age ranges.
    if row_type == "Special School":
        return "special"
    if _AP_WORDS.search(name):
        return "alternative provision"
    if _PRIMARY_WORDS.search(name):
        return "primary"
    if row_type in ("Maintained School", "Academy"):
        return "secondary"
    return "special"


def load_state_schools(path: Path | None = None) -> pd.DataFrame:
    """England's state-funded schools from the register, cleaned: independent schools,
    colleges, Welsh and offshore/overseas local authorities dropped; a blank type is kept as
    state-funded; literal 'nan' cells are blanks; the mis-decoded Windows-1252 apostrophe
    (U+0092) becomes "'"; phases mapped to the product's school phases (special schools from
    their type, PRUs and alternative provision from their names)."""
    raw = pd.read_csv(path or schools_file(), dtype=str, keep_default_na=False, encoding="utf-8")
    raw = raw.apply(lambda c: c.str.strip().replace("nan", ""))
    raw["name"] = raw["name"].str.replace("\x92", "'", regex=False)
    keep = (
        ~raw["type_2018"].isin(["Independent School", "College"])
        & ~raw["la_name"].isin(WELSH_LAS)
        & ~raw["la_name"].str.contains(_NOT_ENGLAND)
    )
    df = raw[keep].copy()
    df["phase"] = [
        _school_phase(p, t, n)
        for p, t, n in zip(df["phase"], df["type_2018"], df["name"], strict=True)
    ]
    df["number_on_roll"] = pd.to_numeric(df["number_on_roll"], errors="coerce")
    fallback = df.groupby("phase")["number_on_roll"].median()
    missing = df["number_on_roll"].isna() | (df["number_on_roll"] <= 0)
    df.loc[missing, "number_on_roll"] = df.loc[missing, "phase"].map(fallback).fillna(200)
    df["roll_imputed"] = missing
    for col in ("lat", "lng"):
        df[col] = pd.to_numeric(df[col], errors="coerce")
    bad = ~df["lat"].between(49, 61) | ~df["lng"].between(-8.5, 2)
    df.loc[bad, ["lat", "lng"]] = np.nan
    df = df.sort_values("urn", key=lambda s: s.astype(int)).reset_index(drop=True)
    cols = ["urn", "name", "la_name", "phase", "postcode", "lat", "lng", "number_on_roll"]
    return df[[*cols, "roll_imputed"]]


# --------------------------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------------------------
def _cat(codes: np.ndarray, categories: list[str] | np.ndarray) -> pd.Categorical:
    """A categorical from integer codes (-1 is blank): no Python strings per row."""
    return pd.Categorical.from_codes(codes.astype(np.int32), categories=list(categories))


def _write(frame: pd.DataFrame, path: Path) -> None:
    con = duckdb.connect()
    try:
        con.execute("SET preserve_insertion_order = true")
        con.register("frame", frame)
        con.execute(f"COPY frame TO '{path}' (HEADER, DELIMITER ',', QUOTE '\"')")
    finally:
        con.close()


def _days(longest: int) -> list[str]:
    """ISO strings for day offsets 0..longest back from AS_OF (a date column's categories)."""
    return [(AS_OF - timedelta(days=d)).isoformat() for d in range(longest + 1)]


_SECONDARY_SUBJECT_WEIGHT = {
    "mathematics": 14,
    "english": 14,
    "science": 6,
    "biology": 5,
    "chemistry": 5,
    "physics": 5,
    "history": 4,
    "geography": 4,
    "religious-education": 3,
    "computing": 3,
    "physical-education": 4,
    "art-and-design": 3,
    "music": 2,
    "drama": 2,
    "design-and-technology": 3,
    "french": 3,
    "spanish": 3,
}
#: Phase combinations staff teach, by school phase (leaders teach the school's whole range).
PHASE_OPTIONS: dict[str, list[tuple[str, float]]] = {
    "nursery": [("EYFS", 1.0)],
    "primary": [("EYFS", 0.15), ("KS1", 0.3), ("KS2", 0.4), ("KS1;KS2", 0.1), ("EYFS;KS1", 0.05)],
    "middle": [("KS2", 0.4), ("KS3", 0.4), ("KS2;KS3", 0.2)],
    "secondary": [("KS3;KS4", 0.55), ("KS3;KS4;KS5", 0.25), ("KS4;KS5", 0.1), ("KS3", 0.1)],
    "all-through": [("KS1", 0.15), ("KS2", 0.2), ("KS3;KS4", 0.45), ("KS3;KS4;KS5", 0.2)],
    "special": [
        ("KS1;KS2", 0.3),
        ("KS2;KS3", 0.2),
        ("KS3;KS4", 0.3),
        ("KS1;KS2;KS3;KS4;KS5", 0.1),
        ("KS4;KS5", 0.1),
    ],
    "alternative provision": [("KS3;KS4", 0.7), ("KS4", 0.3)],
    "16 plus": [("KS5", 1.0)],
}
SCHOOL_RANGE = {
    "nursery": "EYFS",
    "primary": "EYFS;KS1;KS2",
    "middle": "KS2;KS3",
    "secondary": "KS3;KS4;KS5",
    "all-through": "EYFS;KS1;KS2;KS3;KS4;KS5",
    "special": "KS1;KS2;KS3;KS4;KS5",
    "alternative provision": "KS3;KS4",
    "16 plus": "KS5",
}
ROLES = (
    "headteacher",
    "senior leader",
    "SLE",
    "middle leader",
    "teacher",
    "early career teacher",
    "teaching assistant",
    "support staff",
)
#: Mean evidence records per person by role (scaled to the target total).
EVIDENCE_RATE = np.array([8, 14, 20, 14, 12, 8, 6, 1.5])
#: Chance of coach / mentor training by role.
COACH_P = np.array([0.3, 0.5, 0.9, 0.35, 0.15, 0.0, 0.03, 0.0])
MENTOR_P = np.array([0.4, 0.55, 0.8, 0.5, 0.25, 0.0, 0.05, 0.0])
ROLE_BONUS = np.array([0.15, 0.15, 0.3, 0.1, 0.0, -0.5, -0.2, 0.0])
AREA_WEIGHTS: dict[str, dict[str, float]] = {  # by role class
    "teach": {
        "Subjects": 3.0,
        "Classroom practice": 3.0,
        "Reading, writing and oracy": 1.5,
        "Assessment and curriculum": 1.0,
        "SEND and inclusion": 1.0,
        "Behaviour and culture": 1.0,
        "Pastoral and safeguarding": 0.4,
        "Leadership": 0.2,
        "Mentoring and coaching": 0.3,
        "Early years": 2.0,
    },
    "lead": {
        "Subjects": 1.5,
        "Classroom practice": 1.5,
        "Reading, writing and oracy": 0.8,
        "Assessment and curriculum": 2.0,
        "SEND and inclusion": 0.8,
        "Behaviour and culture": 1.5,
        "Pastoral and safeguarding": 1.0,
        "Leadership": 3.0,
        "Mentoring and coaching": 2.0,
        "Early years": 0.8,
    },
    "ta": {
        "Subjects": 0.4,
        "Classroom practice": 1.0,
        "Reading, writing and oracy": 2.0,
        "Assessment and curriculum": 0.2,
        "SEND and inclusion": 3.0,
        "Behaviour and culture": 1.5,
        "Pastoral and safeguarding": 1.0,
        "Leadership": 0.0,
        "Mentoring and coaching": 0.1,
        "Early years": 1.5,
    },
    "support": {
        "Subjects": 0.0,
        "Classroom practice": 0.0,
        "Reading, writing and oracy": 0.2,
        "Assessment and curriculum": 0.2,
        "SEND and inclusion": 1.0,
        "Behaviour and culture": 1.0,
        "Pastoral and safeguarding": 4.0,
        "Leadership": 0.2,
        "Mentoring and coaching": 0.2,
        "Early years": 0.0,
    },
}
ROLE_CLASS = ("lead", "lead", "lead", "lead", "teach", "teach", "ta", "support")
EV_TYPES = (
    "observation",
    "outcomes",
    "peer-endorsement",
    "accreditation",
    "coaching-feedback",
    "self-assessment",
)
EV_WEIGHTS = np.array([30, 17, 12, 4, 7, 30], dtype=float)
RECORDER_LABELS = (
    "HoD",
    "SLT",
    "external",
    "headteacher",
    "SLE",
    "line manager",
    "peer",
    "moderator",
    "mentor",
    "coach",
    "self",
)
RECORDER_WEIGHTS = np.array([20, 20, 5, 5, 4, 10, 10, 3, 3, 3, 0], dtype=float)
NOTES = (
    "Lesson drop-in",
    "Full lesson observation",
    "Learning walk",
    "Book look",
    "End-of-unit assessment",
    "Joint observation with a partner school",
    "Recommended after team teaching",
    "Annual self-review",
    "Coach's review, targets met",
    "National professional qualification",
)
FEEDBACK_TEXT = (
    "Really practical, I use it every lesson",
    "Changed how I plan",
    "Useful joint observations",
    "Hard to fit into the timetable",
    "Some sessions cancelled",
)
PROFILE = 8  # skills a person has any evidence in (with repeats)


@dataclass
class _Roster:
    n: int
    school: np.ndarray  # school index per staff
    role: np.ndarray  # index into ROLES
    phase_combo: np.ndarray  # index into combos
    combos: list[str]
    manager: np.ndarray  # staff index or -1
    leaver_gap: np.ndarray  # days since leaving (0: not a leaver)
    coach: np.ndarray
    mentor: np.ndarray
    profile: np.ndarray  # (n, PROFILE) skill indices
    ability: np.ndarray  # (n, PROFILE) true practice 1..4


# --------------------------------------------------------------------------------------------
# The generator
# --------------------------------------------------------------------------------------------
class Generator:
    def __init__(self, scale: Scale, seed: int = DEFAULT_SEED) -> None:
        self.scale = scale
        self.seed = seed
        self.rng = np.random.default_rng([seed, len(scale.name), scale.staff])
        self.skills: list[Skill] = load_skills()
        self.skill_ids = [s.skill_id for s in self.skills]
        self.timings: dict[str, float] = {}

    # -- schools ------------------------------------------------------------------------------
    def schools(self) -> pd.DataFrame:
        df = load_state_schools(schools_file(full=self.scale.schools is None))
        if self.scale.schools is not None:
            # A spread of real schools for the small scales: every phase represented.
            rng = np.random.default_rng(self.seed)
            picked = rng.choice(len(df), size=min(self.scale.schools, len(df)), replace=False)
            df = df.iloc[np.sort(picked)].reset_index(drop=True)
        weight = df["number_on_roll"].to_numpy(float) * df["phase"].map(STAFFING).to_numpy(float)
        hubs = np.zeros(len(df), dtype=bool)
        n_hubs = min(HUBS, max(1, len(df) // 250))
        eligible = np.flatnonzero(df["phase"].isin(["primary", "secondary"]).to_numpy())
        hubs[self.rng.choice(eligible, size=n_hubs, replace=False)] = True
        df["is_hub"] = hubs
        df["weight"] = weight
        df["school_id"] = "U" + df["urn"].astype(str)
        return df

    # -- staff ----------------------------------------------------------------------------------
    def roster(self, schools: pd.DataFrame) -> _Roster:
        rng = self.rng
        w = schools["weight"].to_numpy(float)
        per = np.maximum(4, np.floor(self.scale.staff * w / w.sum())).astype(np.int64)
        # Largest remainder to hit the target exactly (after the minimum of 4 per school).
        short = self.scale.staff - int(per.sum())
        if short > 0:
            frac = self.scale.staff * w / w.sum() - np.floor(self.scale.staff * w / w.sum())
            per[np.argsort(-frac, kind="stable")[:short]] += 1
        n = int(per.sum())
        school = np.repeat(np.arange(len(schools)), per)
        start = np.concatenate([[0], np.cumsum(per)[:-1]])
        pos = np.arange(n) - start[school]
        size = per[school]

        # Roles by position inside the school: head first, then leaders, then the rest.
        frac_pos = pos / size
        role = np.full(n, 4)
        rest = rng.choice([4, 5, 6, 7], size=n, p=[0.55, 0.08, 0.25, 0.12])
        role[:] = rest
        role[frac_pos < 0.22] = 3  # middle leaders
        role[frac_pos < 0.09] = 1  # senior leaders
        sle = (frac_pos >= 0.09) & (frac_pos < 0.22) & (rng.random(n) < 0.06)
        role[sle] = 2
        role[pos == 0] = 0

        # Line managers: senior leaders -> head, middle leaders -> a senior leader,
        # everyone else -> a middle leader of their school (or the head).
        n_senior = np.maximum(1, np.ceil(0.09 * per)).astype(np.int64)[school]
        n_lead = np.maximum(1, np.ceil(0.22 * per)).astype(np.int64)[school]
        r = rng.random(n)
        manager = np.where(
            role <= 2,
            start[school],
            np.where(
                role == 3,
                start[school] + np.floor(r * n_senior).astype(np.int64),
                start[school] + np.floor(r * n_lead).astype(np.int64),
            ),
        )
        manager[pos == 0] = -1
        manager[manager == np.arange(n)] = -1

        # Phases taught.
        combos: list[str] = [""]
        combo_index: dict[str, int] = {"": 0}
        phase_combo = np.zeros(n, dtype=np.int64)
        sphase = schools["phase"].to_numpy()[school]
        for ph, options in PHASE_OPTIONS.items():
            idx = np.flatnonzero(sphase == ph)
            if not len(idx):
                continue
            labels = [o for o, _ in options] + [SCHOOL_RANGE[ph]]
            for label in labels:
                combo_index.setdefault(label, len(combos))
                if combo_index[label] == len(combos):
                    combos.append(label)
            p = np.array([wt for _, wt in options])
            choice = rng.choice(len(options), size=len(idx), p=p / p.sum())
            codes = np.array([combo_index[o] for o, _ in options])[choice]
            lead = role[idx] <= 1
            codes[lead] = combo_index[SCHOOL_RANGE[ph]]
            codes[role[idx] == 7] = 0
            phase_combo[idx] = codes

        leaver = rng.random(n) < 0.025
        leaver[pos == 0] = False
        leaver_gap = np.where(leaver, rng.integers(10, 700, size=n), 0)
        coach = rng.random(n) < COACH_P[role]
        mentor = rng.random(n) < MENTOR_P[role]

        profile, ability = self._profiles(n, role, phase_combo, combos)
        return _Roster(
            n,
            school,
            role,
            phase_combo,
            combos,
            manager,
            leaver_gap,
            coach,
            mentor,
            profile,
            ability,
        )

    def _profiles(
        self, n: int, role: np.ndarray, phase_combo: np.ndarray, combos: list[str]
    ) -> tuple[np.ndarray, np.ndarray]:
        """Skills each person has evidence in (drawn by role and the stages they teach), with
        a hidden true ability in each."""
        rng = self.rng
        profile = np.zeros((n, PROFILE), dtype=np.int64)
        skill_stages = [set(s.phases) for s in self.skills]
        for rc in sorted(set(ROLE_CLASS)):
            area_w = AREA_WEIGHTS[rc]
            role_ids = [i for i, c in enumerate(ROLE_CLASS) if c == rc]
            in_class = np.isin(role, role_ids)
            for ci, combo in enumerate(combos):
                idx = np.flatnonzero(in_class & (phase_combo == ci))
                if not len(idx):
                    continue
                stages = set(combo.split(";")) if combo else set(KEY_STAGES)
                w = np.array(
                    [
                        area_w.get(s.area, 0.5)
                        * (1.0 if (not s.phases or stages & skill_stages[k]) else 0.02)
                        * (_SECONDARY_SUBJECT_WEIGHT.get(s.skill_id, 1.0))
                        for k, s in enumerate(self.skills)
                    ]
                )
                w = w + 1e-6
                profile[idx] = rng.choice(len(self.skills), size=(len(idx), PROFILE), p=w / w.sum())
        base = 2.55 + ROLE_BONUS[role]
        ability = np.clip(base[:, None] + rng.normal(0, 0.45, size=(n, PROFILE)), 1.2, 3.6)
        return profile, ability

    def staff_frame(self, schools: pd.DataFrame, ro: _Roster) -> pd.DataFrame:
        rng = self.rng
        n = ro.n
        refs = np.array([f"S{i:07d}" for i in range(n)], dtype=object)
        # Subjects: names of 1-2 subject skills for teaching roles (a bounded set of combos).
        subj_skills = [
            k
            for k, s in enumerate(self.skills)
            if s.area == "Subjects" and s.skill_id in _SECONDARY_SUBJECT_WEIGHT
        ]
        names = [self.skills[k].name for k in subj_skills]
        pairs = [f"{a};{b}" for a in names[:6] for b in names[:6] if a < b]
        primary = [
            "Generalist class teaching",
            "Generalist class teaching;Mathematics",
            "English;Mathematics",
            "English;Science",
            "Mathematics;Science",
        ]
        combos = list(dict.fromkeys(["", *names, *pairs, *primary]))
        teaching = np.isin(ro.role, [1, 2, 3, 4, 5])
        secondary_codes = np.arange(1, 1 + len(names) + len(pairs))
        primary_codes = np.array([combos.index(c) for c in primary])
        primary_like = np.isin(
            ro.phase_combo, [i for i, c in enumerate(ro.combos) if c and "KS3" not in c]
        )
        sub_code = np.where(
            primary_like, rng.choice(primary_codes, size=n), rng.choice(secondary_codes, size=n)
        )
        sub_code = np.where(teaching, sub_code, 0)

        consent = rng.choice(3, size=n, p=[0.82, 0.10, 0.08])  # yes / no / blank
        consent_off = rng.integers(0, WINDOW_DAYS, size=n)
        consent_off = np.where(consent == 2, -1, consent_off)
        trained = ro.coach | ro.mentor
        capacity = np.where(trained, rng.choice([6, 12, 12, 18], size=n), 0)
        day_cats = _days(WINDOW_DAYS)
        leaver = ro.leaver_gap > 0
        return pd.DataFrame(
            {
                "staff_ref": _cat(np.arange(n), refs),
                "school_id": _cat(ro.school, schools["school_id"].to_numpy()),
                "role": _cat(ro.role, ROLES),
                "phases": _cat(np.where(ro.phase_combo == 0, -1, ro.phase_combo), ro.combos),
                "subjects": _cat(np.where(sub_code == 0, -1, sub_code), combos),
                "line_manager_ref": _cat(ro.manager, refs),
                "share_consent": _cat(np.where(consent == 2, -1, consent), ["yes", "no"]),
                "coach_trained": _cat(ro.coach.astype(int), ["no", "yes"]),
                "mentor_trained": _cat(ro.mentor.astype(int), ["no", "yes"]),
                "capacity_hours": capacity.astype(np.int16),
                "consent_date": _cat(consent_off, day_cats),
                "left_on": _cat(np.where(leaver, ro.leaver_gap, -1), day_cats),
            }
        )

    # -- evidence ---------------------------------------------------------------------------
    def evidence_frame(self, ro: _Roster) -> pd.DataFrame:
        rng = self.rng
        target = self.scale.evidence
        lam = EVIDENCE_RATE[ro.role]
        lam = lam * (target * 1.06 / lam.sum())
        counts = rng.poisson(lam)
        staff = np.repeat(np.arange(ro.n), counts)
        m = len(staff)
        slot = np.minimum(rng.geometric(0.28, size=m) - 1, PROFILE - 1)
        skill = ro.profile[staff, slot]
        etype = rng.choice(len(EV_TYPES), size=m, p=EV_WEIGHTS / EV_WEIGHTS.sum())
        noise = rng.normal(0, 0.6, size=m) + np.where(etype == 5, 0.3, 0.0)
        strength = np.clip(np.rint(ro.ability[staff, slot] + noise), 1, 4).astype(np.int8)
        offset = rng.integers(0, WINDOW_DAYS + 1, size=m)
        offset = np.maximum(offset, ro.leaver_gap[staff])  # nothing recorded after leaving
        n_labels = len(RECORDER_LABELS)
        label = rng.choice(n_labels, size=m, p=RECORDER_WEIGHTS / RECORDER_WEIGHTS.sum())
        by_manager = (rng.random(m) < 0.35) & (ro.manager[staff] >= 0)
        recorder = np.where(by_manager, n_labels + ro.manager[staff], label)
        recorder = np.where(etype == 5, RECORDER_LABELS.index("self"), recorder)

        # One row per natural key (staff, skill, type, date, recorded_by): pack it in 63 bits.
        key = (
            (staff.astype(np.int64) << 43)
            | (skill.astype(np.int64) << 35)
            | (etype.astype(np.int64) << 32)
            | (offset.astype(np.int64) << 21)
            | recorder.astype(np.int64)
        )
        _, first = np.unique(key, return_index=True)
        keep = np.sort(first)
        if len(keep) > target:
            keep = np.sort(self.rng.choice(keep, size=target, replace=False))
        # Keep file order: grouped by school export (staff order), newest evidence last.
        staff, skill, etype, strength, offset, recorder = (
            a[keep] for a in (staff, skill, etype, strength, offset, recorder)
        )
        m = len(staff)
        order = np.lexsort((-offset, staff))
        staff, skill, etype, strength, offset, recorder = (
            a[order] for a in (staff, skill, etype, strength, offset, recorder)
        )

        # Skill text: mostly the name, sometimes an alias, sometimes lower case.
        names = [s.name for s in self.skills]
        alias_first = [s.aliases[0] if s.aliases else s.name.lower() for s in self.skills]
        texts = names + alias_first + [x.lower() for x in names]
        k = len(names)
        variant = rng.choice(3, size=m, p=[0.9, 0.08, 0.02])
        skill_text = skill + variant * k
        refs = np.array([f"S{i:07d}" for i in range(ro.n)], dtype=object)
        recorder_cats = list(RECORDER_LABELS) + list(refs)
        note = np.where(rng.random(m) < 0.1, rng.integers(0, len(NOTES), size=m), -1)
        stages = np.array(KEY_STAGES)
        combo_stage = [
            [list(KEY_STAGES).index(x) for x in c.split(";")] if c else [] for c in ro.combos
        ]
        width = max(len(c) for c in combo_stage) or 1
        table = np.full((len(combo_stage), width), -1)
        lens = np.zeros(len(combo_stage), dtype=np.int64)
        for i, c in enumerate(combo_stage):
            table[i, : len(c)] = c
            lens[i] = len(c)
        pc = ro.phase_combo[staff]
        pick = np.floor(rng.random(m) * np.maximum(lens[pc], 1)).astype(np.int64)
        phase = np.where((rng.random(m) < 0.3) & (lens[pc] > 0), table[pc, pick], -1)
        day_cats = _days(WINDOW_DAYS)
        return pd.DataFrame(
            {
                "staff_ref": _cat(staff, refs),
                "skill": _cat(skill_text, texts),
                "evidence_type": _cat(etype, EV_TYPES),
                "strength": strength,
                "date": _cat(offset, day_cats),
                "recorded_by": _cat(recorder, recorder_cats),
                "note": _cat(note, NOTES),
                "phase": _cat(phase, stages),
            }
        )

    # -- coaching ----------------------------------------------------------------------------
    def coaching_frame(self, schools: pd.DataFrame, ro: _Roster) -> pd.DataFrame:
        rng = self.rng
        target = self.scale.coaching
        pool = np.flatnonzero((ro.coach | ro.mentor) & (ro.role != 7))
        m = int(target * 1.05) + 10
        coach = rng.choice(pool, size=m)
        per = np.bincount(ro.school, minlength=len(schools))
        start = np.concatenate([[0], np.cumsum(per)[:-1]])
        cs = ro.school[coach]
        same = start[cs] + np.floor(rng.random(m) * per[cs]).astype(np.int64)
        anywhere = rng.integers(0, ro.n, size=m)
        coachee = np.where(rng.random(m) < 0.55, same, anywhere)
        slot = np.minimum(rng.geometric(0.35, size=m) - 1, PROFILE - 1)
        skill = ro.profile[coach, slot]
        both = ro.coach[coach] & ro.mentor[coach]
        mode = np.where(both, (rng.random(m) < 0.3).astype(int), np.where(ro.coach[coach], 0, 1))
        start_off = rng.integers(30, WINDOW_DAYS + 1, size=m)
        end_off = start_off - rng.integers(42, 240, size=m)
        ongoing = end_off < 0
        ok = coachee != coach
        key = np.stack([coach, coachee, skill.astype(np.int64), mode.astype(np.int64), start_off])[
            :, ok
        ]
        idx = np.flatnonzero(ok)
        _, first = np.unique(key, axis=1, return_index=True)
        keep = np.sort(idx[first])[:target]
        coach, coachee, skill, mode, start_off, end_off, ongoing, slot = (
            a[keep] for a in (coach, coachee, skill, mode, start_off, end_off, ongoing, slot)
        )
        m = len(keep)
        outcome = np.clip(np.rint(ro.ability[coach, slot] + rng.normal(0, 0.7, m)), 1, 4)
        has_outcome = ~ongoing & (rng.random(m) < 0.85)
        fb_kind = rng.choice(3, size=m, p=[0.5, 0.2, 0.3])  # number / text / blank
        fb_num = np.clip(np.rint(outcome + rng.normal(0, 0.6, m)), 1, 4).astype(np.int64)
        fb_cats = ["1", "2", "3", "4", *FEEDBACK_TEXT]
        fb = np.where(
            fb_kind == 0,
            fb_num - 1,
            np.where(fb_kind == 1, 4 + rng.integers(0, len(FEEDBACK_TEXT), m), -1),
        )
        fb = np.where(ongoing, -1, fb)
        hours = np.where(rng.random(m) < 0.4, -1, rng.integers(0, 4, m))
        refs = np.array([f"S{i:07d}" for i in range(ro.n)], dtype=object)
        day_cats = _days(WINDOW_DAYS)
        order = np.lexsort((coach, start_off))[::-1]  # oldest first
        cols = {
            "coach_ref": _cat(coach, refs),
            "coachee_ref": _cat(coachee, refs),
            "skill": _cat(skill, [s.name for s in self.skills]),
            "mode": _cat(mode, ["coaching", "mentoring"]),
            "start_date": _cat(start_off, day_cats),
            "end_date": _cat(np.where(ongoing, -1, np.maximum(end_off, 0)), day_cats),
            "outcome_strength": _cat(
                np.where(has_outcome, outcome.astype(np.int64) - 1, -1), ["1", "2", "3", "4"]
            ),
            "coachee_feedback": _cat(fb, fb_cats),
            "hours": _cat(hours, ["3", "6", "9", "12"]),
        }
        return pd.DataFrame(cols).iloc[order].reset_index(drop=True)

    # -- needs ----------------------------------------------------------------------------------
    def needs_frame(self, ro: _Roster) -> pd.DataFrame:
        rng = self.rng
        target_open = self.scale.open_needs
        pool = np.flatnonzero((ro.leaver_gap == 0) & (ro.role != 7))
        m = int(target_open / 0.72 * 1.08) + 20
        staff = rng.choice(pool, size=m)
        weakest = np.argmin(ro.ability[staff], axis=1)
        slot = np.where(rng.random(m) < 0.5, weakest, rng.integers(0, PROFILE, m))
        skill = np.where(
            rng.random(m) < 0.8, ro.profile[staff, slot], rng.integers(0, len(self.skills), m)
        )
        _, first = np.unique(np.stack([staff, skill]), axis=1, return_index=True)
        keep = np.sort(first)
        staff, skill = staff[keep], skill[keep]
        m = len(keep)
        status = rng.choice(4, size=m, p=[0.72, 0.12, 0.12, 0.04])
        # Top up (or trim) the open ones to the target exactly.
        open_idx = np.flatnonzero(status == 0)
        if len(open_idx) > target_open:
            status[open_idx[target_open:]] = 2
        elif len(open_idx) < target_open:
            other = np.flatnonzero(status != 0)
            status[other[: target_open - len(open_idx)]] = 0
        raised = np.where(
            status == 0, rng.integers(1, 240, size=m), rng.integers(60, WINDOW_DAYS, size=m)
        )
        order = np.argsort(-raised, kind="stable")
        staff, skill, status, raised = staff[order], skill[order], status[order], raised[order]
        refs = np.array([f"S{i:07d}" for i in range(ro.n)], dtype=object)
        ids = np.array([f"N{i:07d}" for i in range(1, m + 1)], dtype=object)
        hours = np.where(rng.random(m) < 0.6, -1, rng.integers(0, 3, m))
        return pd.DataFrame(
            {
                "need_id": _cat(np.arange(m), ids),
                "staff_ref": _cat(staff, refs),
                "skill": _cat(skill, [s.name for s in self.skills]),
                "priority": _cat(
                    rng.choice(3, size=m, p=[0.3, 0.5, 0.2]), ["high", "medium", "low"]
                ),
                "wanted_role": _cat(
                    rng.choice(3, size=m, p=[0.4, 0.2, 0.4]), ["coach", "mentor", "either"]
                ),
                "raised_on": _cat(raised, _days(WINDOW_DAYS)),
                "status": _cat(status, ["open", "matched", "closed", "withdrawn"]),
                "hours": _cat(hours, ["6", "9", "12"]),
            }
        )

    # -- pairings (only once the pairings spec exists) -----------------------------------------
    def pairing_frames(self, schools: pd.DataFrame, ro: _Roster) -> dict[str, pd.DataFrame]:
        from benchmarks.pairings_gen import pairing_frames

        return pairing_frames(self, schools, ro)

    # -- all of it -------------------------------------------------------------------------------
    def write(self, out_dir: Path) -> dict[str, int]:
        out_dir.mkdir(parents=True, exist_ok=True)
        t = time.perf_counter()
        schools = self.schools()
        ro = self.roster(schools)
        self.timings["roster_s"] = time.perf_counter() - t
        frames: dict[str, pd.DataFrame] = {
            "schools": pd.DataFrame(
                {
                    "school_id": schools["school_id"],
                    "name": schools["name"],
                    "phase": schools["phase"],
                    "is_hub": np.where(schools["is_hub"], "yes", "no"),
                    "postcode": schools["postcode"].replace("", None),
                    "latitude": schools["lat"].round(6),
                    "longitude": schools["lng"].round(6),
                }
            ),
            "staff": self.staff_frame(schools, ro),
            "evidence": self.evidence_frame(ro),
            "coaching": self.coaching_frame(schools, ro),
            "needs": self.needs_frame(ro),
        }
        self.pairings_error = None
        if _pairings_in_spec():
            try:
                frames.update(self.pairing_frames(schools, ro))
            except Exception as exc:  # the pairings spec is young; never block the rest
                self.pairings_error = f"{type(exc).__name__}: {exc}"
        counts = {}
        for stem, frame in frames.items():
            t = time.perf_counter()
            _write(frame, out_dir / f"{stem}.csv")
            self.timings[f"write_{stem}_s"] = time.perf_counter() - t
            counts[stem] = len(frame)
        counts["open_needs"] = int((frames["needs"]["status"] == "open").sum())
        counts["schools_imputed_roll"] = int(schools.get("roll_imputed", pd.Series([])).sum())
        return counts


def _pairings_in_spec() -> bool:
    from brokering.importing.spec import TABLES

    return "pairings" in TABLES


def dataset_dir(scale: str, seed: int, work_dir: Path | None = None) -> Path:
    tag = "p" if _pairings_in_spec() else "np"
    if scale != "national" and not SCHOOLS_FILE.exists():
        tag += "-sample"
    return (work_dir or WORK_DIR) / "data" / f"{scale}-{seed}-v{GENERATOR_VERSION}-{tag}"


def ensure_dataset(
    scale: str, seed: int = DEFAULT_SEED, work_dir: Path | None = None, log=print
) -> tuple[Path, dict]:
    """The generated files for (scale, seed), generated once and cached. Returns the folder
    and its manifest (row counts, generation time)."""
    out = dataset_dir(scale, seed, work_dir)
    manifest_path = out / "manifest.json"
    if manifest_path.exists():
        manifest = json.loads(manifest_path.read_text())
        manifest["cached"] = True
        return out, manifest
    if out.exists():
        shutil.rmtree(out)
    tmp = out.with_name(out.name + ".partial")
    if tmp.exists():
        shutil.rmtree(tmp)
    t = time.perf_counter()
    if scale == "alliance":
        from brokering.demo import DEMO_SEED, write_demo_csvs

        counts = dict(write_demo_csvs(tmp, as_of=AS_OF))
        try:  # the demo's pairings, as the app's own demo build writes them
            from brokering.demo.pairings import write_demo_pairings
        except ImportError:
            pass
        else:
            counts.update(write_demo_pairings(tmp, AS_OF, DEMO_SEED))
        timings: dict[str, float] = {}
    else:
        log(f"generating the {scale} data set (seed {seed})…")
        gen = Generator(SCALES[scale], seed)
        counts = gen.write(tmp)
        timings = gen.timings
        if gen.pairings_error:
            counts["pairings_error"] = gen.pairings_error
    manifest = {
        "scale": scale,
        "seed": seed,
        "as_of": AS_OF.isoformat(),
        "generator_version": GENERATOR_VERSION,
        "counts": counts,
        "generate_s": round(time.perf_counter() - t, 2),
        "timings": {k: round(v, 2) for k, v in timings.items()},
        "sizes_mb": {f.name: round(f.stat().st_size / 1e6, 1) for f in sorted(tmp.glob("*.csv"))},
        "scale_spec": asdict(SCALES[scale]) if scale in SCALES else None,
    }
    (tmp / "manifest.json").write_text(json.dumps(manifest, indent=2))
    tmp.rename(out)
    manifest["cached"] = False
    return out, manifest


def main(argv: list[str] | None = None) -> int:
    import argparse

    ap = argparse.ArgumentParser(description="Generate a benchmark data set (cached).")
    ap.add_argument("--scale", default="smoke", choices=["national", "alliance", "smoke"])
    ap.add_argument("--seed", type=int, default=DEFAULT_SEED)
    args = ap.parse_args(argv)
    out, manifest = ensure_dataset(args.scale, args.seed)
    print(out)
    print(json.dumps(manifest, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
