"""The project's own exceptions.

Pages and the command line show `str(error)` to a school leader, so every message here is
written for them: what went wrong and what to do next, never a driver traceback.
"""

from __future__ import annotations


class BrokeringError(Exception):
    """Base for every error a user may see."""


class DatabaseLockedError(BrokeringError):
    """Another process holds the DuckDB file (DuckDB allows one writer process)."""


class StoreError(BrokeringError):
    """A database operation failed; wraps duckdb.Error with a plain message."""


class NotFoundError(BrokeringError):
    """A reference (school, staff, need, pairing) that the store does not hold."""


class ValidationError(BrokeringError):
    """Input that breaks a rule; the message says which rule and how to fix it."""


class PermissionDenied(BrokeringError):
    """The acting viewer may not see or do this."""


class AmbiguousQuery(BrokeringError):
    """Free text that matches several skills, or none confidently."""

    def __init__(self, message: str, suggestions: list[str]) -> None:
        super().__init__(message)
        self.suggestions = suggestions
