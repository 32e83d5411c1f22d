"""Data: what is loaded, data-quality warnings, and the import form."""

import tempfile
from pathlib import Path

import pandas as pd
import streamlit as st

import ui
import ui_imports
from brokering import concepts, consent, dates
from brokering import mapping as maps
from brokering.errors import BrokeringError
from brokering.exporting import to_csv_bytes
from brokering.find.maintenance import after_import
from brokering.importing import import_paths
from brokering.overview import (
    quality_warning_rows,
    quality_warnings,
    recent_imports,
    school_summary,
)
from brokering.pseudonymise import alliance_key

#: The strength scales offered, in words; "none" reads words only (numbers are refused).
SCALES = {
    "4-best": "4 is the strongest (1-4)",
    "1-best": "1 is the strongest (1 = outstanding)",
    "none": "These files hold no numeric strengths (words only, or none)",
}
SCALE_READ = {"4-best": "4-best", "1-best": "1-best", "none": None}

viewer = st.session_state["viewer"]
con = ui.connection()

st.title("Data")
st.caption("What the alliance's store holds, and the import of each school's export.")

st.subheader("Loaded, school by school")
summary = school_summary(con, viewer)
loaded = summary.drop(columns=["school_id"]).assign(
    phase=summary["phase"].fillna(dates.NONE),
    # A partner school's count of one or two people is withheld (never None on screen): such
    # a column is written out; one with nothing withheld stays figures, sorted by size.
    **{
        col: summary[col].map(lambda v: concepts.hidden_words() if pd.isna(v) else f"{int(v):,}")
        for col in ("staff", "sharing_consent", "open_needs")
        if summary[col].isna().any()
    },
)
ui.table(
    loaded,
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
    if viewer.aggregate_only:
        continue
    with st.expander(f"The rows behind this: {ui.plain(w.message)}"):
        rows = quality_warning_rows(con, viewer, w.key)
        if len(rows) < w.count:
            st.caption(
                f"You see {len(rows):,} of the {w.count:,}: the rest are at partner schools "
                "whose staff have not consented to sharing, or have left."
            )
        if rows.empty:
            st.info("None of these rows is one your role may see.")
        else:
            ui.table(rows)
            ui.download(
                "Download these rows (CSV)",
                to_csv_bytes(rows),
                f"data_quality_{w.key}.csv",
                mime="text/csv",
                key=f"download_quality_{w.key}",
            )

st.subheader("Recent imports")
imports = recent_imports(con)
if imports.empty:
    st.info("Nothing has been imported yet.")
else:
    ui.table(
        imports,
        hide_index=True,
        width="stretch",
        column_config={
            "batch": st.column_config.TextColumn("Reference", width="small"),
            "imported_at": "Imported",
            "username": "By",
            "files": "Files",
            "rows_added": "Rows added",
            "rows_updated": "Rows updated",
            "outcome": "Outcome",
        },
    )

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
        ui_imports.consent_table(consent.own_school_consent(con, viewer))
else:
    st.info(
        "Each school's headteacher and senior leaders record their own staff's consent; "
        "the alliance administrator sees every school's."
    )

st.subheader("Import files")
if viewer.role != "alliance_admin":
    st.info(
        "Imports are made by the alliance administrator (the data manager). Send your "
        "school's files to them."
    )
    st.stop()

st.markdown(
    "Upload this term's files as they come — exports from SIMS, Arbor or Bromcom, "
    "observation trackers, CPD logs, consent forms — or the templates in `data/templates/`. "
    "Each file's table, header row and columns are proposed below: check them, say what is "
    "still unclear, and import. Names are never read; if any row is refused, nothing is "
    "written."
)
scale = st.radio(
    "First: how are numeric strengths written in these files?",
    [*SCALES],
    index=None,
    format_func=SCALES.get,
    key="strength_scale",
    help="Words such as outstanding or good are always understood. Numbers are not read "
    "until you say which way round they go: many schools write 1 for outstanding.",
)
if scale is None:
    st.caption(
        "Choose this before the files: numbers such as 1-4 cannot be imported until you "
        "say which way round they go."
    )
generation = st.session_state.setdefault("upload_generation", 0)
uploads = st.file_uploader(
    "Files to import",
    type=["csv", "tsv", "txt", "xlsx"],
    accept_multiple_files=True,
    disabled=scale is None,
    key=f"uploads_{generation}",  # a new key after each import: the uploader starts empty
)
school_ids = maps.school_choices(con)
school = st.selectbox(
    "Whose files are these? (for files without a school column)",
    [None, *school_ids],
    format_func=lambda s: "Not one school" if s is None else ui.school_label(s),
)
pseudonymise = st.checkbox(
    "Replace staff codes and e-mail addresses with keyed pseudonyms (recommended)",
    value=True,
    help="A person is their school plus that school's own staff code, so the same "
    "initials at two schools stay two people. Untick only for files that already hold "
    "the alliance's pseudonymous references.",
)
accept_moves = st.checkbox(
    "Apply moves between schools",
    help="A person already held at one school and listed at another is refused unless "
    "this is ticked; moves are listed in the report.",
)
dry_run = st.checkbox("Check only (write nothing)")


def _import_uploads() -> None:
    """Propose, review and import the uploaded files (returns early at each stop)."""
    with tempfile.TemporaryDirectory(prefix="upload-") as tmp:
        try:
            proposals, refused_files = maps.propose_uploads(
                con, Path(tmp), [(f.name, f.getvalue()) for f in uploads], school
            )
        except BrokeringError as exc:
            ui.show_error(exc)
            return
        for message in refused_files:
            st.error(message)
        confirmed = []
        for i, (path, source, proposed) in enumerate(proposals):
            st.markdown(f"#### {ui.plain(proposed.file)}")
            where = f"sheet “{ui.plain(proposed.sheet)}”, " if proposed.sheet else ""
            made_by = f" — looks like a {proposed.source} export" if proposed.source else ""
            row = proposed.header_row
            what = maps.table_words(proposed.table)
            st.caption(f"Read as **{what}**{made_by}; {where}header on row {row}.")
            columns = st.data_editor(
                maps.column_table(proposed, source),
                key=f"mapping-columns-{i}-{proposed.file}",
                hide_index=True,
                width="stretch",
                disabled=[maps.COLUMN, maps.EXAMPLE],
                column_config={
                    maps.TARGET: st.column_config.SelectboxColumn(
                        maps.TARGET,
                        options=maps.target_choices(proposed.table),
                        required=True,
                        help="What the file's column holds, in the alliance's columns; or leave "
                        "it out (not read); or keep it only as a pseudonym (a keyed hash).",
                    )
                },
            )
            value_rows = maps.value_table(proposed)
            values = None
            if not value_rows.empty:
                st.caption("What the file's words mean:")
                values = st.data_editor(
                    value_rows,
                    key=f"mapping-values-{i}-{proposed.file}",
                    hide_index=True,
                    width="stretch",
                    disabled=[maps.VALUE_COLUMN, maps.VALUE],
                )
            file_school = school
            if maps.needs_school(proposed):
                own = st.selectbox(
                    "Whose file is this?",
                    [None, *school_ids],
                    format_func=lambda s: "As chosen above" if s is None else ui.school_label(s),
                    key=f"mapping-school-{i}-{proposed.file}",
                )
                file_school = own or school
            mapped = maps.revise(
                proposed, source, columns, values, file_school, known_schools=set(school_ids)
            )
            for question in mapped.unresolved:
                st.warning(question.message)
            st.caption("The first rows as they will be read:")
            shown = maps.preview(mapped, source, school_names=ui.school_names())
            st.dataframe(shown, hide_index=True, width="stretch")
            confirmed.append((path, mapped))

        if not confirmed:
            return
        mapping = maps.Mapping([m for _, m in confirmed])
        if not mapping.complete:
            st.info("Settle the points above to import these files.")
        else:
            with st.expander("Save these columns for next term's files"):
                name = st.text_input("Name", placeholder="e.g. Cedar School Bromcom staff list")
                if st.button("Save the mapping") and name:
                    try:
                        maps.save_mapping(con, viewer, name, mapping)
                        st.success(
                            f"Saved as “{name}”: next term's files with these columns "
                            "are read the same way."
                        )
                    except BrokeringError as exc:
                        ui.show_error(exc)
        if scale is None:
            st.info("Say above how numeric strengths are written, then check the files.")
        if not st.button(
            "Check and import", type="primary", disabled=not mapping.complete or scale is None
        ):
            return
        try:
            # An import reads files, so it runs on its own short-lived connection.
            with ui.import_connection() as import_con:
                with st.spinner("Checking every row…"):
                    report = import_paths(
                        import_con,
                        [p for p, _ in confirmed],
                        viewer,
                        strength_scale=SCALE_READ[scale],
                        dry_run=dry_run,
                        mapping=mapping,
                        pseudonym_key=(
                            alliance_key(ui.pseudonym_secret()) if pseudonymise else None
                        ),
                        accept_moves=accept_moves,
                    )
                if report.ok and report.applied:
                    with st.spinner("Laying the store out for fast searches…"):
                        after_import(import_con, True)
        except BrokeringError as exc:
            ui.show_error(exc)
            return
        st.session_state[ui_imports.LAST_REPORT] = {"report": report, "files": _chosen()}
        if report.applied:
            # Start again with an empty uploader and tables that include the new rows; the
            # report is kept in the session and shown where the files were.
            ui.refresh_cached()
            st.session_state["upload_generation"] = generation + 1
            st.rerun()


def _chosen() -> tuple:
    """What is uploaded now (names and sizes): the last report is shown while it matches."""
    return tuple((f.name, f.size) for f in uploads or ())


if uploads:
    _import_uploads()
last = st.session_state.get(ui_imports.LAST_REPORT)
if last and last["report"].applied and not uploads:
    st.markdown("#### The last import")
    ui_imports.show_report(last["report"])
elif last and uploads and last["files"] == _chosen():
    st.markdown("#### The last check of these files")
    ui_imports.show_report(last["report"])
ui_imports.value_questions_section(ui.connection(), viewer)
ui_imports.undo_section(ui.connection(), viewer)
