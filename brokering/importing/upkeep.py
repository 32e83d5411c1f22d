"""Keeping the stored find parts and the derived facts current through a small import or
an undo, inside the batch's own transaction, for exactly the people and pairings it touched.

Why: after an import the store used to be re-laid whole (`find.maintenance.optimise`: every
evidence row sorted, every skill's parts rebuilt; every stale derived set rebuilt) — seconds
at national scale even for one school's forty observations. Every stored sum is per person
and every derived part is per person, coach or pairing, so working out again only the rows
of what the batch touched gives exactly what a full re-lay would, at the cost of those rows.

What a batch touched is read from the batch itself: rows it added carry its `import_id`
(evidence, coaching, pairing versions and log entries, consent events), and every row it
updated — or added to another table — is in `batch_rows` with its key (evidence and
coaching keys start with the person, staff keys are the person). An undo reads the same
before it deletes anything.

A batch touching more than `MAX_PEOPLE` people, or anything the upkeep cannot describe,
is left to the full re-lay (`after_import` sees the parts or a set stale and re-lays),
so nothing is ever read from stale tables.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from brokering import derived, derived_sets
from brokering.db import Connection
from brokering.find import maintenance, people_parts
from brokering.scoring import DEFAULT_PARAMS, ScoringParams

#: Above this many people touched, the full re-lay is cheaper. The upkeep works each derived
#: part out again one key at a time (a few milliseconds each at national scale, measured in
#: benchmarks/ops_import.py's small-import row) while the full re-lay costs seconds whatever
#: the batch: a few hundred people is where the two meet, and a school's file holds fewer.
MAX_PEOPLE = 300
#: Above this many rows written, the batch is not read for its people at all (a first load,
#: a whole alliance's export): reading them back would cost more than it could save.
MAX_ROWS = 20_000


@dataclass
class Touched:
    """The people and pairings one batch wrote, by what they are to the derived facts."""

    evidence: set[str] = field(default_factory=set)  # people whose evidence changed
    coaches: set[str] = field(default_factory=set)  # coaches of coaching rows changed
    coachees: set[str] = field(default_factory=set)
    staff: set[str] = field(default_factory=set)  # staff rows added, changed or consent
    pairings: set[str] = field(default_factory=set)
    #: Everyone in those pairings, any version (a donor's coaching strength counts them).
    pairing_people: set[str] = field(default_factory=set)

    def merge(self, other: Touched) -> None:
        for name in ("evidence", "coaches", "coachees", "staff", "pairings", "pairing_people"):
            getattr(self, name).update(getattr(other, name))

    def people(self) -> set[str]:
        """Everyone whose stored rows the batch's upkeep would re-work (held to MAX_PEOPLE):
        the people in its pairings too, whose find parts count those pairings."""
        return self.evidence | self.coaches | self.coachees | self.staff | self.pairing_people


_KEY = "json_extract_string(row_key, '$[{}]')"


def _refs(con: Connection, sql: str, values: list[object]) -> set[str]:
    return {str(r[0]) for r in con.execute(sql, values).fetchall() if r[0] is not None}


def gather(con: Connection, import_id: int) -> Touched:
    """What batch `import_id` wrote, as its rows stand now (see the module doc)."""
    b = import_id
    rows = "FROM batch_rows WHERE import_id = ? AND tbl = ?"
    t = Touched()
    t.evidence = _refs(
        con,
        f"SELECT staff_ref FROM evidence WHERE import_id = ? UNION SELECT {_KEY.format(0)} {rows}",
        [b, b, "evidence"],
    )
    t.coaches = _refs(
        con,
        f"SELECT coach_ref FROM coaching WHERE import_id = ? UNION SELECT {_KEY.format(0)} {rows}",
        [b, b, "coaching"],
    )
    t.coachees = _refs(
        con,
        f"SELECT coachee_ref FROM coaching WHERE import_id = ? "
        f"UNION SELECT {_KEY.format(1)} {rows}",
        [b, b, "coaching"],
    )
    t.staff = _refs(
        con,
        f"SELECT staff_ref FROM consent_events WHERE import_id = ? "
        f"UNION SELECT {_KEY.format(0)} {rows}",
        [b, b, "staff"],
    )
    t.pairings = _refs(
        con,
        "SELECT pairing_id FROM pairing_versions WHERE import_id = ? "
        "UNION SELECT pairing_id FROM pairing_entries WHERE import_id = ?",
        [b, b],
    )
    t.pairing_people = _refs(
        con,
        "SELECT staff_ref FROM pairing_participants WHERE list_contains(?, pairing_id)",
        [sorted(t.pairings)],
    )
    return t


def rows_written(con: Connection, import_id: int) -> int:
    """How many rows batch `import_id` holds now (an undo's size, before it deletes)."""
    return int(
        con.execute(
            "SELECT (SELECT count(*) FROM evidence WHERE import_id = ?)"
            " + (SELECT count(*) FROM coaching WHERE import_id = ?)"
            " + (SELECT count(*) FROM batch_rows WHERE import_id = ?)"
            " + (SELECT count(*) FROM pairing_versions WHERE import_id = ?)"
            " + (SELECT count(*) FROM pairing_entries WHERE import_id = ?)",
            [import_id] * 5,
        ).fetchall()[0][0]
    )


class BatchUpkeep:
    """Opened inside a batch's transaction before its writes: notes whether the parts and
    each derived set are current now. The writer calls `note(import_id)` once its rows are
    written (an undo: before it deletes them), then `finish` keeps them current."""

    def __init__(self, con: Connection, params: ScoringParams = DEFAULT_PARAMS) -> None:
        self.con, self.params = con, params
        self.parts_before = _parts_current(con, params)
        self.staff_before = _count(con, "staff")
        self.kept = derived.Upkeep(con, derived_sets.all_sets())
        self.touched = Touched()
        self.outcome: dict[str, str] = {}

    def note(self, import_id: int) -> bool:
        """Read what batch `import_id` wrote (call before an undo deletes it, and after the
        writes); False when it is too big to keep up with (the full re-lay will)."""
        if rows_written(self.con, import_id) > MAX_ROWS:
            self.touched = None  # type: ignore[assignment]
        if self.touched is None:
            return False
        self.touched.merge(gather(self.con, import_id))
        return True

    def finish(self) -> dict[str, str]:
        """Work out again what was touched; per store part, what was done."""
        t = self.touched
        if t is None or len(t.people()) > MAX_PEOPLE:
            self.outcome["upkeep"] = "left for the re-lay (a big batch)"
            return self.outcome
        self.outcome["find parts"] = self._parts(t)
        con = self.con
        moved = sorted(t.staff)
        coaches = t.coaches | _refs(
            con,
            "SELECT coach_ref FROM coaching WHERE list_contains(?, coach_ref) "
            "OR list_contains(?, coachee_ref)",
            [moved, moved],
        )
        pairings = t.pairings | _refs(
            con,
            "SELECT pairing_id FROM pairing_participants WHERE list_contains(?, staff_ref)",
            [moved],
        )
        self.kept.touch("person", t.evidence | t.coaches | t.staff)
        self.kept.touch("coach", coaches)
        self.kept.touch("pairing", pairings)
        self.outcome |= self.kept.finish()
        self._untouched(self.outcome)
        if _count(con, "staff") != self.staff_before:
            _redo_keys(con)
        return self.outcome

    def _untouched(self, outcome: dict[str, str]) -> None:
        """A set whose signature moved but none of whose parts the batch touched holds
        nothing the batch changed: its rows are per pairing, coach or person, and every
        pairing, coach and person whose rows read a row the batch wrote was touched above
        (a move of school touches the mover's pairings and coaching). It moved only through
        a count or the last import; it is recorded current as it stands."""
        for spec in self.kept.current:
            if outcome.get(spec.name) == "left stale":
                derived.record_signature(self.con, spec, derived.signature(self.con, spec))
                outcome[spec.name] = "unchanged (nothing it holds was written)"

    def _parts(self, t: Touched) -> str:
        """The stored find parts for the batch's people (`people_parts.rework_people`)."""
        con, params = self.con, self.params
        now = list(con.execute(f"SELECT {maintenance.SIGNATURE_SQL}").fetchall()[0])  # noqa: S608
        if self.parts_before is None:
            return "not current before the batch"
        epoch, built = self.parts_before
        if built == now:
            return "unchanged"
        refs = t.evidence | t.coaches | t.pairing_people
        newest = people_parts.newest_weighted(con, sorted(refs), params) if refs else None
        if newest is not None and newest > epoch:
            return "left stale: a record newer than the parts' epoch (the re-lay rebuilds)"
        people_parts.rework_people(con, sorted(refs), epoch, now, params, newest)
        return "refreshed"


def _parts_current(con: Connection, params: ScoringParams) -> tuple | None:
    """(epoch, signature) of the stored parts if they match the data now, else None."""
    schema, table = maintenance.META.split(".")
    columns = {
        r[0]
        for r in con.execute(  # the catalogue, not a try: a failed read aborts the batch
            "SELECT column_name FROM duckdb_columns() WHERE database_name = current_database()"
            " AND schema_name = ? AND table_name = ?",
            [schema, table],
        ).fetchall()
    }
    if "ranked_at" not in columns:  # not built, or an older layout
        return None
    meta = con.execute(
        f"SELECT epoch, params, evidence_rows, coaching_rows, last_import, pairing_rows "  # noqa: S608
        f"FROM {maintenance.META}"
    ).fetchall()
    if not meta or meta[0][1] != maintenance.params_key(params):
        return None
    built = list(meta[0][2:])
    now = list(con.execute(f"SELECT {maintenance.SIGNATURE_SQL}").fetchall()[0])  # noqa: S608
    return (meta[0][0], built) if built == now else None


def _count(con: Connection, table: str) -> int:
    return int(con.execute(f"SELECT count(*) FROM {table}").fetchall()[0][0])  # noqa: S608


def _redo_keys(con: Connection) -> None:
    """The dashboard's one-row `keys` table (do two staff share a person number?) reads the
    whole staff list and belongs to no part: redone when staff were added or removed."""
    from brokering.dashboard.fact_tables import DASHBOARD, KEYS_SQL

    if not derived.is_current(con, DASHBOARD):
        return
    name = DASHBOARD.table_name("keys")
    con.execute(f"DELETE FROM {name}")  # noqa: S608
    con.execute(f"INSERT INTO {name} {KEYS_SQL}")  # noqa: S608
