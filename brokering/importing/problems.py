"""What an import found: problems that refuse the batch, and notes that only inform."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass, field, replace


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
class FileRows:
    """Every data row read from a file is valid or refused: read == valid + refused. A file
    refused whole (not a table, a zip bomb…) has read == 0 and `whole_file` set."""

    file: str
    table: str | None
    read: int = 0
    refused: int = 0
    whole_file: bool = False

    @property
    def valid(self) -> int:
        return self.read - self.refused


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
    #: Answers in a consent-only file from nobody held: {"file", "line", "who", "message"};
    #: left out (nothing written for them), the rest of the file applied.
    unmatched: list[dict] = field(default_factory=list)
    #: What free-text cleaning took out: {"e-mail": n, "name": n}.
    removed: dict[str, int] = field(default_factory=dict)
    pseudonymised: bool = False
    #: Fuzzy readings to confirm once ("needs confirmation"); each also refuses the batch.
    questions: list[dict] = field(default_factory=list)
    #: Every value the batch changes in rows already held: table, key, column, before, after.
    changes: list[dict] = field(default_factory=list)
    #: The applied batch, for `undo` (None for a dry run or a refused batch).
    batch_id: int | None = None
    rows: list[FileRows] = field(default_factory=list)
    _refused_lines: dict[str, set[int]] = field(default_factory=dict, repr=False)
    #: Several files staged as one table: their joint label -> (file, line) of a stored line.
    _locators: dict[str, Callable[[int], tuple[str, int]]] = field(default_factory=dict, repr=False)

    @property
    def ok(self) -> bool:
        return self.problem_count == 0

    def locate_lines(self, label: str, locate: Callable[[int], tuple[str, int]]) -> None:
        """Problems reported against `label` (several files staged as one table) are
        given back their own file and line as they are added, whoever adds them."""
        self._locators[label] = locate

    def add(self, problem: Problem, limit: int) -> None:
        locate = self._locators.get(problem.file)
        if locate is not None:
            file, line = locate(problem.line)
            problem = replace(problem, file=file, line=line)
        self.problem_count += 1
        self._refused_lines.setdefault(problem.file, set()).add(problem.line)
        if len(self.problems) < limit:
            self.problems.append(problem)

    def count_rows(self, file: str, table: str | None, read: int, first_line: int) -> None:
        """Record what was read from `file` (data rows start after line `first_line` - 1);
        call after every problem of the file has been added."""
        lines = self._refused_lines.get(file, set())
        whole = any(line < first_line for line in lines)
        refused = read if whole else sum(1 for line in lines if line >= first_line)
        self.rows.append(FileRows(file, table, read, min(refused, read), whole or read == 0))

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
            "unmatched": self.unmatched,
            "removed": self.removed,
            "questions": self.questions,
            "batch_id": self.batch_id,
            "changes": self.changes,
            "rows": [asdict(r) | {"valid": r.valid} for r in self.rows],
        }
