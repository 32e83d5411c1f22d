"""The mapped import with pseudonymising on (issue 18): schools' own exports, local staff
codes and all, imported with the alliance key as a real alliance's are by default.

The plain mapped row (ops_import) reads already-pseudonymous refs without the key, so it
never times the hashing of a school's codes nor their resolution through the identity index.
This row does: a base store whose staff were imported from staff.csv with the benchmark key
(its codes taken as the schools' local codes), then the export with a School column and
those local codes, each import in its own process with the key only in its environment.
"""

from __future__ import annotations

import statistics
from pathlib import Path
from typing import Any

from benchmarks import import_export
from benchmarks.context import Context
from benchmarks.measure import Figure, Row, fmt_rate


def trials(ctx: Context, folder: Path, trial: Path, runs: int) -> dict[str, Any]:
    """The keyed base store, then `runs` pseudonymised imports of the local-codes export,
    each into a fresh copy of it. Every row written must be imported."""
    from benchmarks.ops_import import _import_child, _record_info, _remove, _trials

    base = folder / "base-keyed.duckdb"
    _remove(base)
    ctx.log("import: schools + staff with the alliance key (local staff codes)")
    res = _import_child(ctx, base, ("schools", "staff"), keyed=True)
    _record_info(ctx, "schools + staff, pseudonymised", res)
    if not res.get("ok") or not res.get("pseudonymised"):
        raise RuntimeError(f"keyed schools/staff import failed: {res.get('error') or res}")
    files = import_export.write_export(ctx.data_dir / "evidence.csv", folder, local_codes=True)
    out = _trials(ctx, base, trial, runs, "mapped export, pseudonymised", files, keyed=True)
    out["written"] = import_export.count_rows(Path(files[0]))
    if out["rows"] != out["written"]:
        raise RuntimeError(f"pseudonymised import took {out['rows']:,} of {out['written']:,} rows")
    _remove(base)
    return out


def add_row(
    ctx: Context,
    floors: dict[str, dict[str, Figure]],
    reps: int,
    mapped: dict[str, Any] | None,
) -> None:
    """The pseudonymised row, judged like the mapped one on validated rows/s."""
    from benchmarks.ops_import import _floors, _row, db_dir

    keyed = ctx.info.get("keyed_import")
    if not keyed:
        return
    export = import_export.export_path(db_dir(ctx), local_codes=True)
    floors[str(export)] = _floors(ctx, str(export), reps)
    row = _row(
        ctx,
        "import_mapped_pseudonymised",
        f"schools' own exports ({export.name}: local staff codes) through a column "
        "mapping, pseudonymised with the alliance key",
        keyed,
        floors[str(export)],
        validated=True,
    )
    _note(row, keyed, mapped)
    ctx.add(row)


def _note(row: Row, keyed: dict[str, Any], mapped: dict[str, Any] | None) -> None:
    """What the pseudonymised row adds to the mapped one, and both rates of this run."""
    plain = ""
    if mapped:
        rate = mapped["rows"] / statistics.median(mapped["samples_s"])
        plain = (
            f" The same rows without the key (the row above), in this run: {fmt_rate(rate)} "
            "validated rows/s."
        )
    row.answers["every row written was imported and resolved to its person"] = (
        keyed["rows"] == keyed["written"]
    )
    row.notes.append(
        "Pseudonymising on, as it is by default: the benchmark's alliance key reaches the "
        "import's process only through its environment (BROKERING_PSEUDONYM_KEY). The store "
        "it imports into holds the schools and the staff imported from staff.csv with the same "
        "key, its staff codes taken as each school's local codes, so the identity index "
        "exists; the export carries a School column and those local codes, so every row's "
        "code is hashed (school + code) and resolved through the index before validation. "
        f"Rows written {keyed['written']:,}, rows imported {keyed['rows']:,}.{plain}"
    )
