"""The leak matrix, run by the tests and by `python -m brokering robustness`.

A small alliance with a canary at each of three schools: a member of staff who has not
consented to sharing, who is also a coachee of a partner's coach, the line manager of a
consenting colleague, the recorder of that colleague's evidence, the subject of a need and
a pairing's recipient. Every role runs every export and every command that lists or names
people; no canary from a school the user may not see may appear anywhere in what they get.
"""

from __future__ import annotations

import contextlib
import io
import sys
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

#: The canaries, by school.
CANARIES = {"A": "ZCANA", "B": "ZCANB", "C": "ZCANC"}
#: "Today" for the alliance below.
TODAY = date(2026, 11, 20)
ALLIANCE: dict[str, str] = {
    "schools": (
        "school_id,name,phase,is_hub,postcode,latitude,longitude\n"
        "A,Alder Primary,primary,yes,AA1 1AA,52.60,-1.20\n"
        "B,Birch Academy,secondary,no,BB1 1BB,52.65,-1.25\n"
        "C,Cedar Special School,special,no,,,\n"
    ),
    "staff": (
        "staff_ref,school_id,role,phases,subjects,line_manager_ref,share_consent,coach_trained,mentor_trained,capacity_hours,consent_date,left_on\n"
        "A1,A,headteacher,KS1;KS2,,,yes,yes,yes,6,2025-09-01,\n"
        "A2,A,teacher,KS1,Mathematics;English,A1,yes,no,no,0,2025-09-01,\n"
        "A3,A,teacher,Year 6,Mathematics,A1,no,yes,no,12,2025-09-01,\n"
        "B1,B,headteacher,KS3;KS4,,,yes,no,yes,6,2025-09-01,\n"
        "B2,B,middle leader,GCSE;A level,Chemistry,B1,yes,yes,yes,12,2025-09-01,\n"
        "B3,B,teacher,KS3,Mathematics,B2,yes,no,no,0,2025-09-01,\n"
        "C1,C,SLE,KS2;KS3,,,yes,yes,yes,18,2025-09-01,\n"
        "C2,C,teacher,KS2,,C1,yes,no,no,0,2025-09-01,2026-07-31\n"
        "ZCANA,A,teacher,KS2,Mathematics,,no,yes,yes,12,2025-09-01,\n"
        "ZCANB,B,teacher,KS3,Mathematics,,no,yes,yes,12,2025-09-01,\n"
        "ZCANC,C,teacher,KS2,Mathematics,,no,yes,yes,12,2025-09-01,\n"
        "LMA,A,teacher,KS2,Mathematics,ZCANA,yes,yes,yes,6,2025-09-01,\n"
        "LMB,B,teacher,KS3,Mathematics,ZCANB,yes,yes,yes,6,2025-09-01,\n"
        "LMC,C,teacher,KS2,Mathematics,ZCANC,yes,yes,yes,6,2025-09-01,\n"
    ),
    "evidence": (
        "staff_ref,skill,evidence_type,strength,date,recorded_by,note,phase\n"
        "A2,Mathematics,observation,4,2026-10-01,A1,Strong modelling with concrete materials,KS1\n"
        "A2,maths,self-assessment,3,2026-09-01,self,,\n"
        "A3,Mathematics,observation,4,2026-06-15,SLT,,KS2\n"
        "A3,Mathematics,outcomes,4,2026-07-20,SLT,Year 6 outcomes well above,KS2\n"
        "B2,Chemistry,observation,4,2026-03-10,B1,,KS5\n"
        "B3,Mathematics,observation,2,2026-05-01,B2,,\n"
        "C1,Autism support,accreditation,4,2025-06-01,external,,\n"
        "C2,Autism support,observation,4,2026-05-01,C1,,\n"
        "ZCANA,Mathematics,observation,4,2026-10-01,SLT,,KS2\n"
        "ZCANB,Mathematics,observation,4,2026-10-01,SLT,,KS3\n"
        "ZCANC,Mathematics,observation,4,2026-10-01,SLT,,KS2\n"
        "LMA,Mathematics,observation,3,2026-10-02,ZCANA,,KS2\n"
        "LMB,Mathematics,observation,3,2026-10-02,ZCANB,,KS3\n"
        "LMC,Mathematics,observation,3,2026-10-02,ZCANC,,KS2\n"
    ),
    "coaching": (
        "coach_ref,coachee_ref,skill,mode,start_date,end_date,outcome_strength,coachee_feedback,hours\n"
        "B2,B3,Mathematics,coaching,2025-10-01,2026-02-01,3,4,8\n"
        "C1,A2,Autism support,mentoring,2026-01-10,,,,\n"
        "B2,ZCANA,Mathematics,coaching,2026-01-01,2026-03-01,4,4,6\n"
        "C1,ZCANB,Mathematics,coaching,2026-01-01,2026-03-01,4,4,6\n"
        "A1,ZCANC,Mathematics,coaching,2026-01-01,2026-03-01,4,4,6\n"
        "ZCANA,A2,Mathematics,coaching,2026-01-01,2026-03-01,4,4,6\n"
    ),
    "needs": (
        "need_id,staff_ref,skill,priority,wanted_role,raised_on,status,hours\n"
        "N1,B3,Mathematics,high,coach,2026-09-10,open,6\n"
        "N2,A2,Behaviour and routines,medium,either,2026-09-12,open,\n"
        "N3,B3,Retrieval practice,low,mentor,2026-01-12,closed,\n"
        "NZA,ZCANA,Mathematics,high,coach,2026-09-10,open,6\n"
        "NZB,ZCANB,Mathematics,high,coach,2026-09-10,open,6\n"
        "NZC,ZCANC,Mathematics,high,coach,2026-09-10,open,6\n"
    ),
    "pairings": (
        "pairing_id,donor_refs,recipient_refs,skill,work_kind,status,start_date,review_date\n"
        "PZA,B2,ZCANA,Mathematics,coaching,active,2026-01-05,2026-12-01\n"
        "PZB,C1,ZCANB,Mathematics,coaching,active,2026-01-05,2026-12-01\n"
        "PZC,LMA,ZCANC,Mathematics,coaching,active,2026-01-05,2026-12-01\n"
    ),
}
PASSWORD = "leak-matrix-Password-4417"

