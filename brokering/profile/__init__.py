"""A person behind every reference: one staff reference's strengths, the evidence behind them,
coaching given and received, pairings, time this term, open needs and similar colleagues —
all through the viewer's visibility (issue 21).

Modules: `read` (the small reads, each through the visibility rule), `build` (the profile
put together and audited), `similar` (cosine over skill vectors), `words` (confidence and
"no record yet" as a leader reads them).
"""

from brokering.profile.build import Capacity, Profile, staff_profile
from brokering.profile.read import observers, with_coaching_record
from brokering.profile.similar import Similar, cosine, most_similar
from brokering.profile.words import (
    NO_RECORD,
    coaching_text,
    confidence_bar,
    confidence_text,
    confidence_word,
)

__all__ = [
    "NO_RECORD",
    "Capacity",
    "Profile",
    "Similar",
    "coaching_text",
    "confidence_bar",
    "confidence_text",
    "confidence_word",
    "cosine",
    "most_similar",
    "observers",
    "staff_profile",
    "with_coaching_record",
]
