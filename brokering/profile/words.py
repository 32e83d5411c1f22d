"""How a confidence and a coaching score are said to a school leader.

A confidence of 0.5881 means "about half of this estimate rests on evidence, the rest on the
neutral starting point"; leaders read that better as a word and a bar than as "58.81%". And a
coaching score made of the neutral starting point alone is not a judgement of anyone's
coaching: it is shown as "no record yet", never as the prior's number.
"""

from __future__ import annotations

import math

#: Confidence below LOW_BELOW is "low", below HIGH_FROM "moderate", otherwise "high". With the
#: prior worth three records, one fresh observation gives 0.25 (low), three give 0.5
#: (moderate) and seven give 0.7 (high).
LOW_BELOW = 0.4
HIGH_FROM = 0.7
NO_RECORD = "no record yet"
CONFIDENCE_WORDS = ("low", "moderate", "high")


def confidence_word(confidence: float | None) -> str:
    """ "low", "moderate" or "high"; an unknown confidence is "low" (nothing to rest on)."""
    if confidence is None or (isinstance(confidence, float) and math.isnan(confidence)):
        return "low"
    if confidence < LOW_BELOW:
        return "low"
    return "moderate" if confidence < HIGH_FROM else "high"


def confidence_bar(confidence: float | None, width: int = 10) -> str:
    """A text bar (▮▮▮▯▯▯▯▯▯▯) for places that cannot draw one (the command line)."""
    value = 0.0 if confidence is None or math.isnan(confidence) else min(max(confidence, 0), 1)
    filled = round(value * width)
    return "▮" * filled + "▯" * (width - filled)


def confidence_text(confidence: float | None) -> str:
    return f"{confidence_bar(confidence)} {confidence_word(confidence)}"


def coaching_text(score: float | None, has_record: bool) -> str:
    """The coaching score as a leader should read it: a number only when it rests on some
    coaching record (outcomes, coachee feedback, coaching-feedback evidence)."""
    if not has_record or score is None or math.isnan(score):
        return NO_RECORD
    return f"{score:.1f}"
