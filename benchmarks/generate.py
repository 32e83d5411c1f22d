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
import shutil
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from benchmarks import gen_records
from benchmarks.gen_mix import (
    _SECONDARY_SUBJECT_WEIGHT,
    AREA_WEIGHTS,
    AS_OF,
    COACH_P,
    MENTOR_P,
    PHASE_OPTIONS,
    PROFILE,
    ROLE_BONUS,
    ROLE_CLASS,
    ROLES,
    SCHOOL_RANGE,
    WINDOW_DAYS,
    _cat,
    _days,
    _Roster,
    _write,
)
from benchmarks.gen_schools import SCHOOLS_FILE, load_state_schools, schools_file
from brokering.phases import KEY_STAGES
from brokering.taxonomy import Skill, load_skills

#: Bump when the generated data changes, so cached sets are rebuilt.
GENERATOR_VERSION = 2
DEFAULT_SEED = 20261124

HERE = Path(__file__).resolve().parent
WORK_DIR = HERE / "_work"
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
        return gen_records.evidence_frame(self, ro)

    def coaching_frame(self, schools: pd.DataFrame, ro: _Roster) -> pd.DataFrame:
        return gen_records.coaching_frame(self, schools, ro)

    def needs_frame(self, ro: _Roster) -> pd.DataFrame:
        return gen_records.needs_frame(self, ro)

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
