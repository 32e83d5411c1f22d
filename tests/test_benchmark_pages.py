"""Every page's click-to-content time is a row of the harness (issue 23): `--only pages` (and
`--browser`) runs benchmarks/ops_pages.py, whose rows go to their own table, labelled with
the data set and role, with p50, p95, min and max against the 2 s target — not into the
operations table. No browser here: the timing itself is the harness's business."""

from __future__ import annotations

from pathlib import Path

import pytest

from benchmarks import ops_pages, run
from benchmarks.context import Context
from benchmarks.measure import Figure, Row


def _row(role: str, page: str, samples: list[float]) -> Row:
    row = Row(
        f"{ops_pages.OP}{role}:{page}",
        f"Open “{page}” as the {role}",
        product=Figure("click → content", samples),
        target="p95 ≤ 2 s",
        quality={"data_set": ops_pages.DATA_SET, "role": role, "page": page, "first_visit_s": 1.5},
    )
    row.met = max(samples) <= ops_pages.TARGET_S
    return row


def test_the_pages_table_gives_each_page_its_spread_and_target() -> None:
    lines = ops_pages.section(
        [
            _row("alliance administrator", "Data", [0.4, 0.5, 0.6, 0.7, 0.9]),
            _row("headteacher", "Transfer evidence", [1.5, 1.8, 2.0, 2.4, 3.0]),
        ]
    )
    text = "\n".join(lines)
    assert "| data set | role | page | first visit | p50 | p95 | n | min | max |" in text
    data = next(x for x in lines if "| Data |" in x)
    assert data.startswith("| the demo alliance | alliance administrator | Data | 1.50 s |")
    assert "| 600 ms | 900 ms | 5 | 400 ms | 900 ms | p95 ≤ 2 s | yes |" in data
    slow = next(x for x in lines if "Transfer evidence" in x)
    assert slow.endswith("| no |")
    assert ops_pages.section([]) == []


def test_only_pages_runs_them_into_their_own_table(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ran = []

    def fake(ctx: Context) -> None:
        ran.append(ctx.scale)
        ctx.add(_row("headteacher", "Home", [0.3] * 5))

    monkeypatch.setattr(ops_pages, "run", fake)
    ctx = Context(
        scale="smoke",
        seed=1,
        out=tmp_path / "RESULTS.md",
        work=tmp_path,
        data_dir=tmp_path,
        manifest={},
        only={"pages"},
    )
    run.run_all(ctx)
    assert ran == ["smoke"]
    run.write_results(ctx)
    text = ctx.out.read_text(encoding="utf-8")
    operations = text.split("## Operations")[1].split("##")[0]
    assert "Home" not in operations
    assert "## Every page in the browser, click to content" in text
    assert "| the demo alliance | headteacher | Home |" in text


def test_a_first_visit_over_the_budget_is_not_met() -> None:
    assert ops_pages.judged(1.9, [0.3] * 5) and not ops_pages.judged(2.5, [0.3] * 5)
    assert not ops_pages.judged(0.5, [0.3, 0.4, 0.5, 0.6, 2.1])
    row = _row("headteacher", "Find expertise", [0.3] * 5)
    row.met = ops_pages.judged(2.5, [0.3] * 5)
    row.quality["first_visit_s"] = 2.5
    [line] = [x for x in ops_pages.section([row]) if "Find expertise" in x]
    assert line.endswith("| no (the first visit) |")
    assert "| 2.50 s |" in line
