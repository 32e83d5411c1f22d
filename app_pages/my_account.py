"""Your account: who you are signed in as, and changing your own password."""

import streamlit as st

import gate
import ui
from brokering import accounts
from brokering.errors import BrokeringError
from brokering.viewer import ROLE_LABELS

viewer = st.session_state["viewer"]
con = ui.connection()

st.title("Your account")
school = f", {ui.school_label(viewer.school_id)}" if viewer.school_id else ""
st.text(f"{viewer.username} — {ROLE_LABELS[viewer.role]}{school}")

st.subheader("Change your password")
st.caption(
    f"At least {accounts.MIN_PASSWORD} characters; not your username, and not a common or "
    "published password. Three unrelated words make a good one. Changing it signs out your "
    "other sessions."
)
with st.form("own_password", clear_on_submit=True):
    current = st.text_input("Current password", type="password", max_chars=accounts.MAX_PASSWORD)
    new = st.text_input("New password", type="password", max_chars=accounts.MAX_PASSWORD)
    again = st.text_input("New password again", type="password", max_chars=accounts.MAX_PASSWORD)
    submitted = st.form_submit_button("Change my password", type="primary")
if submitted:
    if new != again:
        st.error("The two new passwords differ.")
    else:
        try:
            accounts.change_own_password(con, viewer, current, new, source=gate.source())
        except BrokeringError as exc:
            ui.show_error(exc)
        else:
            # This session stays signed in; every other one ends at its next page.
            st.session_state["signed_in_stamp"] = accounts.session_stamp(con, viewer.username)
            st.success("Your password has been changed.")
