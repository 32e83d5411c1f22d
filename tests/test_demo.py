"""The demo alliance generator: deterministic, in the templates' format, and telling its story.

These checks read the raw CSVs only (the scoring module is separate), so a broken generator fails
here before any page or command shows misleading demo data.
"""

from __future__ import annotations

import csv
from collections import Counter, defaultdict
from datetime import date, timedelta
from pathlib import Path

import pytest

from brokering import demo

AS_OF = demo.DEMO_AS_OF
EARLIEST = AS_OF - timedelta(days=3 * 365)
STEMS = ["schools", "staff", "evidence", "coaching", "needs"]
HEADERS = {
    "schools": "school_id,name,phase,is_hub,postcode,latitude,longitude",
    "staff": "staff_ref,school_id,role,phases,subjects,line_manager_ref,share_consent,"
    "coach_trained,mentor_trained,capacity_hours,consent_date,left_on",
    "evidence": "staff_ref,skill,evidence_type,strength,date,recorded_by,note,phase",
    "coaching": "coach_ref,coachee_ref,skill,mode,start_date,end_date,outcome_strength,"
    "coachee_feedback,hours",
    "needs": "need_id,staff_ref,skill,priority,wanted_role,raised_on,status,hours",
}
SKILLS = set(
    "Mathematics;English;Early reading and phonics;Science;Biology;Chemistry;Physics;History;"
    "Geography;French;Spanish;Computing;Art and design;Music;Physical education;"
    "Religious education;Design and technology;Drama;Questioning;Feedback;Retrieval practice;"
    "Modelling and explanation;Adaptive teaching;Formative assessment;Adaptive teaching for SEND;"
    "Autism support;Speech, language and communication needs;English as an additional language;"
    "Oracy;Writing;Reading fluency;Mathematics in the early years;Communication and language;"
    "Behaviour and routines;Pastoral care;Safeguarding;Subject leadership;Curriculum design;"
    "Mentoring;Instructional coaching;Coaching culture;Whole-school assessment system;"
    "Metacognition;Scaffolding".split(";")
)
KEY_STAGES = {"EYFS", "KS1", "KS2", "KS3", "KS4", "KS5"}


@pytest.fixture(scope="module")
def out(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, int]]:
    path = tmp_path_factory.mktemp("demo_a")
    return path, demo.write_demo_csvs(path)


@pytest.fixture(scope="module")
def data(out: tuple[Path, dict[str, int]]) -> dict[str, list[dict[str, str]]]:
    path, _ = out
    result = {}
    for stem in STEMS:
        with open(path / f"{stem}.csv", newline="", encoding="utf-8") as fh:
            result[stem] = list(csv.DictReader(fh))
    return result


def _d(text: str) -> date:
    return date.fromisoformat(text)


def _canonical(skill: str) -> str:
    return demo.ALIASES.get(skill, skill)


def test_same_seed_and_date_give_identical_bytes(out, tmp_path: Path) -> None:
    first, counts = out
    assert demo.write_demo_csvs(tmp_path, demo.DEMO_AS_OF, demo.DEMO_SEED) == counts
    for stem in STEMS:
        assert (first / f"{stem}.csv").read_bytes() == (tmp_path / f"{stem}.csv").read_bytes()


def test_other_seed_gives_other_evidence(out, tmp_path: Path) -> None:
    first, _ = out
    demo.write_demo_csvs(tmp_path, seed=demo.DEMO_SEED + 1)
    assert (first / "evidence.csv").read_bytes() != (tmp_path / "evidence.csv").read_bytes()


def test_dates_follow_as_of(tmp_path: Path) -> None:
    later = date(2030, 3, 2)
    demo.write_demo_csvs(tmp_path, as_of=later)
    with open(tmp_path / "evidence.csv", newline="", encoding="utf-8") as fh:
        dates = [_d(r["date"]) for r in csv.DictReader(fh)]
    assert max(dates) <= later and min(dates) >= later - timedelta(days=3 * 365)


def test_exact_headers_and_file_format(out) -> None:
    path, counts = out
    assert sorted(counts) == sorted(STEMS)
    for stem in STEMS:
        raw = (path / f"{stem}.csv").read_bytes()
        assert b"\r" not in raw and raw.endswith(b"\n")
        assert raw.decode("utf-8").split("\n", 1)[0] == HEADERS[stem]


