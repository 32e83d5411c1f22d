"""Accounts: the alliance administrator creates, disables and resets accounts."""

import streamlit as st

import ui
from brokering import accounts
from brokering.errors import BrokeringError
from brokering.viewer import ALLIANCE_WIDE_ROLES, ROLE_LABELS

viewer = st.session_state["viewer"]
con = ui.connection()

st.title("Accounts")
st.caption("Who may sign in, with which role, for which school. Every change is audited.")

try:
    users = accounts.list_users(con, viewer)
except BrokeringError as exc:
    ui.show_error(exc)
    st.stop()

if users.empty:
    st.info("No accounts yet: create the first below.")
else:
    st.dataframe(
        users,
        hide_index=True,
        width="stretch",
        column_config={
            "username": "Username",
            "role": "Role",
            "school_id": "School",
            "email": "Email (single sign-on)",
            "disabled": "Disabled",
            "failed_attempts": "Failed sign-ins",
            "last_sign_in": "Last sign-in",
            "created_at": "Created",
            "created_by": "Created by",
        },
    )

st.subheader("Create an account")
school_ids = ui.schools()["school_id"].tolist()
with st.form("create_account", clear_on_submit=True):
    username = st.text_input("Username", help="Lower-case letters, digits, . _ -")
    role = st.selectbox("Role", list(ROLE_LABELS), format_func=ROLE_LABELS.get)
    school = st.selectbox(
        "School (for school roles)",
        [None, *school_ids],
        format_func=lambda s: ui.school_label(s) if s else "None",
    )
    email = st.text_input("Email for single sign-on (optional)")
    password = st.text_input(
        "Initial password",
        type="password",
        max_chars=accounts.MAX_PASSWORD,
        help=f"At least {accounts.MIN_PASSWORD} characters; not the username, not a common "
        "password.",
    )
    if st.form_submit_button("Create account", type="primary"):
        try:
            accounts.create_user(
                con,
                viewer,
                username,
                password,
                role,
                None if role in ALLIANCE_WIDE_ROLES else school,
                email,
            )
            st.success(f"Created {ui.plain(username.strip().lower())}.")
            st.rerun()
        except BrokeringError as exc:
            ui.show_error(exc)

st.subheader("Disable, enable, reset or change a role")
st.caption(
    "A change takes effect at once: a disabled account or a new password ends its open "
    "sessions on their next page; a new role applies on their next page."
)
if not users.empty:
    with st.form("change_account"):
        who = st.selectbox("Account", users["username"].tolist())
        action = st.radio(
            "Change", ["Disable", "Enable", "Set a new password", "Change role"], horizontal=True
        )
        new_password = st.text_input(
            "New password (for a reset)", type="password", max_chars=accounts.MAX_PASSWORD
        )
        new_role = st.selectbox(
            "New role (for a role change)", list(ROLE_LABELS), format_func=ROLE_LABELS.get
        )
        new_school = st.selectbox(
            "School (for a school role)",
            [None, *school_ids],
            format_func=lambda s: ui.school_label(s) if s else "None",
            key="change_school",
        )
        if st.form_submit_button("Apply"):
            try:
                if action == "Set a new password":
                    accounts.set_password(con, viewer, who, new_password)
                elif action == "Change role":
                    accounts.set_role(con, viewer, who, new_role, new_school)
                else:
                    accounts.set_disabled(con, viewer, who, action == "Disable")
                st.success(f"{ui.plain(who)}: done.")
                st.rerun()
            except BrokeringError as exc:
                ui.show_error(exc)
