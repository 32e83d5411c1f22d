"""`python -m brokering settings [show|set KEY VALUE]`: the alliance's own settings — reply-by
days, the quiet period, hours per release day, reminders on or off, the app's address — the
same ones the administrator's Settings page changes, validated the same way
(`brokering.alliance_settings`)."""

from __future__ import annotations

import argparse

from brokering import alliance_settings
from brokering.cli.common import emit
from brokering.db import Connection
from brokering.viewer import Viewer


def _shown(value: object) -> str:
    if value == "":
        return "(not set)"
    return f"{value:g}" if isinstance(value, float) else str(value)


def cmd_settings(args: argparse.Namespace, con: Connection, viewer: Viewer) -> int:
    if args.action == "set":
        if args.key is None or args.value is None:
            from brokering.errors import ValidationError

            raise ValidationError("Say which setting and its new value: settings set KEY VALUE.")
        value = alliance_settings.put(con, viewer, args.key, args.value)
        emit(
            args,
            {"ok": True, "name": args.key, "value": value},
            f"{alliance_settings.SETTINGS[args.key].label}: now {_shown(value)}.",
        )
        return 0
    rows = alliance_settings.current(con)
    lines = [
        f"{r['name']:<16} {_shown(r['value']):<10} {r['label']}"
        + ("" if r["is_default"] else f" (changed by {r['changed_by']})")
        for r in rows
    ]
    emit(
        args,
        {
            "ok": True,
            "settings": [
                {k: r[k] for k in ("name", "label", "value", "default", "is_default")} for r in rows
            ],
        },
        "\n".join(lines),
    )
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "settings",
        help="Show or change the alliance's settings (reply-by days, quiet period, hours per "
        "release day, reminders on/off, the app's address).",
    )
    p.add_argument("action", nargs="?", choices=("show", "set"), default="show")
    p.add_argument("key", nargs="?", help=f"One of: {', '.join(alliance_settings.SETTINGS)}.")
    p.add_argument("value", nargs="?", help="The new value (for set).")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_settings)
