"""Opening the alliance's store ready for use: migrated, taxonomy in step with the CSV,
and the demo alliance, built only when someone asks for it: from the app's first-run
choice on an empty store, or by the administrator's `init-demo`."""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from brokering import audit, permissions
from brokering.accounts import any_account, create_demo_accounts
from brokering.db import Connection, connect, transaction
from brokering.errors import PermissionDenied, ValidationError
from brokering.find.maintenance import after_import
from brokering.importing import ImportReport, import_paths
from brokering.taxonomy import sync_taxonomy
from brokering.viewer import Viewer, operator

Progress = Callable[[float, str], None]
#: Who the audit names when a first visitor asks for the demo (no account exists yet).
FIRST_VISITOR = Viewer(role="viewer", username="(first visit)")


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


@dataclass(frozen=True)
class FirstRun:
    """What an app visitor may start with on this store: the demo (an empty store with no
    account at all) and/or a first administrator (no account yet)."""

    offer_demo: bool
    offer_first_admin: bool


def first_run(con: Connection) -> FirstRun:
    no_accounts = not any_account(con)
    return FirstRun(offer_demo=no_accounts and is_empty(con), offer_first_admin=no_accounts)


def build_first_run_demo(con: Connection, progress: Progress | None = None) -> ImportReport:
    """ "Explore the demo" from the app: only on an empty store without any account, so a
    visitor can never lay the demo (and its published password) over a real alliance."""
    if not first_run(con).offer_demo:
        audit.record(con, FIRST_VISITOR, "demo.refused", {"reason": "store in use"})
        raise PermissionDenied("This alliance is already set up: sign in instead.")
    audit.record(con, FIRST_VISITOR, "demo.build", {"replaced": False})
    return build_demo(con, progress=progress)


def init_demo(
    con: Connection, actor: Viewer, force: bool = False, progress: Progress | None = None
) -> ImportReport:
    """The command line's `init-demo`: the administrator's alone, audited whether refused or
    done; replacing a loaded alliance (consent records included) needs `force`."""
    if not permissions.can(actor, "init_demo"):
        audit.record(con, actor, "demo.refused", {"reason": "not the administrator"})
        raise PermissionDenied("Only the alliance administrator may build the demo alliance.")
    loaded = not is_fresh(con)
    if loaded and not force:
        raise ValidationError(
            "The database already holds an alliance. Use --force to replace it with the demo."
        )
    audit.record(con, actor, "demo.build", {"replaced": loaded})
    if not is_empty(con):
        clear_alliance_data(con)
    return build_demo(con, progress=progress)


def clear_alliance_data(con: Connection) -> None:
    """Remove every alliance row (init-demo --force); the taxonomy, accounts and audit
    stay. Children first, so nothing is left pointing at removed staff."""
    with transaction(con):
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


def build_demo(
    con: Connection,
    as_of: date | None = None,
    progress: Progress | None = None,
) -> ImportReport:
    """Generate the demo alliance's CSV files and load them through the real importer; the
    demo accounts are added only while no real account exists."""
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