def test_counts_in_range(out, data) -> None:
    _, counts = out
    assert {stem: len(rows) for stem, rows in data.items()} == counts
    assert counts["schools"] == 10
    assert 550 <= counts["staff"] <= 680
    assert 8000 <= counts["evidence"] <= 12000
    assert 150 <= counts["coaching"] <= 250
    statuses = Counter(n["status"] for n in data["needs"])
    assert 50 <= statuses["open"] <= 75
    assert 15 <= counts["needs"] - statuses["open"] <= 40
    assert set(statuses) <= {"open", "matched", "closed", "withdrawn"}
    assert all(statuses[s] > 0 for s in ("matched", "closed", "withdrawn"))


def test_schools(data) -> None:
    schools = data["schools"]
    assert [s["school_id"] for s in schools] == [f"SCH{i:02d}" for i in range(1, 11)]
    assert [s["school_id"] for s in schools if s["is_hub"] == "yes"] == ["SCH01"]
    phases = Counter(s["phase"] for s in schools)
    assert phases == {"primary": 5, "secondary": 3, "special": 1, "all-through": 1}
    assert schools[0]["phase"] == "secondary"
    for s in schools:
        assert 52.5 <= float(s["latitude"]) <= 52.8 and -1.5 <= float(s["longitude"]) <= -1.0


def test_staff_values_and_refs(data) -> None:
    staff = data["staff"]
    refs = [s["staff_ref"] for s in staff]
    assert len(set(refs)) == len(refs)
    assert all(len(r) == 6 and r[0] == "S" and r[1:].isdigit() for r in refs)
    school_ids = {s["school_id"] for s in data["schools"]}
    for s in staff:
        assert s["school_id"] in school_ids
        assert s["role"] in demo.ROLES
        assert set(filter(None, s["phases"].split(";"))) <= KEY_STAGES
        assert set(filter(None, s["subjects"].split(";"))) <= SKILLS
        for flag in ("share_consent", "coach_trained", "mentor_trained"):
            assert s[flag] in ("yes", "no")
        assert s["capacity_hours"] in ("0", "6", "12", "18")
    consent = sum(s["share_consent"] == "yes" for s in staff) / len(staff)
    assert 0.7 <= consent <= 0.9
    assert 5 <= sum(bool(s["left_on"]) for s in staff) <= 12
    assert all(not s["subjects"] for s in staff if s["role"] == "support staff")


def test_every_ref_exists(data) -> None:
    refs = {s["staff_ref"] for s in data["staff"]}
    for c in data["coaching"]:
        assert c["coach_ref"] in refs and c["coachee_ref"] in refs
    for n in data["needs"]:
        assert n["staff_ref"] in refs
    for e in data["evidence"]:
        assert e["staff_ref"] in refs
        assert e["recorded_by"] in refs or e["recorded_by"] in ("HoD", "SLT", "external")


def test_line_managers_form_a_same_school_hierarchy(data) -> None:
    staff = {s["staff_ref"]: s for s in data["staff"]}
    for ref, s in staff.items():
        boss = s["line_manager_ref"]
        if s["role"] == "headteacher":
            assert boss == ""
            continue
        assert boss in staff and staff[boss]["school_id"] == s["school_id"]
        seen = {ref}
        while boss:  # walk up: must reach the head without revisiting anyone
            assert boss not in seen
            seen.add(boss)
            boss = staff[boss]["line_manager_ref"]
    heads = Counter(s["school_id"] for s in staff.values() if s["role"] == "headteacher")
    assert set(heads.values()) == {1} and len(heads) == 10


