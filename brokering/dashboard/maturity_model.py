"""The maturity model the Alliance maturity page applies, in our own words: its name, its
stages, the two strands this product serves and what each stage looks like in them, and how
indicators combine into a suggested stage (DOMAIN.md: maturity stages)."""

from __future__ import annotations

STAGES = ("Beginning", "Developing", "Embedding", "Leading")
#: The model the suggestion applies, named on the page.
MODEL = (
    "the four-stage maturity model of a self-improving school system (Beginning, Developing, "
    "Embedding, Leading), in two of its strands: distributed staff information, and "
    "mentoring and coaching"
)
#: How indicators combine into a strand's stage, in words for the page.
COMBINE = (
    "Each indicator supports the stage its value reaches (its thresholds are shown in the same "
    "unit, per cent). A strand's suggested stage is the middle of the stages its indicators "
    "support — the lower middle when their number is even — so one strong figure cannot "
    "carry a strand. An indicator with no data, or hidden because it rests on too few "
    "people, supports no stage."
)
STRANDS = ("staff information", "mentoring and coaching")

#: Our own words for each stage of each strand (DOMAIN.md, restated).
DESCRIPTORS: dict[str, dict[str, str]] = {
    "staff information": {
        "Beginning": "Leaders know who is strong in some areas, but little is written down "
        "or reviewed.",
        "Developing": "Senior staff gather and review what they know of staff strengths, "
        "including how well people work with colleagues, and use it to choose coaches.",
        "Embedding": "Staff strengths are recorded routinely and drive development and the "
        "choice of mentors and coaches; everyone is expected to grow both skills.",
        "Leading": "Strengths are shared across partner schools without breaching "
        "confidence, and the strongest practitioner in each area is known and used.",
    },
    "mentoring and coaching": {
        "Beginning": "Some mentoring and coaching happens, carried by enthusiasts rather than "
        "by any system.",
        "Developing": "A policy is forming and linked to performance management, but mentor "
        "and coach are not yet told apart.",
        "Embedding": "A systematic policy with training; roles are given knowing the "
        "difference between a mentor and a coach.",
        "Leading": "The school trains others, draws on mentors and coaches from outside, and "
        "tries new approaches such as coaching between schools.",
    },
}
