"""What an import found: problems that refuse the batch, and notes that only inform."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field


@dataclass(frozen=True)
class Problem:
    """One thing wrong, precisely enough to fix it in the spreadsheet.

    `line` is the spreadsheet row (the header is line 1); 0 means the whole file. `who` names
    the person as the file did ("staff code JDO"), never by the stored pseudonym.
    """

    file: str
    line: int
    column: str
    value: str
    message: str
    who: str = ""

    def __str__(self) -> str:
        where = f"{self.file}, line {self.line}" if self.line else self.file
        where += f" ({self.who})" if self.who else ""
        col = f", column {self.column}" if self.column else ""
        val = f" '{self.value}'" if self.value else ""
        return f"{where}{col}:{val} {self.message}".replace(": ' ", ": ")


@dataclass
class TableOutcome:
    table: str
    file: str
    rows: int = 0
    added: int = 0
    updated: int = 0
    unchanged: int = 0


@dataclass
class ImportReport:
    files: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    problem_count: int = 0
    notes: list[str] = field(default_factory=list)
    outcomes: list[TableOutcome] = field(default_factory=list)
    strength_scale: str | None = None
    dry_run: bool = False
    applied: bool = False
    #: People held at one school and listed at another (applied only when accepted).
    moves: list[dict] = field(default_factory=list)
    #: What free-text cleaning took out: {"e-mail": n, "name": n}.
    removed: dict[str, int] = field(default_factory=dict)
    pseudonymised: bool = False
    #: Fuzzy readings to confirm once ("needs confirmation"); each also refuses the batch.
    questions: list[dict] = field(default_factory=list)
    #: Every value the batch changes in rows already held: table, key, column, before, after.
    changes: list[dict] = field(default_factory=list)
    #: The applied batch, for `undo` (None for a dry run or a refused batch).
    batch_id: int | None = None

    @property
    def ok(self) -> bool:
        return self.problem_count == 0

    def add(self, problem: Problem, limit: int) -> None:
        self.problem_count += 1
        if len(self.problems) < limit:
            self.problems.append(problem)

    def to_dict(self) -> dict:
        """The stable shape of `import --json` (documented in docs/CLI.md)."""
        return {
            "ok": self.ok,
            "applied": self.applied,
            "dry_run": self.dry_run,
            "strength_scale": self.strength_scale,
            "files": self.files,
            "tables": [asdict(o) for o in self.outcomes],
            "problem_count": self.problem_count,
            "problems": [asdict(p) for p in self.problems],
            "notes": self.notes,
            "pseudonymised": self.pseudonymised,
            "moves": self.moves,
            "removed": self.removed,
            "questions": self.questions,
            "batch_id": self.batch_id,
            "changes": self.changes,
        }
