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
    assert main(["robustness", "--trials", "1", "--json"]) == 0
    figures = json.loads(capsys.readouterr().out)
    assert figures["ok"]
    assert figures["kill_trials"]["trials"] == figures["kill_trials"]["survived"] == 1
    assert figures["leak_checks"]["checks"] >= 9 * 22 and figures["leak_checks"]["leaks"] == 0
    malformed = figures["malformed_files"]
    assert malformed["files"] >= 30 and malformed["rows_unaccounted"] == 0
    assert malformed["rows_in"] == malformed["rows_valid"] + malformed["rows_refused"]
    assert "leaks found" in robustness.render(figures)
