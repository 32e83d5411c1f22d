"""Accounts: the alliance administrator creates, disables and resets accounts.

The forms keep what was typed when a submit is refused, and start empty after a success,
whose message is shown after the page reloads. No role is chosen in advance: an
administrator account is never one careless click away.
"""

import streamlit as st

import ui
from brokering import accounts
from brokering.errors import BrokeringError, ValidationError
from brokering.viewer import ALLIANCE_WIDE_ROLES, ROLE_LABELS

viewer = st.session_state["viewer"]
con = ui.connection()
state = st.session_state

#: The create form's widgets, emptied after an account is made.
_CREATE_KEYS = ("new_username", "new_role", "new_school", "new_email", "new_password")
_CHANGE_KEYS = ("change_password", "change_role", "change_school")

st.title("Accounts")
st.caption("Who may sign in, with which role, for which school. Every change is audited.")

# A success survives the reload that empties the form; the form's fields are cleared here,
# before its widgets exist (Streamlit refuses to change a widget's value after).
if done := state.pop("accounts_done", None):
    st.success(done)
for key in state.pop("accounts_clear", ()):
    state.pop(key, None)

try:
    users = accounts.users_table(con, viewer)
except BrokeringError as exc:
    ui.show_error(exc)
    st.stop()

if users.empty:
    st.info("No accounts yet: create the first below.")
else:
    ui.table(users)


def _school_label(school_id: str | None) -> str:
    return ui.school_label(school_id) if school_id else "No school (an alliance-wide role)"


def _succeeded(message: str, clear: tuple[str, ...]) -> None:
    state["accounts_done"] = message
    state["accounts_clear"] = clear
    st.rerun()


st.subheader("Create an account")
school_ids = ui.schools()["school_id"].tolist()
with st.form("create_account"):
    username = st.text_input(
        "Username", key="new_username", help="Lower-case letters, digits, . _ -"
    )
    role = st.selectbox(
        "Role",
        list(ROLE_LABELS),
        index=None,
        placeholder="Choose a role",
        format_func=ROLE_LABELS.get,
        key="new_role",
    )
    school = st.selectbox(
        "School (for a headteacher or senior leader; optional for an SLE coordinator)",
        [None, *school_ids],
        format_func=_school_label,
        key="new_school",
    )
    email = st.text_input("E-mail for single sign-on (optional)", key="new_email")
    password = st.text_input(
        "Initial password",
        type="password",
        max_chars=accounts.MAX_PASSWORD,
        key="new_password",
        help=f"At least {accounts.MIN_PASSWORD} characters; not the username, not a common "
        "password.",
    )
    created = st.form_submit_button("Create account", type="primary")
if created:
    if role is None:
        st.error("Choose the account's role.")
    else:
        try:
            made = accounts.create_user(
                con,
                viewer,
                username,
                password,
                role,
                None if role in ALLIANCE_WIDE_ROLES else school,
                email,
            )
        except BrokeringError as exc:
            ui.show_error(exc)
        else:
            where = f" at {ui.plain(ui.school_label(made.school_id))}" if made.school_id else ""
            _succeeded(
                f"Created the account {ui.plain(made.username)}: "
                f"{ROLE_LABELS[made.role].lower()}{where}. Give them the "
                "initial password in person; they can change it under Your account.",
                _CREATE_KEYS,
            )

st.subheader("Disable, enable, reset or change a role")
st.caption(
    "A change takes effect at once: a disabled account or a new password ends its open "
    "sessions on their next page; a new role applies on their next page."
)
if not users.empty:
    with st.form("change_account"):
        who = st.selectbox("Account", users["Username"].tolist())
        action = st.radio(
            "Change", ["Disable", "Enable", "Set a new password", "Change role"], horizontal=True
        )
        new_password = st.text_input(
            "New password (for a reset)",
            type="password",
            max_chars=accounts.MAX_PASSWORD,
            key="change_password",
        )
        new_role = st.selectbox(
            "New role (for a role change)",
            list(ROLE_LABELS),
            index=None,
            placeholder="Choose a role",
            format_func=ROLE_LABELS.get,
            key="change_role",
        )
        new_school = st.selectbox(
            "School (for a school role)",
            [None, *school_ids],
            format_func=_school_label,
            key="change_school",
        )
        applied = st.form_submit_button("Apply")
    if applied:
        try:
            if action == "Set a new password":
                accounts.set_password(con, viewer, who, new_password)
                said = "has a new password"
            elif action == "Change role":
                if new_role is None:
                    raise ValidationError("Choose the new role.")
                accounts.set_role(con, viewer, who, new_role, new_school)
                said = f"is now {ROLE_LABELS[new_role].lower()}"
            else:
                accounts.set_disabled(con, viewer, who, action == "Disable")
                said = "is disabled" if action == "Disable" else "is enabled again"
        except BrokeringError as exc:
            ui.show_error(exc)
        else:
            _succeeded(f"{ui.plain(who)} {said}.", _CHANGE_KEYS)
