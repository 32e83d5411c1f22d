"""Privacy by construction: pseudonyms at the door, visibility in SQL, every staff query
takes the acting viewer."""

import ast
import inspect
import pkgutil
from pathlib import Path

import pytest

import brokering
from brokering.errors import PermissionDenied, ValidationError
from brokering.importing import import_paths
from brokering.pseudonymise import alliance_key, pseudonym, staff_pseudonym
from brokering.viewer import Viewer
from brokering.visibility import suppress, visible_staff_sql
from tests.conftest import TINY_TODAY

KEY = b"an-alliance-secret-of-some-length"


def test_pseudonym_is_stable_keyed_and_opaque() -> None:
    a = pseudonym(" Jane.Smith@School.org ", KEY)
    assert a == pseudonym("jane.smith@school.org", KEY)
    assert a != pseudonym("jane.smith@school.org", b"another-secret-entirely!!")
    assert a.startswith("P") and len(a) == 13 and "smith" not in a.lower()


def test_missing_or_short_key_is_refused(monkeypatch) -> None:
    monkeypatch.delenv("BROKERING_PSEUDONYM_KEY", raising=False)
    with pytest.raises(ValidationError, match="alliance secret"):
        alliance_key()
    with pytest.raises(ValidationError, match="at least 32"):
        alliance_key("x" * 16)
    with pytest.raises(ValidationError, match="too regular"):
        alliance_key("x" * 40)
    good = "q7Fz-2mLk9RbW4tYc8NvXpA3sDhJ6uEe"
    assert alliance_key(good) == good.encode()


def test_import_with_emails_stores_only_pseudonyms(tiny, admin, tmp_path: Path) -> None:
    (tmp_path / "staff.csv").write_text(
        "staff_ref,school_id,role,line_manager_ref\n"
        "jo.bloggs@alder.sch.uk,A,teacher,\n"
        "amy.lee@alder.sch.uk,A,teacher,jo.bloggs@alder.sch.uk\n"
    )
    (tmp_path / "evidence.csv").write_text(
        "staff_ref,skill,evidence_type,strength,date,recorded_by\n"
        "amy.lee@alder.sch.uk,Questioning,observation,4,2026-10-01,jo.bloggs@alder.sch.uk\n"
        "amy.lee@alder.sch.uk,Questioning,observation,3,2026-10-02,SLT\n"
    )
    report = import_paths(tiny, [tmp_path], admin, today=TINY_TODAY, pseudonym_key=KEY)
    assert report.ok, [str(p) for p in report.problems]
    dump = repr(tiny.execute("SELECT * FROM staff").fetchall()) + repr(
        tiny.execute("SELECT * FROM evidence").fetchall()
    )
    assert "@" not in dump and "bloggs" not in dump
    # Identity is school + the school's own identifier (here an e-mail address).
    amy = staff_pseudonym("A", "amy.lee@alder.sch.uk", KEY)
    jo = staff_pseudonym("A", "jo.bloggs@alder.sch.uk", KEY)
    assert tiny.execute(
        "SELECT line_manager_ref FROM staff WHERE staff_ref = ?", [amy]
    ).fetchall() == [(jo,)]
    assert sorted(
        r[0]
        for r in tiny.execute(
            "SELECT recorded_by FROM evidence WHERE staff_ref = ?", [amy]
        ).fetchall()
    ) == sorted(["SLT", jo])
    again = import_paths(tiny, [tmp_path], admin, today=TINY_TODAY, pseudonym_key=KEY)
    assert sum(o.added for o in again.outcomes) == 0


def test_emails_without_pseudonymising_are_refused(tiny, admin, tmp_path: Path) -> None:
    (tmp_path / "staff.csv").write_text("staff_ref,school_id,role\njo@alder.sch.uk,A,teacher\n")
    report = import_paths(tiny, [tmp_path], admin, today=TINY_TODAY)
    assert not report.ok and report.problems[0].column == "staff_ref"


@pytest.mark.parametrize(
    ("viewer", "expected"),
    [
        (Viewer("alliance_admin"), {"A1", "A2", "A3", "B1", "B2", "B3", "C1"}),
        (Viewer("headteacher", "A"), {"A1", "A2", "A3", "B1", "B2", "B3", "C1"}),
        (Viewer("senior_leader", "B"), {"A1", "A2", "B1", "B2", "B3", "C1"}),
        (Viewer("sle_coordinator"), {"A1", "A2", "B1", "B2", "B3", "C1"}),
        (Viewer("viewer"), set()),
    ],
)
def test_visible_staff_by_role_school_and_consent(tiny, viewer, expected) -> None:
    where, params = visible_staff_sql(viewer, "st")
    got = {
        r[0]
        for r in tiny.execute(f"SELECT staff_ref FROM staff st WHERE {where}", params).fetchall()
    }
    assert got == expected  # A3 (no consent) only for own school; C2 (leaver) never


def test_aggregate_only_role_is_refused_lists() -> None:
    with pytest.raises(PermissionDenied):
        Viewer("viewer").require_listing()