def test_coaching_rules(data) -> None:
    staff = {s["staff_ref"]: s for s in data["staff"]}
    modes = Counter(c["mode"] for c in data["coaching"])
    assert set(modes) == {"coaching", "mentoring"} and modes["mentoring"] >= 20
    cross = 0
    for c in data["coaching"]:
        coach, coachee = staff[c["coach_ref"]], staff[c["coachee_ref"]]
        assert c["coach_ref"] != c["coachee_ref"]
        if c["mode"] == "mentoring":
            assert coachee["line_manager_ref"] != c["coach_ref"]
        assert _canonical(c["skill"]) in SKILLS
        start = _d(c["start_date"])
        assert EARLIEST <= start <= AS_OF
        float(c["hours"])
        if c["end_date"]:
            end = _d(c["end_date"])
            assert start < end <= AS_OF
            assert c["outcome_strength"] in ("", "1", "2", "3", "4")
        else:  # ongoing: nobody who has left, no outcome yet
            assert c["outcome_strength"] == ""
            assert not coach["left_on"] and not coachee["left_on"]
        for person in (coach, coachee):  # leavers only in history, before they left
            if person["left_on"]:
                assert c["end_date"] and _d(c["end_date"]) <= _d(person["left_on"])
        cross += coach["school_id"] != coachee["school_id"]
    assert cross > len(data["coaching"]) / 2
    running: Counter[str] = Counter()
    for c in data["coaching"]:
        if not c["end_date"]:
            running[c["coach_ref"]] += float(c["hours"])
    for ref, hours in running.items():  # ongoing work fits the coach's termly capacity
        assert hours <= int(staff[ref]["capacity_hours"]), ref
    assert any(not c["end_date"] for c in data["coaching"])


def test_needs_rules(data) -> None:
    staff = {s["staff_ref"]: s for s in data["staff"]}
    needs = data["needs"]
    assert [n["need_id"] for n in needs] == [f"N{i:04d}" for i in range(1, len(needs) + 1)]
    open_keys = [(n["staff_ref"], n["skill"]) for n in needs if n["status"] == "open"]
    assert len(open_keys) == len(set(open_keys))
    for n in needs:
        assert not staff[n["staff_ref"]]["left_on"]
        assert n["priority"] in ("high", "medium", "low")
        assert n["wanted_role"] in ("coach", "mentor", "either")
        assert n["skill"] in SKILLS
        assert EARLIEST <= _d(n["raised_on"]) <= AS_OF
        assert n["hours"] == "" or float(n["hours"]) > 0


def test_evidence_rows(data) -> None:
    keys = set()
    staff = {s["staff_ref"]: s for s in data["staff"]}
    types = Counter()
    for e in data["evidence"]:
        key = (e["staff_ref"], _canonical(e["skill"]), e["evidence_type"], e["date"])
        key += (e["recorded_by"],)
        assert key not in keys
        keys.add(key)
        assert e["strength"] in ("1", "2", "3", "4")
        assert _canonical(e["skill"]) in SKILLS
        assert e["phase"] == "" or e["phase"] in KEY_STAGES
        day = _d(e["date"])
        assert EARLIEST <= day <= AS_OF
        left = staff[e["staff_ref"]]["left_on"]
        assert not left or day <= _d(left)
        types[e["evidence_type"]] += 1
    assert sorted(types) == sorted(demo.EV_TYPES)
    assert len(demo.EV_TYPES) == 6 and "self-assessment" in demo.EV_TYPES
    assert types["observation"] + types["outcomes"] > types["self-assessment"]
    aliased = sum(e["skill"] in demo.ALIASES for e in data["evidence"])
    assert 0.01 <= aliased / len(data["evidence"]) <= 0.04


def test_no_formula_cells_and_no_names(data) -> None:
    for stem, rows in data.items():
        for row in rows:
            for value in row.values():
                assert not value.startswith(("=", "+", "@")), (stem, value)
        columns = rows[0].keys()
        if stem != "schools":
            assert not any("name" in col for col in columns), stem
    assert all(not e["note"].startswith("-") for e in data["evidence"])


def _strong_recent_counts(data) -> dict[str, Counter]:
    """skill -> school -> people with strength-4 evidence in the 18 months before as_of."""
    school_of = {s["staff_ref"]: s["school_id"] for s in data["staff"]}
    since = AS_OF - timedelta(days=demo.RECENT_DAYS)
    people: dict[str, set[tuple[str, str]]] = defaultdict(set)
    for e in data["evidence"]:
        if e["strength"] == "4" and _d(e["date"]) >= since:
            people[_canonical(e["skill"])].add((school_of[e["staff_ref"]], e["staff_ref"]))
    return {skill: Counter(school for school, _ in pairs) for skill, pairs in people.items()}


def test_each_school_leads_the_alliance_somewhere(data) -> None:
    counts = _strong_recent_counts(data)
    for school, skills in demo.STORY["signature_skills"].items():
        leads = [
            s
            for s in skills
            if counts[s][school]
            > max((n for other, n in counts[s].items() if other != school), default=0)
        ]
        assert leads, f"{school} leads in none of {skills}"


