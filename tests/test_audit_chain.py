"""The audit trail is tamper-evident: a hash chain in which an edited, inserted or deleted
entry is found by `audit verify`; command-line actions name their operator; no secrets or
e-mail addresses reach the text."""

from __future__ import annotations

import json
import threading
from pathlib import Path

import pytest

from brokering import audit
from brokering.cli import main
from brokering.db import transaction
from brokering.store import open_store
from brokering.viewer import Viewer, operator

HEAD = Viewer("headteacher", "A", "head-a")


def write(con, n: int = 6) -> None:
    for i in range(n):
        audit.record(con, HEAD if i % 2 else operator(), "search", {"skill": f"s{i}"})


def ids(con) -> list[int]:
    return [r[0] for r in con.execute("SELECT audit_id FROM audit_log ORDER BY 1").fetchall()]


def test_an_untouched_trail_verifies(con) -> None:
    write(con)
    result = audit.verify(con)
    assert result.ok and result.entries == 6 and result.unchained == 0
    assert result.head_id == ids(con)[-1] and len(result.head_hash) == 64


def test_an_edited_entry_is_found(con) -> None:
    write(con)
    victim = ids(con)[2]
    con.execute('UPDATE audit_log SET detail = \'{"skill": "other"}\' WHERE audit_id = ?', [victim])
    result = audit.verify(con)
    assert not result.ok and any(f"Entry {victim} was changed" in p for p in result.problems)


@pytest.mark.parametrize("column", ["username", "action", "at_time", "school_id", "operator"])
def test_an_edit_to_any_field_is_found(con, column: str) -> None:
    write(con)
    value = "2020-01-01 00:00:00" if column == "at_time" else "someone-else"
    con.execute(f"UPDATE audit_log SET {column} = ? WHERE audit_id = ?", [value, ids(con)[3]])
    assert not audit.verify(con).ok


def test_a_deleted_entry_is_found(con) -> None:
    write(con)
    gone = ids(con)[2]
    con.execute("DELETE FROM audit_log WHERE audit_id = ?", [gone])
    result = audit.verify(con)
    assert not result.ok and any("does not follow" in p for p in result.problems)


def test_an_inserted_entry_is_found(con) -> None:
    write(con)
    a, b = ids(con)[2], ids(con)[3]
    con.execute("UPDATE audit_log SET audit_id = audit_id + 100 WHERE audit_id >= ?", [b])
    prev = con.execute("SELECT entry_hash FROM audit_log WHERE audit_id = ?", [a]).fetchall()[0][0]
    con.execute(
        "INSERT INTO audit_log (audit_id, username, role, action, prev_hash, entry_hash) "
        "VALUES (?, 'intruder', 'alliance_admin', 'search', ?, ?)",
        [b, prev, "0" * 64],
    )
    assert not audit.verify(con).ok
    con.execute("UPDATE audit_log SET prev_hash = NULL, entry_hash = NULL WHERE audit_id = ?", [b])
    assert not audit.verify(con).ok  # a row without hashes inside the chain


def test_a_cut_tail_is_found_against_a_noted_head(con) -> None:
    write(con)
    head = audit.verify(con).head_hash
    con.execute("DELETE FROM audit_log WHERE audit_id = ?", [ids(con)[-1]])
    assert audit.verify(con).ok  # the chain alone cannot see a cut tail…
    assert not audit.verify(con, expect=head).ok  # …a head noted elsewhere can


def test_entries_before_the_chain_began_are_counted_not_failed(con) -> None:
    con.execute(
        "INSERT INTO audit_log (username, role, action) VALUES ('old', 'alliance_admin', 'x')"
    )
    write(con, 3)
    result = audit.verify(con)
    assert result.ok and result.unchained == 1 and result.entries == 4