def test_suppression_threshold() -> None:
    assert [suppress(n) for n in (0, 1, 2, 3, 10)] == [0, None, None, 3, 10]
    assert suppress(4, threshold=5) is None


# -- every function that reads staff data takes the viewer ---------------------------------
_STAFF_SQL_MARKERS = (
    "FROM staff",
    "JOIN staff",
    "FROM evidence",
    "JOIN evidence",
    "FROM coaching",
    "JOIN coaching",
    "FROM needs",
    "JOIN needs",
)
#: Functions that touch staff tables without acting for a viewer, and why.
_EXEMPT = {
    "brokering.importing": "writes imports; guarded by the administrator check",
    "brokering.store": "builds and clears the store (operator only)",
    "brokering.db": "generic table counts",
    "brokering.overview.quality_warnings": "counts only, no people",
    "brokering.demo": "writes the demo files",
    "brokering.find.maintenance": "physical layout of tables",
    "brokering.find.people_parts": "the stored parts re-worked after a write (layout, no viewer)",
    "brokering.find.parts_sql": "the SQL of the stored parts (layout, no viewer)",
    "brokering.find.routes": "ranks under the predicate `staff_filters` builds from the viewer",
    "brokering.accounts": "accounts, not staff",
    "brokering.coaching_records.coaching_records_sql": "returns SQL text, reads nothing: the "
    "coaching-score relation, joined by scoring queries that filter by the viewer",
}


def _public_functions():
    for info in pkgutil.walk_packages(brokering.__path__, "brokering."):
        if info.name.endswith("__main__"):
            continue
        module = __import__(info.name, fromlist=["_"])
        source_file = inspect.getsourcefile(module)
        if not source_file:
            continue
        tree = ast.parse(Path(source_file).read_text())
        for node in tree.body:
            if isinstance(node, ast.FunctionDef) and not node.name.startswith("_"):
                yield info.name, node, ast.get_source_segment(Path(source_file).read_text(), node)


def test_every_public_staff_query_takes_a_viewer() -> None:
    offenders = []
    for module, node, source in _public_functions():
        qualified = f"{module}.{node.name}"
        if any(qualified.startswith(k) for k in _EXEMPT):
            continue
        if not any(m in (source or "") for m in _STAFF_SQL_MARKERS):
            continue
        annotations = [
            ast.unparse(a.annotation)
            for a in node.args.args + node.args.kwonlyargs
            if a.annotation is not None
        ]
        if not any("Viewer" in a for a in annotations):
            offenders.append(qualified)
    assert offenders == [], f"these read staff data without taking the acting Viewer: {offenders}"


def test_the_viewer_check_can_fail() -> None:
    source = "def leak(con):\n    return con.execute('SELECT * FROM staff').df()\n"
    node = ast.parse(source).body[0]
    assert isinstance(node, ast.FunctionDef)
    annotations = [a.annotation for a in node.args.args if a.annotation is not None]
    assert not annotations and "FROM staff" in source


# -- consent recorded in the app ----------------------------------------------------------
def test_withdrawal_hides_at_once_and_is_logged(tiny) -> None:
    from brokering import consent

    partner = Viewer("senior_leader", "A")
    where, params = visible_staff_sql(partner, "st")

    def seen() -> set[str]:
        rows = tiny.execute(f"SELECT staff_ref FROM staff st WHERE {where}", params).fetchall()
        return {r[0] for r in rows}

    assert "B2" in seen()
    consent.set_consent(tiny, Viewer("headteacher", "B", "head-b"), "B2", False)
    assert "B2" not in seen()
    history = consent.consent_history(tiny, Viewer("headteacher", "B"), "B2")
    assert history.iloc[0]["source"] == "app" and not history.iloc[0]["share_consent"]
    actions = [r[0] for r in tiny.execute("SELECT action FROM audit_log").fetchall()]
    assert "consent.withdraw" in actions


def test_only_own_school_records_consent(tiny) -> None:
    from brokering import consent

    with pytest.raises(PermissionDenied):
        consent.set_consent(tiny, Viewer("headteacher", "A"), "B2", False)
    with pytest.raises(PermissionDenied):
        consent.consent_history(tiny, Viewer("headteacher", "A"), "B2")


def test_app_withdrawal_survives_reimport_of_older_export(tiny, admin, tiny_dir) -> None:
    from datetime import date

    from brokering import consent

    consent.set_consent(tiny, admin, "B2", False, on=date(2026, 11, 1))
    report = import_paths(tiny, [tiny_dir], admin, today=TINY_TODAY)
    assert report.ok
    assert tiny.execute("SELECT share_consent FROM staff WHERE staff_ref = 'B2'").fetchall() == [
        (False,)
    ]
    assert any("B2" in n for n in report.notes)


def test_no_page_renders_raw_html() -> None:
    root = Path(__file__).resolve().parents[1]
    for path in [
        root / "app.py",
        *sorted(root.glob("ui*.py")),
        root / "gate.py",
        *sorted((root / "app_pages").glob("*.py")),
    ]:
        assert "unsafe_allow_html" not in path.read_text(), path.name
