"""The governors' summary in sentences: one short paragraph per section, written from the
figures the section shows and from nothing else.

Why its own module: a sentence is a second place a figure can appear, so it must obey the
same hiding rule as the table beside it. Every function here reads only figures that are
already suppressed (`transfer.headline`, `outcomes_by`, `trend_by_term`, `flows.balance`,
`maturity.by_school`): a hidden figure arrives as missing and is named as hidden (in
`concepts.hidden_words`), never stated, never compared, and never used in a total or a
difference that would give it away. A change is stated only when both of its ends are
shown; sums run only over cells shown in the same section's chart or table.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from brokering import concepts
from brokering.dashboard.transfer import Figure

_HIDDEN = concepts.hidden_words()

#: How each headline figure reads in a sentence: (its name, how a value is written).
_SPOKEN = {
    "active": ("pairings active", "{:,.0f}"),
    "transferred": ("evidenced transfers", "{:,.0f}"),
    "rate": ("the transfer rate", "{:,.0f}%"),
    "median_days": ("the median time to evidence", "{:,.0f} days"),
    "hours_per_transfer": ("hours per evidenced transfer", "{:,.1f}"),
    "overdue": ("overdue reviews", "{:,.0f}"),
}


def _say(key: str, value: float) -> str:
    return _SPOKEN[key][1].format(value)


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:]


def headline_story(figures: Sequence[Figure], previous: str) -> str:
    """'Pairings active fell from 10 in Summer 2026 to 9 this term. …' — one sentence per
    headline figure. A hidden figure is said to be hidden, and no change is stated beside
    it (the change and the other end would give it back)."""
    out = []
    for f in figures:
        name, _fmt = _SPOKEN.get(f.key, (f.label.lower(), "{:,.1f}"))
        if f.hidden:
            out.append(f"{_sentence(name)} this term is not shown: it rests on {_HIDDEN} people.")
            continue
        if f.value is None:
            out.append(f"No figure yet this term for {name.removeprefix('the ')}.")
            continue
        now = _say(f.key, f.value) if f.key in _SPOKEN else f"{f.value:,.1f}"
        if f.previous_hidden:
            out.append(
                f"{_sentence(name)} this term: {now} (the figure for {previous} is not shown: "
                f"it rests on {_HIDDEN} people)."
            )
        elif f.previous is None:
            out.append(f"{_sentence(name)} this term: {now} (none in {previous} to compare).")
        elif f.previous == f.value:
            out.append(f"{_sentence(name)} stayed at {now}, as in {previous}.")
        else:
            verb = "rose" if f.value > f.previous else "fell"
            before = _say(f.key, f.previous) if f.key in _SPOKEN else f"{f.previous:,.1f}"
            out.append(f"{_sentence(name)} {verb} from {before} in {previous} to {now} this term.")
    return " ".join(out)


def outcomes_story(by_school: pd.DataFrame) -> str:
    """Which receiving school the shown figures put first, how many schools show an
    evidenced transfer, and how many schools are left out as hidden. Only shown cells are
    read; nothing is totalled across schools (a pairing can reach two schools)."""
    if by_school.empty:
        return "No pairings were running in this term."
    shown = by_school.dropna(subset=["pairings"])
    hidden_schools = int(
        by_school.groupby("group")["pairings"].apply(lambda s: s.isna().all()).sum()
    )
    parts = []
    if not shown.empty:
        per_school = (
            shown.groupby("group")["pairings"].sum().sort_values(ascending=False, kind="stable")
        )
        top, n = per_school.index[0], int(per_school.iloc[0])
        ties = int((per_school == per_school.iloc[0]).sum()) - 1
        tied = f" (level with {ties} other school{'s' if ties > 1 else ''})" if ties else ""
        # A school with one outcome hidden is counted on its outcomes shown, and says so.
        partial = bool(by_school.loc[by_school["group"] == top, "pairings"].isna().any())
        partly = ", counting only its outcomes shown" if partial else ""
        parts.append(
            f"Of the schools shown, {top} received the most pairings this term: {n}{partly}{tied}."
        )
        with_transfer = shown[(shown["outcome"] == "transferred") & (shown["pairings"] > 0)]
        k = with_transfer["group"].nunique()
        parts.append(
            f"{k} school{'s' if k != 1 else ''} shown {'have' if k != 1 else 'has'} at least "
            "one evidenced transfer."
            if k
            else "No school shown has an evidenced transfer yet this term."
        )
    if hidden_schools:
        parts.append(
            f"{hidden_schools} school{'s are' if hidden_schools > 1 else ' is'} not shown: "
            f"each rests on {_HIDDEN} people."
        )
    return " ".join(parts)


def trend_story(trend: pd.DataFrame) -> str:
    """The first and the latest shown term of each line, and how many terms are hidden."""
    if trend.empty:
        return "There are no terms with pairings to compare yet."
    parts = []
    for column, name in (
        ("pairings active", "Pairings active"),
        ("evidenced transfers", "Evidenced transfers"),
    ):
        shown = trend.dropna(subset=[column])
        if len(shown) >= 2:
            first, last = shown.iloc[0], shown.iloc[-1]
            a, b = int(first[column]), int(last[column])
            went = "went from" if a != b else "stood at"
            parts.append(
                f"{name} {went} {a:,} in {first['term']} "
                f"{'to ' + format(b, ',') if a != b else 'and again'} in {last['term']}."
            )
        elif len(shown) == 1:
            one = shown.iloc[0]
            parts.append(f"{name}: {int(one[column]):,} in {one['term']}.")
    hidden = int(trend["hidden"].sum()) if "hidden" in trend else 0
    if hidden:
        parts.append(
            f"{hidden} term{'s are' if hidden > 1 else ' is'} not shown: "
            f"{'each rests' if hidden > 1 else 'it rests'} on {_HIDDEN} people."
        )
    return " ".join(parts) or "Every term in this view rests on too few people to show."


def balance_story(balance: pd.DataFrame) -> str:
    """How many schools mostly give, mostly receive or work both ways, the school shown
    giving the most hours, and how many schools' hours are hidden."""
    if balance.empty:
        return "No pairings or coaching ran between schools in this term."
    hidden = balance["hours given"].isna()
    shown = balance[~hidden]
    parts = []
    if not shown.empty:
        kinds = shown["relationship"].value_counts()
        said = [
            f"{int(kinds[k])} {k}" if k != "no cross-school work" else f"{int(kinds[k])} had none"
            for k in ("mostly gives", "mostly receives", "two-way", "no cross-school work")
            if k in kinds
        ]
        parts.append(f"Of the {len(shown)} schools shown: " + ", ".join(said) + ".")
        top = shown.sort_values("hours given", ascending=False, kind="stable").iloc[0]
        if float(top["hours given"]) > 0:
            parts.append(
                f"{top['school']} gave the most hours to other schools "
                f"({float(top['hours given']):,.1f} hours)."
            )
    n = int(hidden.sum())
    if n:
        parts.append(
            f"The hours of {n} school{'s are' if n > 1 else ' are'} not shown: "
            f"some of their work between schools rests on {_HIDDEN} people."
        )
    return " ".join(parts)


def maturity_story(stages: pd.DataFrame, strands: Sequence[str]) -> str:
    """The whole alliance's suggested stage per strand and how the schools spread across
    the stages (a school with no suggested stage is counted as such, not guessed)."""
    if stages.empty:
        return "There are no figures yet to suggest a stage."
    alliance = stages.iloc[0]
    schools = stages.iloc[1:]
    parts = []
    for strand in strands:
        overall = alliance[strand]
        lead = (
            f"For {strand}, the whole alliance's suggested stage is {overall}"
            if isinstance(overall, str)
            else f"For {strand}, there is not enough data to suggest a stage for the alliance"
        )
        counts = schools[strand].dropna().value_counts()
        spread = ", ".join(f"{int(n)} at {stage}" for stage, n in counts.items())
        missing = int(schools[strand].isna().sum())
        if missing:
            spread += (", " if spread else "") + f"{missing} without a suggested stage"
        parts.append(f"{lead}; of its {len(schools)} schools, {spread}." if spread else lead + ".")
    return " ".join(parts)
