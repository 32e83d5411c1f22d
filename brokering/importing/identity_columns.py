"""Columns of single staff identifiers, resolved in bulk (the rules are identity.py's).

A national file of 5M observations names ~570,000 people at ~23,000 schools. Each distinct
(school, code) is hashed once, in Python and in this process only (the alliance key never
enters the database: `StaffPseudonyms.many`); the identity index is joined in SQL; and the
staged rows are rewritten once for all such columns by CREATE TABLE … AS with the map tables
joined (an UPDATE … FROM of millions of rows costs several times more). Anything not a plain
code at a known school — an e-mail address, a code with no school, an empty cell — goes
through `Resolver.resolve`, one value at a time, with its row-level reports. Recorder labels
("peer", "external"…) are the same at every school, so they are matched without one.
The report's words for the people resolved this way (`Labels`) are made only when asked for.
"""

from __future__ import annotations

from collections.abc import Iterator, MutableMapping, Sequence
from typing import TYPE_CHECKING

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from brokering.importing.reader import Staged

if TYPE_CHECKING:
    from brokering.importing.identity import Resolver


class Labels(MutableMapping[str, str]):
    """Pseudonym -> how the file named the person ("staff code JDO"). A national file names
    hundreds of thousands of people and a report mentions a handful, so codes resolved in
    bulk are added as a pending batch and become entries only when a label is first asked
    for (earlier entries keep winning, as with `setdefault`)."""

    def __init__(self) -> None:
        self._held: dict[str, str] = {}
        self._pending: list[tuple[Sequence[str], Sequence[str]]] = []

    def add_codes(self, refs: Sequence[str], codes: Sequence[str]) -> None:
        """Each ref named by its staff code, unless it is named already."""
        self._pending.append((refs, codes))

    def _settle(self) -> dict[str, str]:
        from brokering.importing.identity import label_for

        while self._pending:
            refs, codes = self._pending.pop(0)
            held = self._held
            for ref, code in zip(_listed(refs), _listed(codes), strict=True):
                if ref not in held:
                    held[ref] = label_for(code)
        return self._held

    def __getitem__(self, ref: str) -> str:
        return self._settle()[ref]

    def __setitem__(self, ref: str, label: str) -> None:
        self._settle()[ref] = label

    def __delitem__(self, ref: str) -> None:
        del self._settle()[ref]

    def __iter__(self) -> Iterator[str]:
        return iter(self._settle())

    def __len__(self) -> int:
        return len(self._settle())

    def __bool__(self) -> bool:
        return bool(self._held) or any(len(refs) for refs, _codes in self._pending)


def _listed(values: Sequence[str]) -> list[str]:
    to_pylist = getattr(values, "to_pylist", None)  # an Arrow array from a bulk step
    return to_pylist() if to_pylist else list(values)


def _context(col: str, has_school: bool, alias: str = "") -> str:
    """The SQL for whose code a cell is: the row's school, else the file's (the first
    parameter), '' when neither is known or the cell is a recorder label."""
    from brokering.importing.identity import _LABELS

    words = ", ".join("'" + w.replace("'", "''") + "'" for w in sorted(_LABELS))
    sch = f'coalesce({alias}"school_id", ?)' if has_school else "?"
    return f"CASE WHEN lower({alias}\"{col}\") IN ({words}) THEN '' ELSE coalesce({sch}, '') END"


def resolve_columns(r: Resolver, s: Staged, columns: list[str], school: str | None) -> None:
    """Replace each given column's identifiers by refs, in one rewrite of the staged rows."""
    has_school = "school_id" in s.columns
    hashed: list[pa.Table] = []  # (sch, raw, hash) made for earlier columns: never made twice
    maps = [_column_map(r, s, col, i, has_school, school, hashed) for i, col in enumerate(columns)]
    done = [(col, m) for col, m in zip(columns, maps, strict=True) if m]
    if not done:
        return
    sets, joins, params = [], [], []
    for i, (col, name) in enumerate(done):
        sets.append(f'coalesce(m{i}.val, s."{col}") AS "{col}"')
        joins.append(
            f"LEFT JOIN {name} m{i} ON m{i}.sch = {_context(col, has_school, 's.')} "
            f'AND m{i}.raw = s."{col}"'
        )
        params.append(school)
    r.con.execute(
        f"CREATE OR REPLACE TEMP TABLE stg_{s.table} AS SELECT s.* REPLACE ({', '.join(sets)}) "  # noqa: S608
        f"FROM stg_{s.table} s {' '.join(joins)}",
        params,
    )


