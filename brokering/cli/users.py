"""`python -m brokering users ...`: the alliance administrator's account commands."""

from __future__ import annotations

import argparse
import getpass
import sys

from brokering import accounts
from brokering.cli.common import emit
from brokering.db import Connection
from brokering.viewer import ROLE_LABELS, Viewer


def _password(args: argparse.Namespace) -> str:
    if args.password_stdin:
        return sys.stdin.readline().rstrip("\n")
    return getpass.getpass("New password: ")


def cmd_users(args: argparse.Namespace, con: Connection, viewer: Viewer) -> int:
    if args.action == "list":
        frame = accounts.list_users(con, viewer)
        emit(
            args,
            frame.to_dict(orient="records"),
            frame.to_string(index=False) if not frame.empty else "No accounts yet.",
        )
    elif args.action == "add":
        acct = accounts.create_user(
            con, viewer, args.username, _password(args), args.role, args.school, args.email
        )
        print(
            f"Created {acct.username} ({ROLE_LABELS[acct.role]}"
            f"{', ' + acct.school_id if acct.school_id else ''})."
        )
    elif args.action in ("disable", "enable"):
        accounts.set_disabled(con, viewer, args.username, args.action == "disable")
        print(f"{args.username}: {args.action}d.")
    elif args.action == "password":
        accounts.set_password(con, viewer, args.username or viewer.username, _password(args))
        print(f"{args.username or viewer.username}: password changed.")
    elif args.action == "role":
        accounts.set_role(con, viewer, args.username, args.role, args.school)
        print(f"{args.username}: now {ROLE_LABELS[args.role]}.")
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "users", help="List, add, disable/enable accounts, set a password or change a role."
    )
    p.add_argument("action", choices=["list", "add", "disable", "enable", "password", "role"])
    p.add_argument("username", nargs="?", default="")
    p.add_argument("--role", choices=list(ROLE_LABELS), default="senior_leader")
    p.add_argument("--school", help="School id (not for alliance-wide roles).")
    p.add_argument("--email", help="Email for single sign-on (OIDC) mapping.")
    p.add_argument(
        "--password-stdin",
        action="store_true",
        help="Read the password from standard input instead of prompting.",
    )
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_users)
