"""The operator's command line, one module per capability (`data`, `find`, `match`,
`pairings`, `users`, `pseudonyms`, …), each registering its own commands."""

from brokering.cli.common import emit, fraction, iso_date
from brokering.cli.main import build_parser, main

__all__ = ["build_parser", "emit", "fraction", "iso_date", "main"]
