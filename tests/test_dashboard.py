"""The headteachers' dashboard on a hand-built case with known answers: headline figures
and their change on last term, suppression, flows and balance, maturity indicators."""

from datetime import date

import pandas as pd
import pytest

from brokering.dashboard import flows, maturity, report, transfer
from brokering.dashboard.facts import ALLIANCE, Scope
from brokering.terms import term_of
from brokering.viewer import Viewer

AS_OF = date(2026, 11, 20)
AUTUMN = term_of(AS_OF)

# pairing_id, skill, status, start, review, donors, recipients, cover, travel
PAIRINGS = [
    ("P1", "mathematics", "transferred", "2026-09-05", "2026-10-30", ["B2"], ["A2"], 1, 1),
    ("P2", "autism-support", "not transferred", "2026-09-10", "2026-11-01", ["C1"], ["B3"], 0, 0),
    ("P3", "behaviour-and-routines", "active", "2026-09-15", "2026-11-10", ["A1"], ["B3"], 0, 0),
    ("P4", "questioning", "transferred", "2026-03-01", "2026-05-01", ["B2"], ["A3"], 0, 0),
    ("P5", "feedback", "proposed", "2026-11-15", "2027-01-15", ["A1"], ["B1"], 0, 0),
]
# entry_id, pairing, type, date, hours, observed, recorded_by, before, after
ENTRIES = [
    (1, "P1", "coaching session", "2026-09-20", 2.0, None, "B2", None, None),
    (2, "P1", "observation", "2026-10-15", None, "A2", "B1", 2, 4),
    (3, "P2", "visit", "2026-11-05", 3.0, None, "C1", None, None),
    (4, "P4", "observation", "2026-04-20", None, "A3", "A1", 3, 4),
    # The recipient observing themselves never counts as transfer evidence:
    (5, "P3", "observation", "2026-10-01", None, "B3", "B3", 2, 3),
]


@pytest.fixture
def dash(tiny):
    for pid, skill, status, start, review, donors, recipients, cover, travel in PAIRINGS:
        tiny.execute(
            "INSERT INTO pairing_versions (pairing_id, version, skill_id, work_kind, status, "
            "start_date, review_date, cover_hours, travel_hours, disciplines, change, "
            "changed_by) VALUES (?, 1, ?, 'coaching', ?, ?, ?, ?, ?, [], 'logged', 't')",
            [pid, skill, status, start, review, cover, travel],
        )
        for ref in donors:
            tiny.execute("INSERT INTO pairing_participants VALUES (?, 1, ?, 'donor')", [pid, ref])
        for ref in recipients:
            tiny.execute(
                "INSERT INTO pairing_participants VALUES (?, 1, ?, 'recipient')", [pid, ref]
            )
    for eid, pid, etype, day, hours, observed, by, before, after in ENTRIES:
        tiny.execute(
            "INSERT INTO pairing_entries (entry_id, version, pairing_id, entry_type, date, "
            "hours, who, flow, observed_ref, recorded_by, rating_before, rating_after, change, "
            "changed_by) VALUES (?, 1, ?, ?, ?, ?, [], 'two-way', ?, ?, ?, ?, 'added', 't')",
            [eid, pid, etype, day, hours, observed, by, before, after],
        )
    return tiny


def _figures(con, viewer, scope=ALLIANCE):
    return {f.key: f for f in transfer.headline(con, viewer, AUTUMN, scope, AS_OF)}


def test_headline_figures_and_change_on_last_term(dash, admin) -> None:
    f = _figures(dash, admin)
    assert f["active"].value == 3  # P1, P2, P3 ran this term; P4 ended in summer; P5 proposed
    assert f["transferred"].value == 1
    assert f["rate"].value == pytest.approx(50.0)  # P1 transferred, P2 not, of two judged
    assert f["median_days"].value == 40  # 5 Sep to 15 Oct
    assert f["hours_per_transfer"].value == pytest.approx(7.0)  # (2 + 1 + 1) + 3, one transfer
    assert f["overdue"].value == 1  # P3: review 10 Nov passed, self-observation does not count
    assert f["transferred"].previous == 1 and f["transferred"].change == 0  # P4 in summer
    assert f["rate"].previous == pytest.approx(100.0)
    assert f["overdue"].previous == 0


def test_school_and_area_filters(dash, admin) -> None:
    f = _figures(dash, admin, Scope(school_id="C"))
    assert f["active"].value == 1 and f["transferred"].value == 0
    f = _figures(dash, admin, Scope(area="Subjects"))
    assert f["transferred"].value == 1 and f["overdue"].value == 0


def test_small_groups_are_suppressed_for_those_who_cannot_see_the_people(dash) -> None:
    f = _figures(dash, Viewer("viewer"))  # a governor sees nobody one by one
    assert f["active"].value == 3  # five people behind it
    assert f["transferred"].value is None  # rests on two people: hidden
    assert f["median_days"].value is None
    # B's senior leader can see both people behind it (B2, and A2 who shares): they could
    # count it from their own list, so it is shown to them — one rule with the ledger.
    assert _figures(dash, Viewer("senior_leader", "B"))["transferred"].value == 1


