"""Property-based: the maturity page's figures for each school add up to the alliance's
so for every role no hidden figure — a school's or the alliance's, nor how many people it
rests on — can be worked out by subtracting the other schools' from the alliance's. The
model: each school's numerator (and denominator) is an unknown; the viewer knows their own
school's, and those of schools with no staff. More trials: BROKERING_PROPERTY_TRIALS=500."""

from __future__ import annotations

import os
from datetime import date

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from brokering import derived_sets
from brokering.dashboard import hiding, maturity
from brokering.db import Connection
from brokering.viewer import Viewer
from tests.test_suppression_properties import recoverable

TRIALS = int(os.environ.get("BROKERING_PROPERTY_TRIALS", "25"))
AS_OF = date(2026, 10, 1)
KEY = "sharing_consent"


def load(con: Connection, schools: dict[str, list[bool]]) -> None:
    con.execute("DELETE FROM staff")
    con.execute("DELETE FROM schools")
    for s, consents in schools.items():
        con.execute("INSERT INTO schools (school_id, name, phase) VALUES (?, ?, 'primary')", [s, s])
        for k, consent in enumerate(consents):
            con.execute(
                "INSERT INTO staff (staff_ref, school_id, role, phases, subjects, share_consent) "
                "VALUES (?, ?, 'teacher', [], [], ?)",
                [f"{s}{k}", s, consent],
            )
    derived_sets.drop_all(con)


def check(con: Connection, schools: dict[str, list[bool]], viewer: Viewer) -> None:
    names = sorted(schools)
    shown: list[np.ndarray] = []
    hidden: list[tuple[str, np.ndarray]] = []
    whole = maturity.indicators(con, viewer, None, AS_OF).set_index("key").loc[KEY]
    total = sum(len(c) for c in schools.values())
    if pd.isna(whole["based on"]):
        hidden.append(("the alliance", np.ones(len(names))))
    else:
        assert whole["based on"] == total
        shown.append(np.ones(len(names)))
    for i, s in enumerate(names):
        row = maturity.indicators(con, viewer, s, AS_OF).set_index("key").loc[KEY]
        unit = np.eye(len(names))[i]
        if pd.isna(row["based on"]):
            assert pd.isna(row["value"]), row
            if schools[s]:
                hidden.append((s, unit))
        else:
            assert row["based on"] == len(schools[s])
            if row["value"] is not None and not pd.isna(row["value"]):
                assert round(row["value"] * len(schools[s]) / 100) == sum(schools[s])
            shown.append(unit)
    # The viewer's own school, and schools with no staff, are known.
    know = [np.eye(len(names))[i] for i, s in enumerate(names) if not schools[s]]
    know += [np.eye(len(names))[i] for i, s in enumerate(names) if s == viewer.school_id]
    for s, target in hidden:
        assert s != viewer.school_id
        if recoverable(know, target):
            continue
        assert not recoverable(know + shown, target), (viewer, s, schools)
    # The school-by-school stages hide the same schools' figures.
    by_school = maturity.by_school(con, viewer, AS_OF).set_index("school_id")
    assert len(by_school) == len(names) + 1


@settings(
    max_examples=TRIALS,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    schools=st.dictionaries(
        st.sampled_from("ABCDE"), st.lists(st.booleans(), max_size=5), min_size=2, max_size=5
    )
)
def test_no_hidden_school_figure_is_recoverable(store: Connection, schools: dict) -> None:
    load(store, schools)
    roles = [Viewer("viewer"), Viewer("sle_coordinator")]
    roles += [Viewer("headteacher", s, f"head-{s}") for s in schools]
    for viewer in roles:
        check(store, schools, viewer)


SMALL = {"A": [True] * 5, "B": [True, False], "C": [False] * 4}


def test_the_hand_built_case_hides_a_second_school(store: Connection) -> None:
    load(store, SMALL)
    governor = Viewer("viewer")
    check(store, SMALL, governor)
    rows = {s: maturity.indicators(store, governor, s, AS_OF).set_index("key") for s in SMALL}
    assert pd.isna(rows["B"].loc[KEY, "value"]) and pd.isna(rows["B"].loc[KEY, "based on"])
    assert pd.isna(rows["C"].loc[KEY, "value"])  # the smallest other school: cover
    assert rows["A"].loc[KEY, "value"] == 100.0


def test_without_the_complement_the_check_fails(
    store: Connection, monkeypatch: pytest.MonkeyPatch
) -> None:
    def primary_only(people, own, ids, viewer):  # noqa: ANN001, ANN202
        total = np.array([i is None for i in ids])
        return ~(viewer.sees_everyone | own | total | ~hiding.primary(people))

    monkeypatch.setattr(hiding, "beside_total", primary_only)
    load(store, SMALL)
    with pytest.raises(AssertionError):
        check(store, SMALL, Viewer("viewer"))
