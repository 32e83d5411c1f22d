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

import pandas as pd

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


def plain(value: Any) -> Any:
    """JSON-friendly scalars: NaN/NaT -> None, numpy -> Python, timestamps -> ISO text (a
    date alone when there is no time of day)."""
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    if value is pd.NaT:
        return None
    if isinstance(value, pd.Timestamp):
        if value == value.normalize():
            return value.date().isoformat()
        return value.isoformat(timespec="seconds")
    if hasattr(value, "tolist"):
        value = value.tolist()
        if isinstance(value, list):
            return [plain(v) for v in value]
    if isinstance(value, float) and value != value:
        return None
    return value


def records(frame: pd.DataFrame, columns: list[str]) -> list[dict[str, Any]]:
    """The rows of `frame` as JSON objects with exactly `columns`, in that order."""
    return [
        {c: plain(v) for c, v in zip(columns, row, strict=True)}
        for row in frame[columns].itertuples(index=False)
    ]
