"""School names on a page are read once per page run, not once per label (a picker labels
every school through `ui.school_label`, and each label read the store's change signature),
and a write in a run followed by a read in the same run still sees the write."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

import ui


def _page() -> None:
    import streamlit as st

    import ui as helpers

    labels = [helpers.school_label(s) for s in ("A", "B", "C", "Z") * 10]
    st.session_state["before"] = labels[:4]
    if st.session_state.get("write"):
        con = helpers.connection()
        con.execute("INSERT INTO schools (school_id, name, phase) VALUES ('Z', 'Zed', 'primary')")
        helpers.refresh_cached()  # what every write path that changes schools calls
    st.session_state["after"] = [helpers.school_label(s) for s in ("A", "Z")]
    st.session_state["names"] = helpers.school_names()


def test_one_read_of_the_signature_per_run_and_writes_seen_at_once(
    tiny_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    reads: list[int] = []
    real = ui.store_version

    def counted(con):  # noqa: ANN001, ANN202 - a spy on the real function
        reads.append(1)
        return real(con)

    monkeypatch.setattr(ui, "store_version", counted)
    at = AppTest.from_function(_page, default_timeout=60)
    at.run()
    assert not at.exception
    assert len(reads) == 1  # forty-two labels and a names list: one read
    assert at.session_state["before"][3] == "Z"  # no such school yet
    at.run()
    assert len(reads) == 2  # the next run reads afresh
    at.session_state["write"] = True
    at.run()
    assert not at.exception
    assert at.session_state["after"] == [at.session_state["before"][0], "Zed"]
    assert at.session_state["names"]["Z"] == "Zed"
