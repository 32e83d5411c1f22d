"""The cells hidden as cover do not depend on the order rows arrive in.

A store's reads need not keep one row order (a parallel aggregate, a write between two
reads). Were the cover picked by position, two reads of the same figures could hide
different cells beside one hidden on its own people: each read shows one of the two, and
the total shown elsewhere less both gives the first away. Ties between equally small
cells are broken by the schools' codes and the areas' names instead.
"""

from __future__ import annotations

import dataclasses
import itertools
import os
import re
import sys
from collections.abc import Iterator
from datetime import date

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from brokering import changes, db
from brokering.dashboard import flows, transfer
from brokering.dashboard.facts import Scope
from brokering.dashboard.flow_hiding import flow_hidden
from brokering.dashboard.hiding import ADDITIVE, guard_areas, guard_terms
from brokering.db import Connection
from brokering.pairings import ledger, ledger_suppression
from brokering.store import open_store
from brokering.viewer import Viewer
from tests import alliances as made
from tests import test_school_charts_properties as charts_model

TRIALS = int(os.environ.get("BROKERING_PROPERTY_TRIALS", "25"))
AREAS = ("Assessment and curriculum", "Behaviour and culture", "Early years")
#: The pure functions' tests: quick, so many examples; the same ones every run (hunts raise
#: BROKERING_PROPERTY_TRIALS).
PURE = settings(
    max_examples=TRIALS * 4,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow],
)


@st.composite
def flow_inputs(draw: st.DrawFn) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """A term's flows as `flow_hidden` takes them: schools, relationships and area cells."""
    ids = [f"S{i}" for i in range(draw(st.integers(2, 5)))]
    cells = []
    for g in ids:
        for r in ids:
            for area in AREAS:
                if draw(st.booleans()):
                    people = draw(st.integers(1, 5))
                    cells.append((g, r, area, people, draw(st.integers(0, people))))
    cells = cells or [(ids[0], ids[1], AREAS[0], 1, 1)]
    schools = []
    for s in ids:
        people = draw(st.integers(1, 6))
        schools.append((s, people, draw(st.integers(0, people))))
    pairs = []
    for i, a in enumerate(ids):
        for b in ids[i + 1 :]:
            people = draw(st.integers(1, 6))
            pairs.append((a, b, people, draw(st.integers(0, people))))
    return (
        pd.DataFrame(schools, columns=["school_id", "people", "hidden"]),
        pd.DataFrame(pairs, columns=["school_a", "school_b", "people", "hidden"]),
        pd.DataFrame(cells, columns=["giver", "receiver", "area", "people", "unseen"]),
    )


def keyed(got: tuple, schools: pd.DataFrame, pairs: pd.DataFrame, cells: pd.DataFrame) -> tuple:
    """`flow_hidden`'s answer keyed by school, relationship and cell, not by position."""
    return (
        dict(zip(schools["school_id"], got[0].tolist(), strict=True)),
        dict(
            zip(
                pairs[["school_a", "school_b"]].itertuples(index=False, name=None),
                np.asarray(got[1]).tolist(),
                strict=True,
            )
        ),
        dict(
            zip(
                cells[["giver", "receiver", "area"]].itertuples(index=False, name=None),
                got[2].tolist(),
                strict=True,
            )
        ),
        got[3],
        got[4],
    )


@PURE
@given(frames=flow_inputs(), seed=st.integers(0, 2**16))
def test_the_flows_cover_is_the_same_whatever_the_rows_order(
    frames: tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame], seed: int
) -> None:
    schools, pairs, cells = frames
    viewer = Viewer("viewer")
    first = keyed(flow_hidden(schools, pairs, cells, viewer), schools, pairs, cells)
    shuffled = [f.sample(frac=1, random_state=seed + i) for i, f in enumerate(frames)]
    assert keyed(flow_hidden(*shuffled, viewer), *shuffled) == first


def test_two_equal_cells_one_to_cover_the_same_pick_either_way() -> None:
    """Found by the test above on the older rule (cover by the rows' order): one hidden cell
    (1 person) beside two equally small open ones; which is hidden must not follow the
    rows."""
    schools = pd.DataFrame({"school_id": ["S0", "S1"], "people": [1, 1], "hidden": [0, 0]})
    pairs = pd.DataFrame({"school_a": ["S0"], "school_b": ["S1"], "people": [1], "hidden": [0]})
    cells = pd.DataFrame(
        {
            "giver": ["S0"] * 3,
            "receiver": ["S1"] * 3,
            "area": list(AREAS),
            "people": [3, 1, 3],
            "unseen": [3, 1, 3],
        }
    )
    viewer = Viewer("viewer")
    first = keyed(flow_hidden(schools, pairs, cells, viewer), schools, pairs, cells)
    back = cells.iloc[::-1]
    assert keyed(flow_hidden(schools, pairs, back, viewer), schools, pairs, back) == first


