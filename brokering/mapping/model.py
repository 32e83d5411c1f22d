"""A column mapping as data, and its JSON form (stable: scripts write and edit it).

```json
{"format": "brokering-mapping/1",
 "files": [{"file": "Staff Details.csv", "sheet": null, "header_row": 3, "table": "staff",
            "school": "SCH01", "source": "SIMS staff details",
            "columns": {"Staff Code": "staff_ref", "Forename": "drop", "Email": "hash"},
            "constants": {"school_id": "SCH01"},
            "values": {"role": {"Class Teacher": "teacher"}},
            "dropped": ["Forename"], "unresolved": []}],
 "complete": true}
```
A column's target is a template column of the file's table, `drop` (never read) or `hash`
(an identifier — e-mail or payroll number — kept only as a keyed hash). `unresolved` lists
what a person must still decide; a mapping with anything unresolved is not imported.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

from brokering.errors import ValidationError
from brokering.importing.spec import TABLES

FORMAT = "brokering-mapping/1"
DROP = "drop"
HASH = "hash"


@dataclass
class Unresolved:
    """One thing a person must decide: a required `column` with no file column, a fuzzy
    reading to `confirm`, a `value` no map can place, or the file's `school`."""

    kind: str
    target: str
    message: str
    choices: list[str] = field(default_factory=list)
    column: str = ""
    value: str = ""


@dataclass
class FileMapping:
    file: str
    table: str
    sheet: str | None = None
    header_row: int = 1
    school: str | None = None
    source: str = ""
    columns: dict[str, str] = field(default_factory=dict)
    constants: dict[str, str] = field(default_factory=dict)
    values: dict[str, dict[str, str]] = field(default_factory=dict)
    unresolved: list[Unresolved] = field(default_factory=list)

    @property
    def dropped(self) -> list[str]:
        return [c for c, t in self.columns.items() if t == DROP]

    def to_dict(self) -> dict:
        d = asdict(self)
        d["dropped"] = self.dropped
        return {
            k: d[k]
            for k in (
                "file",
                "sheet",
                "header_row",
                "table",
                "school",
                "source",
                "columns",
                "constants",
                "values",
                "dropped",
                "unresolved",
            )
        }

    @classmethod
    def from_dict(cls, d: dict, where: str = "the mapping") -> FileMapping:
        if not isinstance(d, dict):
            raise ValidationError(f"{where}: each entry of 'files' must be an object.")
        name = d.get("file")
        if not isinstance(name, str) or not name:
            raise ValidationError(f"{where}: an entry of 'files' has no 'file' name.")
        table = d.get("table")
        if table not in TABLES:
            raise ValidationError(
                f"{where}, {name}: 'table' must be one of {', '.join(TABLES)} (found {table!r})."
            )
        fm = cls(
            file=name,
            table=table,
            sheet=d.get("sheet"),
            header_row=int(d.get("header_row") or 1),
            school=d.get("school"),
            source=str(d.get("source") or ""),
            columns=_str_map(d.get("columns"), f"{where}, {name}, columns"),
            constants=_str_map(d.get("constants"), f"{where}, {name}, constants"),
            values={
                str(col): _str_map(m, f"{where}, {name}, values of {col}")
                for col, m in (d.get("values") or {}).items()
            },
            unresolved=[
                Unresolved(**{k: u[k] for k in u if k in Unresolved.__dataclass_fields__})
                for u in d.get("unresolved") or []
            ],
        )
        fm.check(where)
        return fm

    def check(self, where: str = "the mapping") -> None:
        """Refuse targets that are not columns of the table, a column named twice, and
        value maps that contradict themselves (one value, two meanings)."""
        names = set(TABLES[self.table].names)
        seen: dict[str, str] = {}
        for column, target in self.columns.items():
            if target in (DROP, HASH):
                continue
            if target not in names:
                raise ValidationError(
                    f"{where}, {self.file}: column '{column}' maps to '{target}', which is not "
                    f"a column of {self.table} (use one of its columns, drop or hash)."
                )
            if target in seen:
                raise ValidationError(
                    f"{where}, {self.file}: columns '{seen[target]}' and '{column}' both map "
                    f"to {target}; map one of them and drop the other."
                )
            seen[target] = column
        for target in self.constants:
            if target not in names:
                raise ValidationError(
                    f"{where}, {self.file}: the fixed value for '{target}' is not for a column "
                    f"of {self.table}."
                )
            if target in seen:
                raise ValidationError(
                    f"{where}, {self.file}: {target} is both read from column '{seen[target]}' "
                    "and given a fixed value; keep one."
                )
        for target, vmap in self.values.items():
            folded: dict[str, str] = {}
            for raw, val in vmap.items():
                key = " ".join(raw.lower().split())
                if key in folded and folded[key] != val:
                    raise ValidationError(
                        f"{where}, {self.file}: the value map for {target} reads '{raw}' as "
                        f"both '{folded[key]}' and '{val}'; keep one."
                    )
                folded[key] = val

    def targets(self) -> dict[str, str]:
        """Template column -> file column, for the columns read from the file."""
        return {t: c for c, t in self.columns.items() if t not in (DROP, HASH)}


@dataclass
class Mapping:
    files: list[FileMapping] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        return all(not f.unresolved for f in self.files)

    def tag_schools(self, schools: dict[str, str], default: str | None = None) -> None:
        """Say whose files these are (a file's own entry first, then `default`): answers a
        "school" question and fills school_id where the file has no school column."""
        for fm in self.files:
            school = schools.get(fm.file, default)
            if not school or fm.table == "schools":
                continue
            fm.school = school
            fm.unresolved = [
                u
                for u in fm.unresolved
                if not (u.kind == "school" or (u.kind == "column" and u.target == "school_id"))
            ]
            if "school_id" in TABLES[fm.table].names and "school_id" not in fm.targets():
                fm.constants["school_id"] = school

    def for_file(self, name: str) -> FileMapping | None:
        for f in self.files:
            if f.file == name:
                return f
        return None

    def to_dict(self) -> dict:
        return {
            "format": FORMAT,
            "files": [f.to_dict() for f in self.files],
            "complete": self.complete,
        }

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2, ensure_ascii=False)

    @classmethod
    def from_dict(cls, d: dict, where: str = "the mapping") -> Mapping:
        if not isinstance(d, dict) or d.get("format") != FORMAT:
            raise ValidationError(
                f"{where} is not a column mapping (its 'format' must be '{FORMAT}'); make one "
                "with: python -m brokering mapping propose FILE --out MAP.json"
            )
        files = [FileMapping.from_dict(f, where) for f in d.get("files") or []]
        names = [f.file for f in files]
        if len(set(names)) != len(names):
            raise ValidationError(f"{where} names the same file twice; keep one entry per file.")
        return cls(files)

    @classmethod
    def load(cls, path: Path) -> Mapping:
        try:
            data = json.loads(Path(path).read_text(encoding="utf-8"))
        except FileNotFoundError as exc:
            raise ValidationError(f"The mapping file {Path(path).name} was not found.") from exc
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise ValidationError(
                f"The mapping file {Path(path).name} is not valid JSON (line "
                f"{getattr(exc, 'lineno', '?')}); write it again or propose a new one."
            ) from exc
        return cls.from_dict(data, Path(path).name)


def _str_map(value: object, where: str) -> dict[str, str]:
    if value is None:
        return {}
    if not isinstance(value, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in value.items()
    ):
        raise ValidationError(f"{where} must be an object of text to text.")
    return dict(value)
