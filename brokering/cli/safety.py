"""`python -m brokering audit verify`, `backup`, `restore`, `consent` and `robustness`: the
operator's safety commands (docs/OPERATIONS.md)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from brokering import audit, backup
from brokering.cli.common import emit, iso_date
from brokering.db import Connection, connect, default_db_path
from brokering.errors import DatabaseLockedError, PermissionDenied, StoreError, ValidationError
from brokering.pseudonymise import alliance_key, new_key, school_key
from brokering.sharing import open_with_wait, operator_wait
from brokering.viewer import Viewer, operator


def _db_path(args: argparse.Namespace) -> Path:
    return Path(args.db) if args.db else default_db_path()


def cmd_backup(args: argparse.Namespace, con: Connection, viewer: Viewer) -> int:
    if not viewer.sees_everyone:
        raise PermissionDenied("Only the alliance administrator makes backups.")
    out = Path(args.out)
    audit.record(con, viewer, "backup", {"file": out.name})
    manifest = backup.make_backup(con, _db_path(args), out)
    rows = sum(int(t["rows"]) for t in manifest["tables"].values())
    emit(
        args,
        {"ok": True, "backup": str(out), **manifest},
        f"Backup written to {out} and checked: {len(manifest['tables'])} tables, {rows:,} rows "
        f"match the store (manifest: {out}.manifest.json).",
    )
    return 0


def cmd_restore(args: argparse.Namespace, con: None, viewer: Viewer) -> int:
    if args.as_user:
        raise ValidationError("A restore is the operator's own act: run it without --as.")
    db = _db_path(args)
    manifest = backup.check_backup(Path(args.backup))
    # Wait for the app to let go of the store; a damaged store is exactly what gets replaced.
    try:
        open_with_wait(lambda: connect(db), operator_wait()).close()
    except DatabaseLockedError:
        raise
    except StoreError:
        pass
    kept = backup.restore_backup(Path(args.backup), db)
    restored = connect(db)
    try:
        audit.record(
            restored,
            operator(),
            "restore",
            {"file": Path(args.backup).name, "made_at": manifest.get("made_at")},
        )
    finally:
        restored.close()
    emit(
        args,
        {"ok": True, "restored": str(args.backup), "kept": str(kept) if kept else None},
        f"Store restored from {args.backup} and checked against its manifest."
        + (f" The store it replaced is kept as {kept}." if kept else ""),
    )
    return 0


def cmd_audit(args: argparse.Namespace, con: Connection, viewer: Viewer) -> int:
    viewer_may = viewer.sees_everyone
    if not viewer_may:
        emit(
            args,
            {"ok": False, "error": "Only the alliance administrator checks the trail."},
            "error: only the alliance administrator checks the audit trail.",
        )
        return 1
    result = audit.verify(con, expect=args.expect)
    lines = [
        f"Audit trail: {result.entries} entries"
        + (f" ({result.unchained} from before the chain began)" if result.unchained else ""),
    ]
    if result.ok:
        lines.append(
            "Every chained entry follows from the one before: nothing edited, inserted or deleted."
        )
    else:
        lines.append(f"TAMPERING FOUND: {len(result.problems)} problem(s)")
        lines += [f"  {p}" for p in result.problems[:50]]
    if result.head_hash:
        lines.append(
            f"Head: entry {result.head_id}, {result.head_hash} (note it elsewhere; "
            "`audit verify --expect HASH` checks it later)"
        )
    emit(args, result.to_dict(), "\n".join(lines))
    return 0 if result.ok else 1


def cmd_new_key(args: argparse.Namespace, con: None, viewer: Viewer) -> int:
    print(
        "A new alliance secret follows. Set it as BROKERING_PSEUDONYM_KEY where imports run; "
        "keep it out of the repository, e-mail and exported files.",
        file=sys.stderr,
    )
    print(new_key())
    return 0


def cmd_school_key(args: argparse.Namespace, con: None, viewer: Viewer) -> int:
    key = school_key(alliance_key(), args.school)
    print(
        f"School {args.school.strip().upper()}'s own key follows. Give it to that school only "
        "(as BROKERING_SCHOOL_KEY for `pseudonyms`); it opens that school's lookup and no "
        "other's.",
        file=sys.stderr,
    )
    print(key)
    return 0


def cmd_robustness(args: argparse.Namespace, con: None, viewer: Viewer) -> int:
    from brokering import robustness

    if args.trials < 1:
        raise ValidationError("Run at least one kill trial.")
    print(
        f"Running {args.trials} kill trials, the leak matrix, the payload and audit checks "
        "(a few minutes)…",
        file=sys.stderr,
    )
    figures = robustness.measure(trials=args.trials, pages=not args.no_pages)
    good = robustness.all_good(figures)
    emit(args, {"ok": good, **figures}, robustness.render(figures))
    return 0 if good else 1


def cmd_consent(args: argparse.Namespace, con: Connection, viewer: Viewer) -> int:
    from brokering import consent

    if args.consent_command == "set":
        given = args.value == "yes"
        consent.set_consent(con, viewer, args.staff_ref, given, on=args.date)
        emit(
            args,
            {"ok": True, "staff_ref": args.staff_ref, "share_consent": given},
            f"{args.staff_ref}: consent {'given' if given else 'withdrawn'}"
            + ("" if given else " (an import can no longer give it back)")
            + ".",
        )
    elif args.consent_command == "list":
        frame = consent.own_school_consent(con, viewer)
        emit(
            args,
            frame.to_dict(orient="records"),
            frame.to_string(index=False) if not frame.empty else "Nobody on record.",
        )
    else:
        frame = consent.consent_history(con, viewer, args.staff_ref)
        emit(
            args,
            frame.to_dict(orient="records"),
            frame.to_string(index=False) if not frame.empty else "No consent recorded.",
        )
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("consent", help="Record, list or trace consent to alliance sharing.")
    csub = p.add_subparsers(dest="consent_command", required=True)
    q = csub.add_parser("set", help="Give or withdraw one person's consent.")
    q.add_argument("staff_ref")
    q.add_argument("value", choices=["yes", "no"])
    q.add_argument("--date", type=iso_date, help="When it was given or withdrawn (today).")
    q.add_argument("--json", action="store_true")
    q = csub.add_parser("list", help="Consent of your school's staff (every school: admin).")
    q.add_argument("--json", action="store_true")
    q = csub.add_parser("history", help="Every consent change for one person.")
    q.add_argument("staff_ref")
    q.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_consent)

    p = sub.add_parser("robustness", help="Measure crash, leak, payload and audit figures.")
    p.add_argument("--trials", type=int, default=200, help="Kill trials to run (default 200).")
    p.add_argument(
        "--no-pages", action="store_true", help="Skip the leak matrix over the app's pages."
    )
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_robustness, without_store=True)

    p = sub.add_parser("new-key", help="Make a random alliance secret.")
    p.set_defaults(handler=cmd_new_key, without_store=True)

    p = sub.add_parser("school-key", help="The key one school uses to make its lookup.")
    p.add_argument("school", help="The school's id.")
    p.set_defaults(handler=cmd_school_key, without_store=True)

    p = sub.add_parser("backup", help="Checkpoint, copy and check the store (with a manifest).")
    p.add_argument("out", help="The backup file to write (must not exist yet).")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_backup)

    p = sub.add_parser("restore", help="Replace the store with a checked backup.")
    p.add_argument("backup", help="A backup file made by the backup command.")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_restore, without_store=True, claims_store=True)

    p = sub.add_parser("audit", help="Check the audit trail's hash chain.")
    asub = p.add_subparsers(dest="audit_command", required=True)
    q = asub.add_parser("verify", help="Find any entry edited, inserted or deleted.")
    q.add_argument("--expect", help="A head hash noted earlier, which must still be there.")
    q.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_audit)