def test_outcomes_by_school_suppresses_small_cells(dash, admin) -> None:
    full = transfer.outcomes_by(dash, admin, "school", start=AUTUMN.start, end=AUTUMN.end)
    got = {(r.group, r.outcome): r.pairings for r in full.itertuples()}
    assert got[("Alder Primary", "transferred")] == 1
    assert got[("Birch Academy", "open")] == 2  # P3 active and P5 proposed
    hidden = transfer.outcomes_by(
        dash, Viewer("viewer"), "school", start=AUTUMN.start, end=AUTUMN.end
    )
    shown = {(r.group, r.outcome): r.pairings for r in hidden.itertuples()}
    assert shown[("Alder Primary", "transferred")] is pd.NA  # two people: hidden
    # A's head sees both people behind it (A2, and B2 who shares): shown to them.
    own = transfer.outcomes_by(
        dash, Viewer("headteacher", "A"), "school", start=AUTUMN.start, end=AUTUMN.end
    )
    assert {(r.group, r.outcome): r.pairings for r in own.itertuples()}[
        ("Alder Primary", "transferred")
    ] == 1


def test_ratings_before_and_after(dash, admin) -> None:
    frame = transfer.ratings_before_after(dash, admin)
    subjects = frame[frame["area"] == "Subjects"].set_index("when")["rating"]
    assert subjects["before"] == 2 and subjects["after"] == 4


def test_hours_against_outcome(dash, admin) -> None:
    frame = transfer.hours_against_outcome(dash, admin)
    cell = frame[(frame["hours"] == "under 6 h")].set_index("outcome")["pairings"]
    assert cell["transferred"] == 2 and cell["not transferred"] == 1


def test_flow_matrix_and_balance(dash, admin) -> None:
    matrix = flows.flow_matrix(dash, admin, AUTUMN.start, AUTUMN.end)
    cells = {(r.giver, r.receiver): r.hours for r in matrix.itertuples()}
    assert cells[("B", "A")] == pytest.approx(4.0)  # P1
    assert cells[("C", "B")] == pytest.approx(3.0)  # P2
    assert cells[("C", "A")] == pytest.approx(6.0)  # C1 mentors A2: default 6 hours
    bal = flows.balance(dash, admin, AUTUMN.start, AUTUMN.end).set_index("school_id")
    assert bal.loc["C", "hours given"] == pytest.approx(9.0)
    assert bal.loc["C", "relationship"] == "mostly gives"
    assert bal.loc["A", "hours received"] == pytest.approx(10.0)
    assert bal.loc["A", "relationship"] == "mostly receives"


def test_empty_alliance_gives_empty_views_not_errors(tiny, admin) -> None:
    f = _figures(tiny, admin)
    assert f["active"].value == 0 and f["rate"].value is None
    assert transfer.outcomes_by(tiny, admin, "area").empty
    assert flows.flow_matrix(tiny, admin, date(2020, 1, 1), date(2020, 3, 31)).empty


@pytest.mark.parametrize(
    ("value", "stage"),
    [
        (None, None),
        (0.0, "Beginning"),
        (0.24, "Beginning"),
        (0.25, "Developing"),
        (0.5, "Embedding"),
        (0.75, "Leading"),
        (1.0, "Leading"),
    ],
)
def test_stage_thresholds(value, stage) -> None:
    assert maturity.stage_for(value, (0.25, 0.5, 0.75)) == stage


def test_maturity_indicators_on_the_tiny_alliance(dash, admin) -> None:
    frame = maturity.indicators(dash, admin, as_of=AS_OF).set_index("key")
    assert frame.loc["recorded_strengths", "value"] == pytest.approx(500 / 7, abs=0.1)
    assert frame.loc["recorded_strengths", "stage"] == "Embedding"
    assert frame.loc["sharing_consent", "value"] == pytest.approx(600 / 7, abs=0.1)
    assert frame.loc["evidenced_transfer", "value"] == pytest.approx(200 / 3, abs=0.1)


def test_maturity_stage_is_the_lower_median() -> None:
    assert maturity._suggest(["Leading", "Beginning", "Embedding", "Developing"]) == "Developing"
    assert maturity._suggest(["Leading", "Leading", "Beginning"]) == "Leading"


def test_judgements_are_appended_with_history(dash) -> None:
    head = Viewer("headteacher", "A", "head-a")
    maturity.record_judgement(dash, head, "A", "staff information", "Developing", "first", None)
    maturity.record_judgement(dash, head, "A", "staff information", "Embedding", "later", None)
    history = maturity.judgements(dash, head, "A", "staff information")
    assert history["stage"].tolist() == ["Embedding", "Developing"]
    with pytest.raises(Exception, match="own school"):
        maturity.record_judgement(dash, head, "B", "staff information", "Leading", "", None)


def test_printable_summary_is_self_contained(dash, admin) -> None:
    html = report.half_term_summary(dash, admin, AUTUMN, as_of=AS_OF)
    assert html.startswith("<!doctype html>")
    assert "data:image/svg+xml;base64," in html
    assert "http://" not in html and "https://" not in html
