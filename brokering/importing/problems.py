"""What an import found: problems that refuse the batch, and notes that only inform."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field, replace

from brokering.settings import MAX_HELD_PROBLEMS, MAX_REPORTED_PROBLEMS


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


@dataclass(frozen=True)
class ProblemGroup:
    """The same thing wrong in many rows, said once: "'Class Teacher' is not allowed … — 51
    rows: lines 4, 7, …". A data manager fixes a file by kind of mistake, not row by row."""

    file: str
    column: str
    value: str
    message: str
    lines: tuple[int, ...]

    @property
    def count(self) -> int:
        return len(self.lines)

    def where(self, show: int = 12) -> str:
        """The rows, briefly: "51 rows: lines 4, 7, 9, …" (line 0 is the whole file)."""
        if self.lines == (0,):
            return "the whole file"
        listed = ", ".join(str(n) for n in self.lines[:show] if n)
        more = ", …" if self.count > show else ""
        rows = "1 row" if self.count == 1 else f"{self.count:,} rows"
        return f"{rows}: line{'s' if self.count > 1 else ''} {listed}{more}"

    def what(self) -> str:
        """The problem in one sentence, without the rows."""
        col = f"column {self.column}: " if self.column else ""
        val = f"'{self.value}' " if self.value else ""
        return f"{self.file}, {col}{val}{self.message}"

    def __str__(self) -> str:
        return f"{self.what()} — {self.where()}"


def group_problems(problems: Iterable[Problem]) -> list[ProblemGroup]:
    """Identical problems (same file, column, value and message) as one group with every
    line, the largest groups first, then in the order the file meets them. Who the row
    names is left out: the lines say where."""
    lines: dict[tuple[str, str, str, str], list[int]] = {}
    for p in problems:
        lines.setdefault((p.file, p.column, p.value, p.message), []).append(p.line)
    order = {key: i for i, key in enumerate(lines)}
    groups = [ProblemGroup(*key, tuple(sorted(set(found)))) for key, found in lines.items()]
    groups.sort(key=lambda g: (-g.count, order[(g.file, g.column, g.value, g.message)]))
    return groups


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

    def add(self, problem: Problem, limit: int | None = None) -> None:
        """Count the problem and hold it, up to `MAX_HELD_PROBLEMS` (the whole list a page
        offers as a download); `limit`, when given, holds fewer. Reports show the first
        `MAX_REPORTED_PROBLEMS` (`shown`) and say how many more there are."""
        locate = self._locators.get(problem.file)
        if locate is not None:
            file, line = locate(problem.line)
            problem = replace(problem, file=file, line=line)
        self.problem_count += 1
        self._refused_lines.setdefault(problem.file, set()).add(problem.line)
        if len(self.problems) < min(limit or MAX_HELD_PROBLEMS, MAX_HELD_PROBLEMS):
            self.problems.append(problem)

    @property
    def shown(self) -> list[Problem]:
        """The problems a report lists before it only counts the rest."""
        return self.problems[:MAX_REPORTED_PROBLEMS]

    @property
    def more_than_shown(self) -> bool:
        return self.problem_count > MAX_REPORTED_PROBLEMS

    def grouped(self) -> list[ProblemGroup]:
        """Every held problem, identical ones grouped with their count and lines."""
        return group_problems(self.problems)

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
            "problems": [asdict(p) for p in self.shown],
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
