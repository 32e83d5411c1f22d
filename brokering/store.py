"""Opening the alliance's store ready for use: migrated, taxonomy in step with the CSV,
and — for the app's first run — the demo alliance built if the store is empty."""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from datetime import date
from pathlib import Path

from brokering.accounts import create_demo_accounts
from brokering.db import Connection, connect
from brokering.find.maintenance import after_import
from brokering.importing import ImportReport, import_paths
from brokering.taxonomy import sync_taxonomy
from brokering.viewer import operator


def open_store(path: Path | str | None = None) -> Connection:
    con = connect(path)
    sync_taxonomy(con)
    return con


def is_empty(con: Connection) -> bool:
    return int(con.execute("SELECT count(*) FROM schools").fetchall()[0][0]) == 0


def is_fresh(con: Connection) -> bool:
    """Nothing at all yet: no schools, no accounts, no import tried. Only a fresh store may
    have the demo built into it; one started with `init --admin` holds a real alliance."""
    return (
        int(
            con.execute(
                "SELECT (SELECT count(*) FROM schools) + (SELECT count(*) FROM users) "
                "+ (SELECT count(*) FROM imports)"
            ).fetchall()[0][0]
        )
        == 0
    )


def clear_alliance_data(con: Connection) -> None:
    """Remove every alliance row (init-demo --force); the taxonomy, accounts and audit
    stay. Children first, so nothing is left pointing at removed staff."""
    con.execute("BEGIN TRANSACTION")
    for table in (
        "pairing_entries",
        "pairing_participants",
        "pairing_versions",
        "match_requests",
        "need_events",
        "maturity_judgements",
        "evidence",
        "coaching",
        "needs",
        "consent_events",
        "staff",
        "schools",
    ):
        con.execute(f"DELETE FROM {table}")  # noqa: S608 - fixed names
    con.execute("COMMIT")


def build_demo(
    con: Connection,
    as_of: date | None = None,
    progress: Callable[[float, str], None] | None = None,
) -> ImportReport:
    """Generate the demo alliance's CSV files and load them through the real importer."""
    from brokering.demo import DEMO_AS_OF, DEMO_SEED, write_demo_csvs
    from brokering.demo.pairings import write_demo_pairings

    step = progress or (lambda _f, _m: None)
    with tempfile.TemporaryDirectory(prefix="brokering-demo-") as tmp:
        step(0.1, "Writing the demo alliance's files…")
        write_demo_csvs(Path(tmp), as_of=as_of or DEMO_AS_OF)
        write_demo_pairings(Path(tmp), as_of or DEMO_AS_OF, DEMO_SEED)
        step(0.4, "Checking and loading them through the importer…")
        report = import_paths(
            con,
            [Path(tmp)],
            operator("demo-builder"),
            strength_scale="4-best",
            today=as_of or DEMO_AS_OF,
        )
    if report.ok:
        step(0.8, "Laying the store out for fast searches…")
        after_import(con, report.applied)
        step(0.9, "Creating the demo accounts…")
        create_demo_accounts(con)
    step(1.0, "Demo alliance ready.")
    return report