def ledger_keyed(schools: pd.DataFrame, pairs: pd.DataFrame, viewer: Viewer) -> tuple:
    """`ledger_suppression.shown`'s answer keyed by school and relationship."""
    keep_s, keep_p = ledger_suppression.shown(schools, pairs, viewer)
    return (
        dict(zip(schools["school_id"], keep_s.tolist(), strict=True)),
        dict(
            zip(
                pairs[["school_a", "school_b"]].itertuples(index=False, name=None),
                keep_p.tolist(),
                strict=True,
            )
        ),
    )


@PURE
@given(frames=flow_inputs(), seed=st.integers(0, 2**16))
def test_the_ledgers_cover_is_the_same_whatever_the_rows_order(
    frames: tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame], seed: int
) -> None:
    schools, pairs, _ = frames
    viewer = Viewer("viewer")
    first = ledger_keyed(schools, pairs, viewer)
    shuffled = [f.sample(frac=1, random_state=seed + i) for i, f in enumerate((schools, pairs))]
    assert ledger_keyed(*shuffled, viewer) == first


def test_the_ledgers_second_school_hidden_is_the_same_pick_either_way() -> None:
    """Rule 4 of the ledger (one school row hidden: the next smallest too) picked by the rows'
    order between two equally small rows, before the schools' codes broke the tie."""
    schools = pd.DataFrame(
        {"school_id": ["S0", "S1", "S2"], "people": [1, 3, 3], "hidden": [1, 3, 3]}
    )
    pairs = pd.DataFrame(columns=["school_a", "school_b", "people", "hidden"]).astype(
        {"people": np.int64, "hidden": np.int64}
    )
    viewer = Viewer("viewer")
    first = ledger_keyed(schools, pairs, viewer)
    assert ledger_keyed(schools.iloc[::-1], pairs, viewer) == first


def test_the_ledgers_hidden_relationship_is_the_same_pick_either_way() -> None:
    """Found by the test above on the older rule: a relationship hidden beside a hidden one
    picked by the rows' order between two equally small ones (one person each), before the
    schools' codes broke the tie."""
    schools = pd.DataFrame(
        {"school_id": ["S0", "S1", "S2", "S3"], "people": [1, 1, 1, 1], "hidden": [0, 1, 1, 1]}
    )
    pairs = pd.DataFrame(
        {
            "school_a": ["S0", "S0", "S0", "S1", "S1", "S2"],
            "school_b": ["S1", "S2", "S3", "S2", "S3", "S3"],
            "people": [1, 1, 3, 1, 3, 3],
            "hidden": [0, 0, 3, 1, 3, 3],
        }
    )
    viewer = Viewer("viewer")
    first = ledger_keyed(schools, pairs, viewer)
    assert ledger_keyed(schools, pairs.iloc[::-1], viewer) == first


@st.composite
def term_figures(draw: st.DrawFn) -> list[dict]:
    """The headline's figures (value, people unseen) per term, for the whole (None) and each
    area, the whole the areas' sum, as `hiding.guard_terms` takes them."""
    areas = AREAS[: draw(st.integers(2, 3))]
    figs = []
    for _ in range(draw(st.integers(2, 4))):
        by: dict = {}
        for area in areas:
            by[area] = {}
            for key in ADDITIVE:
                people = draw(st.integers(0, 4))
                value = draw(st.integers(1, 5)) if people else draw(st.sampled_from([0, 0, 2]))
                by[area][key] = (value, people)
        by[None] = {k: tuple(sum(by[a][k][j] for a in areas) for j in (0, 1)) for k in ADDITIVE}
        figs.append(by)
    return figs


def terms_keyed(figs: list[dict], viewer: Viewer) -> list[dict]:
    """What the trend and the headline show per term and area, keyed by area."""
    out = guard_terms(figs, [guard_areas(f, viewer) for f in figs], viewer)
    return [{area: dict(sorted(shown.items())) for area, shown in o.items()} for o in out]


def reordered(figs: list[dict], order: tuple) -> list[dict]:
    """The same figures with each term's areas in `order` (as a read's rows might come)."""
    return [{area: by[area] for area in order} for by in figs]


@PURE
@given(figs=term_figures(), data=st.data())
def test_the_terms_cover_is_the_same_whatever_the_areas_order(
    figs: list[dict], data: st.DataObject
) -> None:
    viewer = Viewer("viewer")
    order = tuple(data.draw(st.permutations(list(figs[0]))))
    assert terms_keyed(reordered(figs, order), viewer) == terms_keyed(figs, viewer)


def test_the_terms_pairings_active_hidden_is_the_same_pick_whatever_the_areas_order() -> None:
    """Found by the test above on the older rule: which term's pairings active was hidden
    beside a hidden figure concluded (`hiding._guard_active`) followed the order the areas
    were read in."""
    a, b = AREAS[:2]
    zero = dict.fromkeys(ADDITIVE, (0, 0))

    def term(**by: dict) -> dict:
        out = {a: {**zero, **by.get("a", {})}, b: {**zero, **by.get("b", {})}}
        out[None] = {k: tuple(sum(out[x][k][j] for x in (a, b)) for j in (0, 1)) for k in zero}
        return out

    figs = [
        term(b={"not_transferred": (1, 1)}),
        term(a={"active": (1, 3), "not_transferred": (1, 1)}),
        term(a={"active": (1, 3)}),
    ]
    viewer = Viewer("viewer")
    first = terms_keyed(figs, viewer)
    for order in itertools.permutations([a, b, None]):
        assert terms_keyed(reordered(figs, order), viewer) == first, order


