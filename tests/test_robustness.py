"""`python -m brokering robustness` runs and reports its figures (a quick run: one kill
trial; the README quotes a full one)."""

from __future__ import annotations

import json

from brokering import robustness
from brokering.cli import main


def test_payload_and_audit_figures() -> None:
    payloads = robustness.payload_check()
    assert payloads["live"] == 0 and payloads["rows_intact"]
    assert payloads["neutralised"] == payloads["cells_written"] == 4 * len(robustness.PAYLOADS)
    checked = robustness.audit_check()
    assert checked["untouched_trail_verifies"]
    assert checked["tamperings_found"] == checked["tamperings_tried"] == 4


def test_the_command_prints_every_figure(capsys) -> None:
    assert main(["robustness", "--trials", "1", "--no-pages", "--json"]) == 0
    figures = json.loads(capsys.readouterr().out)
    assert figures["ok"]
    assert figures["kill_trials"]["trials"] == figures["kill_trials"]["survived"] == 1
    assert figures["leak_checks"]["checks"] >= 9 * 22 and figures["leak_checks"]["leaks"] == 0
    malformed = figures["malformed_files"]
    assert malformed["files"] >= 30 and malformed["rows_unaccounted"] == 0
    assert malformed["rows_in"] == malformed["rows_valid"] + malformed["rows_refused"]
    assert "leaks found" in robustness.render(figures)


def test_the_page_matrix_figure_is_read_from_its_own_process(monkeypatch, tmp_path) -> None:
    """`robustness` runs the page matrix as `python -m ui_leakcheck --json` (brokering never
    imports streamlit) and reads its figure; a run that prints none counts as a failure."""
    import subprocess

    def fake(argv, **kwargs):  # noqa: ANN001, ANN003, ANN202
        assert argv[1:4] == ["-m", "ui_leakcheck", "--json"]
        out = '{"checks": 7, "leaks": 0, "found": []}' if "good" in argv[-1] else "Traceback"
        return subprocess.CompletedProcess(argv, 0, stdout=out, stderr="")

    monkeypatch.setattr(subprocess, "run", fake)
    good = robustness.page_check(tmp_path / "good")
    assert good == {"checks": 7, "leaks": 0, "found": [], "run": True}
    assert "7 page states, 0 leaks found" in robustness._pages_line(good)
    bad = robustness.page_check(tmp_path / "bad")
    assert bad["leaks"] == 1 and bad["found"][0].startswith("page matrix failed")
