"""Audit trail: who did what, when, from which school — for the administrator."""

import streamlit as st

import ui
from brokering import audit
from brokering.exporting import to_csv_bytes

viewer = st.session_state["viewer"]
con = ui.connection()

st.title("Audit trail")
st.caption(
    "Every sign-in, search, profile view, import, export, request, pairing change and "
    "account change, newest first. Each entry carries a fingerprint of the one before it, "
    "so an entry changed, added or removed behind the app's back is found when the operator "
    "checks the trail."
)
limit = st.number_input("Entries to show", min_value=50, max_value=20_000, value=500, step=50)
all_actions = audit.actions(con)
chosen = st.multiselect(
    "Actions",
    all_actions,
    default=all_actions,
    format_func=lambda a: audit.ACTION_WORDS.get(a, a),
)
shown = audit.readable(audit.entries(con, viewer, limit=int(limit), actions=chosen))
if shown.empty:
    st.info("Nothing recorded for this choice.")
else:
    st.dataframe(shown, hide_index=True, width="stretch")
    ui.download("Download (CSV)", to_csv_bytes(shown), "audit_trail.csv", mime="text/csv")