# End to end: the same alliance written into two stores in different orders shows every role
# the same figures on every view, compared by names (the pairings' ids, given in the order
# written, appear on none of them).

AS_OF = date(2026, 12, 31)


@pytest.fixture(scope="module")
def other_store() -> Iterator[Connection]:
    """A second empty store, for the same alliance written in another order."""
    c = open_store(":memory:")
    yield c
    c.close()


def table(frame: pd.DataFrame) -> list[tuple]:
    """A view's rows as text, in a fixed order: the same figures whatever order they came in."""
    text = frame.astype(object).where(frame.notna(), "<hidden>").astype(str)
    return sorted(text.itertuples(index=False, name=None))


def every_view(con: Connection, viewer: Viewer, a: dict) -> dict[str, object]:
    """What `viewer` sees on the Transfer page (for the alliance, each area and each school
    the School filter offers) and the reciprocity ledger."""
    term = charts_model.TERM
    out: dict[str, object] = {}
    by_school, by_pair = ledger.school_views(con, viewer)
    out["ledger by school"], out["ledger by relationship"] = table(by_school), table(by_pair)
    out["balance"] = table(flows.balance(con, viewer, term.start, term.end))
    areas = sorted(set(charts_model.SKILLS.values()))
    scopes = [Scope(area=area) for area in (None, *areas)]
    scopes += [Scope(school_id=s) for s in a["schools"]]
    for scope in scopes:
        name = f"{scope.area or 'all areas'} / {scope.school_id or 'alliance'}"
        figs = transfer.headline(con, viewer, term, scope, AS_OF)
        out[f"headline {name}"] = sorted(str(dataclasses.astuple(f)) for f in figs)
        out[f"trend {name}"] = table(transfer.trend_by_term(con, viewer, scope, AS_OF))
        for by in ("school", "area"):
            got = transfer.outcomes_by(con, viewer, by, scope, term.start, term.end)
            out[f"outcomes by {by} {name}"] = table(got)
        out[f"hours {name}"] = table(transfer.hours_against_outcome(con, viewer, scope))
        out[f"ratings {name}"] = table(transfer.ratings_before_after(con, viewer, scope))
        matrix = flows.flow_matrix(con, viewer, term.start, term.end, scope)
        out[f"flows {name}"] = table(matrix)
    return out


@settings(
    max_examples=max(1, TRIALS // 5),  # each example reads every view for every role, twice
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(a=charts_model.alliances(), data=st.data())
def test_every_view_is_the_same_whatever_order_the_alliance_was_written_in(
    store: Connection, other_store: Connection, a: dict, data: st.DataObject
) -> None:
    charts_model.load(store, a)
    b = {key: data.draw(st.permutations(a[key]), label=key) for key in a}
    charts_model.load(other_store, b)
    for viewer in made.roles(a["schools"]):
        assert every_view(other_store, viewer, a) == every_view(store, viewer, a), viewer.role


def _ordered(sql: str) -> bool:
    """Whether a read fixes its rows' order: an ORDER BY outside every bracket."""
    while (bare := re.sub(r"\([^()]*\)", " ", sql)) != sql:
        sql = bare
    return "ORDER BY" in sql.upper()


def reverse_reads(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every read of the product with no ORDER BY of its own returns its rows last first:
    a store is free to, and the figures shown must not change."""

    def reversed_df(con: Connection, sql: str, params: list | None = None) -> pd.DataFrame:
        frame = db.query_df(con, sql, params)
        return frame if _ordered(sql) else frame.iloc[::-1].reset_index(drop=True)

    def reversed_records(con: Connection, sql: str, params: list | None = None) -> list[dict]:
        rows = db.query_records(con, sql, params)
        return rows if _ordered(sql) else rows[::-1]

    for name, module in list(sys.modules.items()):
        if name.startswith("brokering.") and module is not db:
            if getattr(module, "query_df", None) is db.query_df:
                monkeypatch.setattr(module, "query_df", reversed_df)
            if getattr(module, "query_records", None) is db.query_records:
                monkeypatch.setattr(module, "query_records", reversed_records)


@settings(
    max_examples=max(1, TRIALS // 5),  # each example reads every view for every role, twice
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(a=charts_model.alliances())
def test_every_view_is_the_same_when_unordered_reads_come_last_first(
    store: Connection, a: dict, monkeypatch: pytest.MonkeyPatch
) -> None:
    charts_model.load(store, a)
    viewers = made.roles(a["schools"])
    first = [every_view(store, viewer, a) for viewer in viewers]
    with monkeypatch.context() as patch:
        reverse_reads(patch)
        changes.forget()  # no read remembered from the first pass
        again = [every_view(store, viewer, a) for viewer in viewers]
    changes.forget()
    for viewer, one, two in zip(viewers, first, again, strict=True):
        assert two == one, viewer.role
