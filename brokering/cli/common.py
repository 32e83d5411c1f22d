"""What every command module shares: how options are read and how answers are printed.

Exit status: 0 success, 1 a plain error, 2 rows rejected by an import, 3 an ambiguous or
unmatched query (CONTRACT: Stable JSON).
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable
from datetime import date
from typing import Any

from brokering.db import Connection
from brokering.viewer import Viewer

Handler = Callable[[argparse.Namespace, Connection, Viewer], int]


def iso_date(text: str) -> date:
    """argparse type for YYYY-MM-DD options."""
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"'{text}' is not a date (YYYY-MM-DD)") from exc


def fraction(meaning: str) -> Callable[[str], float]:
    """argparse type for a number from 0 to 1; `meaning` says what it is when refused."""

    def read(text: str) -> float:
        try:
            value = float(text)
        except ValueError as exc:
            raise argparse.ArgumentTypeError(f"'{text}' is not a number") from exc
        if not 0.0 <= value <= 1.0:
            raise argparse.ArgumentTypeError(f"{meaning} is a fraction from 0 to 1")
        return value

    return read


def emit(args: argparse.Namespace, payload: Any, text: str) -> None:
    """Print JSON when --json was asked for, else the human text."""
    if getattr(args, "json", False):
        print(json.dumps(payload, indent=2, default=str, sort_keys=False))
    else:
        print(text)