def test_weak_skills_are_someone_elses_strength(data) -> None:
    signature = demo.STORY["signature_skills"]
    open_needs = Counter((n["skill"]) for n in data["needs"] if n["status"] == "open")
    for school, weak in demo.STORY["weak_skills"].items():
        for skill in weak:
            assert any(skill in skills for other, skills in signature.items() if other != school)
            assert open_needs[skill] >= 2


def test_best_coach_is_not_top_performer(data) -> None:
    pairs = demo.STORY["coach_pairs"]
    assert {"Behaviour and routines", "Early reading and phonics", "Mathematics"} <= set(pairs)
    staff = {s["staff_ref"]: s for s in data["staff"]}
    for skill, pair in pairs.items():
        top, coach = pair["top_performer"], pair["better_coach"]
        assert top != coach
        strengths: dict[str, list[int]] = defaultdict(list)
        for e in data["evidence"]:
            if _canonical(e["skill"]) == skill:
                strengths[e["staff_ref"]].append(int(e["strength"]))
        fours = {ref: vals.count(4) for ref, vals in strengths.items()}
        assert fours[top] == max(fours.values())  # strongest practice evidence in the alliance
        mean = {ref: sum(vals) / len(vals) for ref, vals in strengths.items()}
        assert mean[top] > mean[coach] >= 3.0
        records = [c for c in data["coaching"] if c["skill"] == skill]
        good = Counter(c["coach_ref"] for c in records if c["outcome_strength"] == "4")
        assert good[coach] >= 3 and good[coach] > good[top]
        assert all(
            c["outcome_strength"] in ("", "1", "2") for c in records if c["coach_ref"] == top
        )
        for ref in (top, coach):
            assert staff[ref]["share_consent"] == "yes" and not staff[ref]["left_on"]
        assert staff[coach]["coach_trained"] == "yes" and int(staff[coach]["capacity_hours"]) > 0


def test_privacy_and_leavers_have_something_to_hide(data) -> None:
    staff = {s["staff_ref"]: s for s in data["staff"]}
    hidden = demo.STORY["stars_without_consent"]
    assert len(hidden) >= 3 and all(staff[ref]["share_consent"] == "no" for ref in hidden)
    assert sorted(r for r, s in staff.items() if s["left_on"]) == demo.STORY["leavers"]
    strong_leavers = demo.STORY["strong_leavers"]
    assert len(strong_leavers) >= 2
    for ref in strong_leavers:
        fours = [
            e
            for e in data["evidence"]
            if e["staff_ref"] == ref
            and e["strength"] == "4"
            and e["evidence_type"] in ("observation", "outcomes")
        ]
        assert len(fours) >= 2


def test_recency_matters_for_faded_experts(data) -> None:
    since = AS_OF - timedelta(days=demo.RECENT_DAYS)
    faded = demo.STORY["faded"]
    assert len(faded) >= 10
    for skill, ref in faded.items():
        rows = [
            e for e in data["evidence"] if (e["staff_ref"], _canonical(e["skill"])) == (ref, skill)
        ]
        old = [int(e["strength"]) for e in rows if _d(e["date"]) < since]
        new = [int(e["strength"]) for e in rows if _d(e["date"]) >= since]
        assert old and new and sum(old) / len(old) >= sum(new) / len(new) + 0.5, (skill, ref)
        assert 4 in old


def test_phases_fit_each_school(data) -> None:
    allowed = {
        "primary": {"EYFS", "KS1", "KS2"},
        "secondary": {"KS3", "KS4", "KS5"},
        "special": KEY_STAGES,
        "all-through": KEY_STAGES,
    }
    phase_of = {s["school_id"]: s["phase"] for s in data["schools"]}
    seen: dict[str, set[str]] = defaultdict(set)
    for s in data["staff"]:
        phases = set(filter(None, s["phases"].split(";")))
        assert phases <= allowed[phase_of[s["school_id"]]], s
        assert phases or s["role"] == "support staff"
        seen[s["school_id"]] |= phases
    assert "KS5" in seen["SCH08"] and "KS5" not in seen["SCH07"]
    assert "EYFS" in seen["SCH02"] and {"EYFS", "KS4"} <= seen["SCH10"]
