"""The demo alliance: ten fictional schools around the fictional town of Marlowick, built
deterministically from one seed and one "as of" date (`alliance`, with its `cast` and
`roster`), and JPD pairings in every state (`pairings`, from `people` and `pairings_log`)."""

from brokering.demo.alliance import STORY, demo_story, write_demo_csvs
from brokering.demo.cast import ALIASES, DEMO_AS_OF, DEMO_SEED, EV_TYPES, RECENT_DAYS, ROLES
from brokering.demo.pairings import write_demo_pairings

__all__ = [
    "ALIASES",
    "DEMO_AS_OF",
    "DEMO_SEED",
    "EV_TYPES",
    "RECENT_DAYS",
    "ROLES",
    "STORY",
    "demo_story",
    "write_demo_csvs",
    "write_demo_pairings",
]
