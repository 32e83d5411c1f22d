"""Audit trail: who did what, when, from which school — for the administrator."""

import streamlit as st

import ui
from brokering import audit, audit_words, dates
from brokering.exporting import to_csv_bytes

viewer = st.session_state["viewer"]
con = ui.connection()

st.title("Audit trail")
st.caption(
    "Every sign-in (and refused sign-in), sign-out, search, profile view, import, "
    "export, request, pairing change and "
    "account change, newest first. Each entry carries a fingerprint of the one before it, "
    "so an entry changed, added or removed behind the app's back is found when the operator "
    "checks the trail."
)
limit = st.number_input("Entries to show", min_value=50, max_value=20_000, value=500, step=50)
chosen = st.multiselect(
    "Actions",
    audit.actions(con),
    default=[],
    format_func=audit_words.action_words,
    placeholder="All actions",
    help="Leave empty to see every action; choose some to see only those.",
)
who = st.multiselect(
    "Who",
    audit.usernames(con, viewer),
    default=[],
    placeholder="Everyone",
    help="Leave empty to see everyone's entries.",
)
shown = audit_words.readable(
    audit.entries(con, viewer, limit=int(limit), actions=chosen or None, usernames=who or None),
    audit_words.school_names(con),
    audit_words.skill_names(con),
)
if shown.empty:
    st.info("Nothing recorded for this choice: choose other actions, or none to see all.")
else:
    ui.table(
        shown,
        {"When (UTC)": st.column_config.DatetimeColumn(format=dates.DAY_SECONDS_FORMAT, step=1)},
    )
    ui.download("Download (CSV)", to_csv_bytes(shown), "audit_trail.csv", mime="text/csv")