#: username -> (role, school): every role; school-bound roles at each school.
ROLES: dict[str, tuple[str, str | None]] = {
    "m-admin": ("alliance_admin", None),
    "m-coordinator": ("sle_coordinator", None),
    "m-governor": ("viewer", None),
    **{f"m-head-{s.lower()}": ("headteacher", s) for s in CANARIES},
    **{f"m-leader-{s.lower()}": ("senior_leader", s) for s in CANARIES},
}
EXPORTS = ["schools", "staff", "evidence", "coaching", "needs", "skills"]
_AS_OF = ["--as-of", TODAY.isoformat()]
#: Every command that lists or names people (arguments after `--as USER`).
COMMANDS: list[list[str]] = [
    ["find", "Mathematics", "--top", "200", "--json", *_AS_OF],
    ["find", "Mathematics", "--rank-by", "coaching", "--top", "200", "--json", *_AS_OF],
    ["find", "Mathematics", "--rank-by", "blend", "--top", "200", "--json", *_AS_OF],
    ["match", "LMA", "Mathematics", "--json", *_AS_OF],
    ["match", "B3", "Mathematics", "--json", *_AS_OF],
    ["allocate", "--json", *_AS_OF],
    ["needs", "list", "--json"],
    ["needs", "list", "--status", "open", "--status", "closed", "--json"],
    ["requests", "list", "--json"],
    ["pairings", "--json"],
    ["pairings-ledger", "--by", "person", "--json"],
    ["pairings-ledger", "--by", "relationship", "--json"],
    ["pairings-accountability", "--json"],
    ["users", "list", "--json"],
    ["stats", "--json"],
]


def forbidden(role: str, school: str | None) -> set[str]:
    """The canaries this user may not see: all but their own school's (the administrator
    sees everyone)."""
    if role == "alliance_admin":
        return set()
    return {ref for s, ref in CANARIES.items() if s != school}


def build_store(path: Path) -> None:
    """The alliance above, loaded through the importer, with an account for every role."""
    from brokering import accounts
    from brokering.importing import import_paths
    from brokering.store import open_store
    from brokering.viewer import operator

    folder = path.parent / "leak-files"
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in ALLIANCE.items():
        (folder / f"{name}.csv").write_text(text, encoding="utf-8")
    con = open_store(path)
    try:
        report = import_paths(con, [folder], operator("leak-matrix"), today=TODAY)
        if not report.ok:
            raise RuntimeError("; ".join(str(p) for p in report.problems))
        for username, (role, school) in ROLES.items():
            accounts.create_user(con, operator("leak-matrix"), username, PASSWORD, role, school)
    finally:
        con.close()


@dataclass
class MatrixReport:
    """How many checks ran (role x export or command, and Why this rank) and what leaked."""

    checks: int = 0
    leaks: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        return {"checks": self.checks, "leaks": len(self.leaks), "found": self.leaks}


def run_cli(db: Path, argv: list[str]) -> str:
    """One command, its printed output (both streams) returned as text."""
    from brokering.cli import main

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        main(["--db", str(db), *argv])
    return out.getvalue() + err.getvalue()


def why_this_rank(con, username: str) -> str:  # noqa: ANN001 - a store connection
    """Everything "Why this rank" shows this user for the canaries' colleagues."""
    from brokering import score_parts
    from brokering.errors import BrokeringError
    from brokering.viewer import Viewer

    role, school = ROLES[username]
    viewer = Viewer(role, school, username)
    shown = ""
    for ref in ("LMA", "LMB", "LMC"):
        try:
            frame = score_parts.explain_practice(con, viewer, ref, "mathematics", as_of=TODAY)
            shown += frame.to_string()
        except BrokeringError as exc:
            shown += str(exc)
    return shown


def run_matrix(work: Path) -> MatrixReport:
    """Build the alliance in `work` and run every role x export x command (one store kept
    open for all of them, a cursor each, as the app would)."""
    from brokering.cli import main
    from brokering.store import open_store

    db = work / "leak.duckdb"
    build_store(db)
    cli_module = sys.modules[main.__module__]
    con = open_store(db)
    original = cli_module.open_store
    cli_module.open_store = lambda _path=None: con.cursor()
    report = MatrixReport()
    try:
        for username, (role, school) in ROLES.items():
            hidden = forbidden(role, school)
            runs: list[tuple[str, str]] = []
            for table in EXPORTS:
                out = work / f"{username}-{table}.csv"
                text = run_cli(db, ["--as", username, "export", table, "--out", str(out)])
                body = out.read_text(encoding="utf-8-sig") if out.exists() else ""
                runs.append((f"export {table}", text + body))
            for argv in COMMANDS:
                runs.append((" ".join(argv[:2]), run_cli(db, ["--as", username, *argv])))
            runs.append(("why this rank", why_this_rank(con, username)))
            for what, text in runs:
                report.checks += 1
                if "Traceback" in text:
                    report.leaks.append(f"{username} {what}: a traceback")
                leaked = sorted(ref for ref in hidden if ref in text)
                if leaked:
                    report.leaks.append(f"{username} {what}: {', '.join(leaked)}")
    finally:
        cli_module.open_store = original
        con.close()
    return report
