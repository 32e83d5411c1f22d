"""Hidden figures stay hidden on the dashboard: nothing derived from a hidden count is shown
beside it, hidden is never drawn as 0, and charts say how much is hidden."""

from __future__ import annotations

import pandas as pd

from brokering.dashboard import hiding, transfer
from brokering.viewer import Viewer
from tests.test_dashboard import AS_OF, AUTUMN, dash  # noqa: F401 - the shared fixture


def _figures(con, viewer):
    return {f.key: f for f in transfer.headline(con, viewer, AUTUMN, as_of=AS_OF)}


def test_a_hidden_count_hides_every_figure_it_could_be_worked_back_from(dash) -> None:  # noqa: F811
    f = _figures(dash, Viewer("viewer"))
    assert f["transferred"].value is None and f["transferred"].hidden
    # 50% of the judged pairings, or 7 hours per transfer, would give the hidden count away.
    for key in ("rate", "hours_per_transfer", "median_days"):
        assert f[key].value is None and f[key].hidden, key
        assert f[key].change is None
    assert f["active"].value == 3 and not f["active"].hidden


def test_the_trend_hides_the_rate_with_the_count(dash) -> None:  # noqa: F811
    trend = transfer.trend_by_term(dash, Viewer("viewer"), as_of=AS_OF)
    hidden = trend["evidenced transfers"].isna()
    assert hidden.any()
    assert trend.loc[hidden, "transfer rate (%)"].isna().all()


def test_outcomes_by_school_say_how_many_schools_are_hidden(dash) -> None:  # noqa: F811
    frame = transfer.outcomes_by(
        dash, Viewer("viewer"), "school", start=AUTUMN.start, end=AUTUMN.end
    )
    # Alder: its one cell rests on two people the governor cannot see. Birch's areas' cells
    # (two people each) are hidden, and so is every area's total; and so are Birch's open
    # pairings (three people), though the only school's with any: beside Birch's pairings
    # received (the ledger, the flows) they could give its hidden "not transferred" away.
    assert hiding.hidden_groups(frame) == 2
    got = frame.set_index(["group", "outcome"])["pairings"]
    assert got[("Birch Academy", "open")] is pd.NA
    assert got[("Birch Academy", "not transferred")] is pd.NA
    by_area = transfer.outcomes_by(
        dash, Viewer("viewer"), "area", start=AUTUMN.start, end=AUTUMN.end
    )
    assert by_area["pairings"].isna().all()
    assert not (frame["pairings"].fillna(-1) == 0).any()  # hidden is never 0


def test_change_at_zero_is_neutral(dash, admin) -> None:  # noqa: F811
    f = _figures(dash, admin)
    assert f["transferred"].change == 0
    assert f["transferred"].direction == "off"
    assert f["rate"].direction == "normal" and f["overdue"].direction == "inverse"


def test_no_outcome_is_one_hidden_cell_short_of_its_total(demo, monkeypatch) -> None:
    """On the demo, for every role and both cuts: an outcome with exactly one hidden group
    is one whose other groups the viewer can count from their own lists (every person in
    them visible to them), so hiding more would protect nothing."""
    from datetime import date

    from brokering.dashboard import outcomes
    from brokering.dashboard.facts import Scope

    views = []
    real = outcomes._view
    monkeypatch.setattr(outcomes, "_view", lambda *a, **k: views.append(real(*a, **k)) or views[-1])
    term = transfer.current_term(date.today())
    schools = [r[0] for r in demo.execute("SELECT school_id FROM schools").fetchall()]
    for viewer in [Viewer("viewer"), *(Viewer("headteacher", s) for s in schools)]:
        for by in ("school", "area"):
            for scope in (Scope(), Scope(school_id=viewer.school_id)):
                frame = transfer.outcomes_by(demo, viewer, by, scope, term.start, term.end)
                # The groups with pairings (the view drawn also lists each group's outcomes
                # with none: 0, or hidden beside a hidden one).
                for outcome, part in views[-1].groupby("outcome"):
                    n = int(part["hidden"].sum())
                    counted = (part["unseen"] == 0).sum()
                    assert n != 1 or counted == len(part) - 1, (viewer, by, outcome, frame)


def test_hours_bands_are_never_one_hidden_cell_short(demo) -> None:
    schools = [r[0] for r in demo.execute("SELECT school_id FROM schools").fetchall()]
    for viewer in [Viewer("viewer"), *(Viewer("headteacher", s) for s in schools)]:
        frame = transfer.hours_against_outcome(demo, viewer)
        hidden = frame[frame["pairings"].isna()].groupby("outcome").size()
        assert not (hidden == 1).any(), (viewer, frame)
