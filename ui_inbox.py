"""Streamlit-side keeping of the acting user's inbox: worked out once per change, not per run.

The navigation shows the inbox's count on every page, so the inbox is kept in the session
and rebuilt only when `inbox.signature` (cheap counts over requests, needs, pairings and
confirmations, and today's date) changes — never on a timer, so a decision shows at once.
"""

from __future__ import annotations

import streamlit as st

from brokering.db import Connection
from brokering.inbox import Inbox, build_inbox, signature
from brokering.viewer import Viewer

_KEY = "inbox_cache"


def current_inbox(con: Connection, viewer: Viewer) -> Inbox:
    """The viewer's inbox, rebuilt when the store changed since it was built."""
    sig = signature(con, viewer)
    held = st.session_state.get(_KEY)
    if held is not None and held[0] == sig:
        return held[1]
    box = build_inbox(con, viewer)
    # Building may lapse requests, which changes the signature: key on the state after it.
    st.session_state[_KEY] = (signature(con, viewer), box)
    return box


def forget() -> None:
    """After a write this session made, rebuild on the next run."""
    st.session_state.pop(_KEY, None)


def nav_title(title: str, count: int) -> str:
    """Home's title in the navigation: its count of waiting items, when there are any."""
    return f"{title} ({count})" if count else title
