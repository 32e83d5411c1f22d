"""Who is acting. Every read of staff data takes a Viewer; sign-in only fills it in.

Roles follow the access issue: alliance administrator (the data manager), SLE coordinator,
headteacher, senior leader, and viewer (governors: aggregates only). Every role but the
alliance-wide ones belongs to one school.
"""

from __future__ import annotations

from dataclasses import dataclass

from brokering.errors import PermissionDenied, ValidationError

ROLE_LABELS: dict[str, str] = {
    "alliance_admin": "Alliance administrator",
    "sle_coordinator": "SLE coordinator",
    "headteacher": "Headteacher",
    "senior_leader": "Senior leader",
    "viewer": "Viewer (aggregates only)",
}
ALLIANCE_WIDE_ROLES = frozenset({"alliance_admin", "sle_coordinator", "viewer"})
AGGREGATE_ONLY_ROLES = frozenset({"viewer"})


@dataclass(frozen=True)
class Viewer:
    """The acting user: role, school (None for alliance-wide roles) and a name for the audit."""

    role: str
    school_id: str | None = None
    username: str = "operator"

    def __post_init__(self) -> None:
        if self.role not in ROLE_LABELS:
            raise ValidationError(
                f"Unknown role '{self.role}'. Use one of: {', '.join(ROLE_LABELS)}."
            )
        if self.role not in ALLIANCE_WIDE_ROLES and not self.school_id:
            raise ValidationError(f"A {ROLE_LABELS[self.role].lower()} must belong to a school.")

    @property
    def sees_everyone(self) -> bool:
        """The alliance administrator loads the data and so may see every pseudonymous row."""
        return self.role == "alliance_admin"

    @property
    def aggregate_only(self) -> bool:
        return self.role in AGGREGATE_ONLY_ROLES

    def require_listing(self) -> None:
        """Refuse person-level lists to aggregate-only roles."""
        if self.aggregate_only:
            raise PermissionDenied(
                "Your role sees alliance figures only, not lists of individual staff."
            )


def operator(username: str = "operator") -> Viewer:
    """The command line's default actor: the alliance administrator (CONTRACT: Who acts)."""
    return Viewer(role="alliance_admin", school_id=None, username=username)
