"""The inbox: what waits for each user, and the decisions taken from it (issue 20).

`build_inbox(con, viewer, as_of=)` lists the items (`items`); `decide_many` answers several
requests with one reason (`actions`); `acknowledge` notes answers read. Lapse and re-offer
(`matching.requests.lapse_due`, `matching.lapse.reoffer`) and the "possibly unavailable" flag
(`matching.availability`) live with the requests they act on; e-mail reminders are in
`reminders`.
"""

from brokering.inbox.actions import Outcome, decide_many
from brokering.inbox.items import KINDS, Inbox, Item, acknowledge, build_inbox, signature

__all__ = [
    "KINDS",
    "Inbox",
    "Item",
    "Outcome",
    "acknowledge",
    "build_inbox",
    "decide_many",
    "signature",
]
