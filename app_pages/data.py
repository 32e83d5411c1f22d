"""Data: what is loaded, data-quality warnings, and the import form."""

import tempfile
from pathlib import Path

import pandas as pd
import streamlit as st

import ui
from brokering import consent
from brokering.errors import BrokeringError
from brokering.exporting import to_csv_bytes
from brokering.find.maintenance import after_import
from brokering.importing import import_paths
from brokering.overview import quality_warnings, recent_imports, school_summary

viewer = st.session_state["viewer"]
con = ui.connection()

st.title("Data")
st.caption("What the alliance's store holds, and the import of each school's export.")

st.subheader("Loaded, school by school")
summary = school_summary(con, viewer)
st.dataframe(
    summary.drop(columns=["school_id"]),
    hide_index=True,
    width="stretch",
    column_config={
        "name": "School",
        "phase": "Phase",
        "is_hub": st.column_config.CheckboxColumn("Hub"),
        "staff": "Staff",
        "sharing_consent": "Sharing alliance-wide",
        "evidence_rows": "Evidence records",
        "latest_evidence": "Latest evidence",
        "open_needs": "Open needs",
    },
)
ui.download(
    "Download this table (CSV)", to_csv_bytes(summary), "schools_loaded.csv", mime="text/csv"
)

st.subheader("Data-quality warnings")
warnings = quality_warnings(con)
if not warnings:
    st.success("No data-quality warnings.")
for w in warnings:
    (st.warning if w.severity == "warning" else st.info)(f"{w.count:,} {ui.plain(w.message)}.")

st.subheader("Recent imports")
imports = recent_imports(con)
if imports.empty:
    st.info("Nothing has been imported yet.")
else:
    st.dataframe(imports, hide_index=True, width="stretch")

st.subheader("Sharing consent")
if viewer.sees_everyone or viewer.role in ("headteacher", "senior_leader"):
    st.caption(
        "A person is visible to partner schools only with their consent. A withdrawal "
        "takes effect at once, is logged, and is never undone by re-importing an "
        "older export."
    )
    roster = consent.own_school_consent(con, viewer)
    if roster.empty:
        st.info("No current staff recorded for your school.")
    else:
        with st.form("consent_form"):
            who = st.selectbox(
                "Member of staff (pseudonymous reference)", roster["staff_ref"].tolist()
            )
            choice = st.radio(
                "Alliance-wide sharing", ["Consents", "Does not consent"], horizontal=True
            )
            if st.form_submit_button("Record consent"):
                try:
                    consent.set_consent(con, viewer, who, choice == "Consents")
                    st.success(f"Recorded for {ui.plain(who)}.")
                except BrokeringError as exc:
                    ui.show_error(exc)
        st.dataframe(consent.own_school_consent(con, viewer), hide_index=True, width="stretch")

st.subheader("Import files")
if viewer.role != "alliance_admin":
    st.info(
        "Imports are made by the alliance administrator (the data manager). Choose that "
        "role in the sidebar to import."
    )
    st.stop()

st.markdown(
    "Upload one or more files named after their table — `schools`, `staff`, `evidence`, "
    "`coaching`, `needs`, `pairings`, `pairing_evidence` (.csv or .xlsx). Every row is "
    "checked first; if any row is refused, nothing is written. Templates are in "
    "`data/templates/`."
)
with st.form("import_form"):
    files = st.file_uploader("Files to import", type=["csv", "xlsx"], accept_multiple_files=True)
    scale = st.radio(
        "How are numeric strengths written in these files?",
        ["4-best", "1-best"],
        index=None,
        format_func={
            "4-best": "4 is the strongest (1-4)",
            "1-best": "1 is the strongest (1 = outstanding)",
        }.get,
        help="Words such as outstanding or good are always understood. Numbers are not read "
        "until you say which way round they go.",
    )
    dry_run = st.checkbox("Check only (write nothing)")
    submitted = st.form_submit_button("Check and import", type="primary")

if submitted:
    if not files:
        st.warning("Choose at least one file to import.")
        st.stop()
    with tempfile.TemporaryDirectory(prefix="upload-") as tmp:
        paths = []
        for f in files:
            target = Path(tmp) / Path(f.name).name
            target.write_bytes(f.getvalue())
            paths.append(target)
        try:
            with st.spinner("Checking every row…"):
                report = import_paths(con, paths, viewer, strength_scale=scale, dry_run=dry_run)
            if report.ok and report.applied:
                with st.spinner("Laying the store out for fast searches…"):
                    after_import(con, True)
        except BrokeringError as exc:
            ui.show_error(exc)
            st.stop()
    if report.ok and report.applied:
        st.success(
            "Imported. "
            + "; ".join(
                f"{ui.plain(o.file)}: {o.added} added, {o.updated} updated, {o.unchanged} unchanged"
                for o in report.outcomes
            )
        )
        ui.refresh_cached()
    elif report.ok:
        st.success(
            "Every row is valid. Nothing was written (check only). "
            + "; ".join(
                f"{ui.plain(o.file)}: {o.added} would be added, {o.updated} updated"
                for o in report.outcomes
            )
        )
    else:
        st.error(
            f"Refused: {report.problem_count} problem(s) found, so nothing was written. "
            "Fix them in the file and upload it again."
        )
        problems = pd.DataFrame([p.__dict__ for p in report.problems])
        st.dataframe(
            problems,
            hide_index=True,
            width="stretch",
            column_config={
                "file": "File",
                "line": "Line",
                "column": "Column",
                "value": "Value",
                "message": "What is wrong",
            },
        )
        ui.download(
            "Download the problems (CSV)",
            to_csv_bytes(problems),
            "import_problems.csv",
            mime="text/csv",
        )
    for note in report.notes:
        st.caption(ui.plain(note))
