"""`python -m brokering init --admin NAME`: start an empty store for a real alliance, with
one administrator and no demo. The password is asked for (twice), or read from an
environment variable for scripts (`--password-env`, default BROKERING_ADMIN_PASSWORD)."""

from __future__ import annotations

import argparse
import getpass
import os
import sys

from brokering import accounts, audit
from brokering.db import Connection
from brokering.errors import ValidationError
from brokering.store import is_fresh
from brokering.viewer import Viewer, operator

PASSWORD_ENV = "BROKERING_ADMIN_PASSWORD"


def _password(env: str) -> str:
    if os.environ.get(env):
        return os.environ[env]
    if not sys.stdin.isatty():
        raise ValidationError(
            f"No password: set {env} in the environment, or run init in a terminal to type one."
        )
    first = getpass.getpass("Password for the administrator: ")
    if first != getpass.getpass("The same password again: "):
        raise ValidationError("The two passwords differ; nothing was created.")
    return first


def cmd_init(args: argparse.Namespace, con: Connection, viewer: Viewer) -> int:
    from brokering.cli import emit

    if not is_fresh(con):
        raise ValidationError(
            "This database already holds an alliance, accounts or imports; init starts an "
            "empty one. Give a new file with --db (or init-demo for the demo)."
        )
    actor = operator("init")
    account = accounts.create_user(
        con, actor, args.admin, _password(args.password_env), "alliance_admin"
    )
    audit.record(con, actor, "init", {"administrator": account.username})
    emit(
        args,
        {"ok": True, "administrator": account.username},
        f"An empty alliance store is ready, with administrator '{account.username}' and no "
        "demo. Next: import your schools and staff (python -m brokering import FILE...).",
    )
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("init", help="Start an empty store for a real alliance (no demo).")
    p.add_argument("--admin", required=True, metavar="NAME", help="The administrator's username.")
    p.add_argument(
        "--password-env",
        default=PASSWORD_ENV,
        metavar="VAR",
        help=f"Read the password from this environment variable (default {PASSWORD_ENV}).",
    )
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_init)