def _column_map(
    r: Resolver,
    s: Staged,
    col: str,
    i: int,
    has_school: bool,
    school: str | None,
    hashed: list[pa.Table],
) -> str | None:
    """A temp table (sch, raw, val) for one column's distinct identifiers; None if empty.
    `hashed` holds the pairs hashed for earlier columns (a recorder is mostly someone also
    observed), which are reused; this column's new pairs are added to it."""
    pairs = r.con.sql(
        "SELECT sch, raw, sch <> '' AND raw <> '' AND NOT contains(raw, '@') AS plain FROM "  # noqa: S608
        f'(SELECT DISTINCT {_context(col, has_school)} AS sch, "{col}" AS raw FROM stg_{s.table} '
        f'WHERE "{col}" IS NOT NULL)',
        params=[school],
    ).to_arrow_table()
    if not pairs.num_rows:
        return None
    plain = pairs.filter(pairs["plain"])
    rest = pairs.filter(pc.invert(pairs["plain"]))
    who = _hashed(r, plain.select(["sch", "raw"]), hashed)
    r.res.labels.add_codes(who["hash"], who["raw"])
    r.con.register("who_plain", who)
    # A code first seen in this batch's staff.csv is that row's person (Resolver.staff).
    batch = pd.DataFrame(
        [(sc, code, ref) for (sc, code), ref in r.batch_code.items()],
        columns=["sch", "raw", "ref"],
        dtype="string",
    )
    r.con.register("who_batch", batch)
    name = f"map_who_{s.table}_{i}"
    try:  # the registered frames hold raw codes: let go of them on every path
        r.con.execute(
            f"CREATE OR REPLACE TEMP TABLE {name} AS SELECT p.sch, p.raw, p.hash, "  # noqa: S608
            "coalesce(b.ref, x.staff_ref, p.hash) AS val FROM who_plain p "
            "LEFT JOIN who_batch b ON b.sch = p.sch AND b.raw = p.raw "
            "LEFT JOIN identity_index x ON x.kind = 'code' AND x.key_hash = p.hash"
        )
    finally:
        r.con.unregister("who_plain")
        r.con.unregister("who_batch")
    # A ref the index or the batch gave instead of the code's own hash is named too.
    other = r.con.execute(f"SELECT val, raw FROM {name} WHERE val <> hash").fetchall()  # noqa: S608
    if other:
        r.res.labels.add_codes([v for v, _ in other], [c for _, c in other])
    _add_rest(r, s, col, name, rest)
    return name


def _hashed(r: Resolver, pairs: pa.Table, hashed: list[pa.Table]) -> pa.Table:
    """(sch, raw, hash) for the given distinct pairs: pairs hashed for an earlier column
    are looked up there, the rest hashed now (and kept for the next column)."""
    if hashed and pairs.num_rows:
        known = pairs.join(hashed[0], keys=["sch", "raw"], join_type="inner")
        new = pairs.join(hashed[0], keys=["sch", "raw"], join_type="left anti")
    else:
        known, new = None, pairs
    schools, codes = new["sch"].combine_chunks(), new["raw"].combine_chunks()
    made = pa.table(
        {
            "sch": schools,
            "raw": codes,
            "hash": r.staff_pseudonym.many(schools.to_pylist(), codes.to_pylist()),
        }
    )
    out = made if known is None else pa.concat_tables([known.select(["sch", "raw", "hash"]), made])
    hashed[:] = [out if not hashed else pa.concat_tables([hashed[0], made])]
    return out


def _add_rest(r: Resolver, s: Staged, col: str, name: str, rest: pa.Table) -> None:
    """Labels, e-mail addresses, codes with no school and empty cells, one at a time."""
    if not rest.num_rows:
        return
    items = list(zip(rest["sch"].to_pylist(), rest["raw"].to_pylist(), strict=True))
    r.prefetch({(sch or None, raw) for sch, raw in items if raw})
    out = [
        (sch, raw, r.resolve(s, col, raw, sch or None, raw) if raw else "") for sch, raw in items
    ]
    r.con.register("who_rest", pd.DataFrame(out, columns=["sch", "raw", "val"], dtype="string"))
    try:
        r.con.execute(f"INSERT INTO {name} SELECT sch, raw, NULL, val FROM who_rest")  # noqa: S608
    finally:
        r.con.unregister("who_rest")
