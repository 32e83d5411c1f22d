"""Commands for the inbox: `inbox` (what waits for a user), `reoffer` (ask the next
candidate after a request lapsed or was declined) and `send-reminders` (the daily e-mail)."""

from __future__ import annotations

import argparse
from datetime import date

from brokering.cli.common import emit, iso_date
from brokering.db import Connection
from brokering.errors import NotFoundError
from brokering.inbox import build_inbox, reminders
from brokering.matching import batches, lapse
from brokering.viewer import Viewer

#: `inbox --json` keys (pinned by a test; documented in docs/CLI.md).
ITEM_KEYS = ["kind", "id", "state", "title", "due", "school_id", "page"]


def cmd_inbox(args: argparse.Namespace, con: Connection, viewer: Viewer) -> int:
    box = build_inbox(con, viewer, as_of=args.as_of)
    lines = [f"{box.count} item(s) wait for {viewer.username} on {box.as_of:%d %B %Y}."]
    for item in box.items:
        due = f" (reply by {item.due:%d %b})" if item.due and item.kind.startswith("req") else ""
        lines.append(f"  {item.kind:<18} {item.id:<8} {item.state:<12} {item.title}{due}")
    emit(
        args,
        {
            "ok": True,
            "user": viewer.username,
            "as_of": box.as_of.isoformat(),
            "count": box.count,
            "counts": box.counts(),
            "items": [item.to_dict() for item in box.items],
        },
        "\n".join(lines),
    )
    return 0


def cmd_reoffer(args: argparse.Namespace, con: Connection, viewer: Viewer) -> int:
    req = lapse.reoffer(con, viewer, args.request_id, as_of=args.as_of or date.today())
    emit(
        args,
        {
            "ok": True,
            "request": {k: str(v) if isinstance(v, date) else v for k, v in vars(req).items()},
        },
        f"Request #{req.request_id} sent to {req.coach_school_id} for {req.coach_ref} "
        f"(after request #{args.request_id}).",
    )
    return 0


def cmd_send_reminders(args: argparse.Namespace, con: Connection, viewer: Viewer) -> int:
    """For a scheduler (cron, Windows Task Scheduler): today's digests, once a day each."""
    viewer.require_listing()
    if viewer.role != "alliance_admin":
        from brokering.errors import PermissionDenied

        raise PermissionDenied("Reminders are sent by the alliance administrator's account.")
    from brokering import alliance_settings

    switched_on = alliance_settings.is_on(con, "reminders")
    done = reminders.send_reminders(con, as_of=args.as_of, dry_run=args.dry_run)
    verb = "would be sent" if args.dry_run else "sent"
    if not switched_on:
        verb += (
            " (reminders are switched off in the alliance settings: "
            "`python -m brokering settings set reminders on`)"
        )
    emit(
        args,
        {
            "ok": True,
            "dry_run": args.dry_run,
            "reminders": [
                {"username": d.username, "waiting": d.waiting, "lapsing_soon": d.lapsing_soon}
                for d in done
            ],
        },
        "\n".join(
            [f"{len(done)} reminder(s) {verb}."]
            + [f"  {d.username}: {d.waiting} waiting, {d.lapsing_soon} lapsing soon" for d in done]
        ),
    )
    return 0


def cmd_batch(args: argparse.Namespace, con: Connection, viewer: Viewer) -> int:
    """Allocation batches and what became of their requests."""
    frame = batches.list_batches(con, viewer, as_of=args.as_of)
    if args.batch_id:
        frame = frame[frame["batch_id"] == args.batch_id]
        if frame.empty:
            raise NotFoundError(f"There is no allocation batch '{args.batch_id}'.")
    out = []
    for row in frame.to_dict("records"):
        item = {"batch_id": row["batch_id"], "sent_at": str(row["sent_at"])}
        item |= {k: int(row[k]) for k in batches.COUNTS}
        if args.batch_id:
            reqs = batches.batch_requests(con, viewer, args.batch_id, as_of=args.as_of)
            item["requests"] = [
                {
                    "request_id": int(r.request_id),
                    "need_id": r.need_id,
                    "coach_ref": r.coach_ref,
                    "status": r.status,
                    "reason": r.reason,
                    "followed_by": None if r.followed_by != r.followed_by else int(r.followed_by),
                }
                for r in reqs.itertuples()
            ]
        out.append(item)
    lines = [
        f"{b['batch_id']}: {b['sent']} sent — {b['pending']} waiting, {b['accepted']} accepted, "
        f"{b['declined']} declined, {b['lapsed']} lapsed, {b['reoffered']} re-offered"
        for b in out
    ] or ["No allocation has been sent yet."]
    emit(args, {"ok": True, "batches": out}, "\n".join(lines))
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "inbox", help="What waits for you (or --as USER): requests, pairings, needs."
    )
    p.add_argument("--as-of", type=iso_date, help="As of this date (default today).")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_inbox)

    p = sub.add_parser(
        "reoffer", help="Ask the next candidate after a request lapsed or was declined."
    )
    p.add_argument("request_id", type=int)
    p.add_argument("--as-of", type=iso_date, help="As of this date (default today).")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_reoffer)

    p = sub.add_parser(
        "send-reminders",
        help="E-mail today's digest of what waits to each account with an address.",
    )
    p.add_argument("--dry-run", action="store_true", help="Work them out; send nothing.")
    p.add_argument("--as-of", type=iso_date, help="As of this date (default today).")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_send_reminders)

    p = sub.add_parser(
        "allocation-batch", help="What became of each committed allocation's requests."
    )
    p.add_argument("batch_id", nargs="?", help="One batch, with its requests.")
    p.add_argument("--as-of", type=iso_date, help="As of this date (default today).")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_batch)
