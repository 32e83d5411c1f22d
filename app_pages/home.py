"""Home: what the product does, and what is loaded."""

import streamlit as st

import ui
from brokering.db import table_counts
from brokering.overview import school_summary

viewer = st.session_state["viewer"]
con = ui.connection()

st.title("Alliance Expertise Broker")
st.markdown(
    "Find the strongest practitioners and the best coaches across your alliance's schools, "
    "match them to the development needs of colleagues, and follow each piece of joint "
    "practice development through to evidence that the practice really moved."
)
st.markdown(
    "- **Find expertise** — who is the best teacher of *X*, and separately who is best at "
    "coaching it, with every score explained.\n"
    "- **Coaches and mentors** — the right coach or mentor for one need, or every open need "
    "allocated at once within each person's capacity.\n"
    "- **JPD pairings and transfer evidence** — pairings logged, followed to evidence, and "
    "the unevidenced kept in plain view.\n"
    "- **Data** — what is loaded, and the import of each school's export."
)
counts = table_counts(con)
cols = st.columns(5)
for col, (label, table) in zip(
    cols,
    [
        ("Schools", "schools"),
        ("Staff records", "staff"),
        ("Evidence records", "evidence"),
        ("Coaching records", "coaching"),
        ("Development needs", "needs"),
    ],
    strict=True,
):
    col.metric(label, f"{counts.get(table, 0):,}")

st.subheader("Schools in the alliance")
summary = school_summary(con, viewer)
st.dataframe(
    summary[["name", "phase", "is_hub", "staff", "evidence_rows", "open_needs"]],
    hide_index=True,
    width="stretch",
    column_config={
        "name": "School",
        "phase": "Phase",
        "is_hub": st.column_config.CheckboxColumn("Hub"),
        "staff": "Staff",
        "evidence_rows": "Evidence records",
        "open_needs": "Open needs",
    },
)
st.caption(
    f"You are acting as {viewer.role.replace('_', ' ')}"
    f"{' of ' + ui.plain(ui.school_label(viewer.school_id)) if viewer.school_id else ''}. "
    "Staff appear only as pseudonymous references; names stay with each school."
)