def test_writers_on_many_threads_and_in_transactions_keep_one_chain(tmp_path: Path) -> None:
    base = open_store(tmp_path / "a.duckdb")

    def writer(k: int) -> None:
        c = base.cursor()
        for i in range(15):
            if i % 5 == 0:
                with transaction(c):
                    audit.record(c, HEAD, "consent.withdraw", {"staff_ref": f"R{k}{i}"})
                    audit.record(c, HEAD, "consent.kept", {"staff_ref": f"R{k}{i}"})
            else:
                audit.record(c, operator(), "search", {"n": i})

    threads = [threading.Thread(target=writer, args=(k,)) for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    result = audit.verify(base)
    assert result.ok, result.problems
    assert result.entries == 4 * 18
    base.close()


def test_the_quick_append_never_chains_onto_a_head_that_is_not_the_stores() -> None:
    """`record` appends after the last entry it wrote in one statement; that entry may have
    been rolled back, another store may be open, or another writer may have drawn ids since.
    Each time the chain must follow the store's own newest entry."""
    a, b = open_store(":memory:"), open_store(":memory:")
    try:
        write(a, 2)
        write(b, 2)  # another store: the head this process remembers is b's now
        write(a, 2)
        a.execute("BEGIN TRANSACTION")
        audit.record(a, HEAD, "consent.withdraw", {"staff_ref": "R1"})
        a.execute("ROLLBACK")  # the remembered head is gone
        write(a, 2)
        a.execute("SELECT nextval('audit_id_seq')").fetchall()  # an id drawn, never written
        write(a, 2)
        for c, n in ((a, 8), (b, 2)):
            result = audit.verify(c)
            assert result.ok, result.problems
            assert result.entries == n and result.unchained == 0
    finally:
        a.close()
        b.close()


def test_secrets_and_emails_never_reach_the_text(con) -> None:
    audit.record(
        con,
        operator(),
        "account.password",
        {
            "username": "ann",
            "password": "hunter2-long",
            "note": "mail jo.b@school.org",
            "x": "y" * 999,
        },
    )
    text = con.execute("SELECT detail FROM audit_log").fetchall()[0][0]
    assert "hunter2" not in text and "jo.b@school.org" not in text
    assert len(json.loads(text)["x"]) < 400


def test_the_command_line_verifies_and_names_its_operator(tmp_path: Path, capsys) -> None:
    db = tmp_path / "a.duckdb"
    c = open_store(db)
    from brokering import accounts

    c.execute("INSERT INTO schools (school_id, name, phase) VALUES ('A', 'Alder', 'primary')")
    accounts.create_user(c, operator(), "head-a", "a-Long-Password-991", "headteacher", "A")
    c.close()
    assert (
        main(
            [
                "--db",
                str(db),
                "--as",
                "head-a",
                "export",
                "schools",
                "--out",
                str(tmp_path / "s.csv"),
            ]
        )
        == 0
    )
    capsys.readouterr()
    assert main(["--db", str(db), "audit", "verify", "--json"]) == 0
    verified = json.loads(capsys.readouterr().out)
    assert set(verified) == {"ok", "entries", "unchained", "head_id", "head_hash", "problems"}
    assert verified["ok"] and verified["entries"] >= 2
    c = open_store(db)
    row = c.execute("SELECT username, operator FROM audit_log WHERE action = 'export'").fetchall()
    assert row and row[0][0] == "head-a" and row[0][1].startswith("command line (")
    c.execute("UPDATE audit_log SET username = 'nobody' WHERE action = 'export'")
    c.close()
    capsys.readouterr()
    assert main(["--db", str(db), "audit", "verify"]) == 1
    assert "TAMPERING FOUND" in capsys.readouterr().out


def test_the_audit_page_shows_columns_and_details_in_words(tiny_db: Path) -> None:
    from streamlit.testing.v1 import AppTest

    c = open_store(tiny_db)
    audit.record(c, operator("ann"), "export", {"table": "staff", "rows": 12})
    c.close()
    root = Path(__file__).parent.parent
    at = AppTest.from_file(str(root / "app.py"), default_timeout=60)
    at.session_state["viewer_role"] = "alliance_admin"
    at.run()
    at.switch_page("app_pages/audit.py").run()
    assert not at.exception
    frame = at.dataframe[0].value
    assert list(frame.columns) == [
        "When (UTC)",
        "Who",
        "Role",
        "School",
        "What",
        "Details",
        "Run by",
    ]
    row = frame[frame["Who"] == "ann"].iloc[0]
    assert row["What"] == "Exported or downloaded"
    assert row["Details"] == "table staff; rows 12" and row["Role"] == "Alliance administrator"
    assert not frame["Details"].str.contains("{", regex=False).any()


def test_a_download_is_audited_as_it_is_served(tmp_path: Path) -> None:
    import ui
    from brokering.sharing import SharedStore

    db = tmp_path / "a.duckdb"
    open_store(db).close()
    store = SharedStore(db)
    serve = ui.served_audited(store, HEAD, b"a,b\r\n1,2\r\n", "needs.csv")
    c = open_store(db)
    assert c.execute("SELECT count(*) FROM audit_log").fetchall() == [(0,)]  # not yet served
    c.close()
    assert serve() == b"a,b\r\n1,2\r\n"
    store.close()
    c = open_store(db)
    rows = c.execute("SELECT username, action, detail FROM audit_log").fetchall()
    c.close()
    assert rows == [("head-a", "export", json.dumps({"download": "needs.csv", "bytes": 10}))]
