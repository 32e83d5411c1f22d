"""A candidates list laid out: the pool's own columns once per read, the list framed per call.

Why a module of its own, and why two steps: a list asked for again before any write reads
its inputs from memory (`inputs.remembered`), so what is left of its time is scoring the
pool against the need and framing the answer — and most of that was pandas taking the same
columns out of the same frames, turning the same names into text and joining four frames
before sorting them, every time. `lay` does the part that depends only on the list's reads
(the people's and the skill's columns as arrays, school names, close skills' names, judged
pairings, release days) once, with those reads; `ranked_frame` scores the need, orders the
people and frames the columns in that order at once. The answer is the one framed before:
the same columns, values, types and order (tests/test_matching_listing.py, and the lists of
tests/test_matching_candidates.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from pandas.api.extensions import ExtensionDtype

from brokering.matching import availability, model, rules
from brokering.matching.arrays import Arrays
from brokering.matching.needs import Need
from brokering.matching.params import MatchParams
from brokering.matching.pool import phase_mask


@dataclass(frozen=True)
class Laid:
    """The pool's columns for one need's list, index-aligned with `Arrays.refs`; shared
    under the store's change mark, so nothing here is changed after `lay`."""

    #: The people's then the skill's columns, in the list's order of columns, as arrays.
    base: dict[str, Any]
    #: The columns after the score's: close skills' names, judged pairings, release days.
    tail: dict[str, Any]
    school_name: Any
    refs: np.ndarray  # staff_ref, object
    by_ref: np.ndarray  # each person's place in staff_ref order (the last sort key)
    where: dict[str | None, int]  # staff_ref -> place
    expertise: np.ndarray
    source: np.ndarray  # "direct", "close" or blank
    evidence: np.ndarray
    coaching_records: np.ndarray
    hours_left: np.ndarray
    coaching_score: np.ndarray
    mentoring_score: np.ndarray


def _arrays(frame: pd.DataFrame) -> dict[str, Any]:
    """A frame's columns as arrays, each with the type the frame gave it (taking from them
    and framing again gives the same columns as taking rows of the frame)."""
    return {
        str(name): column.array if isinstance(column.dtype, ExtensionDtype) else column.to_numpy()
        for name, column in frame.items()
    }


def lay(
    need: Need,
    arrays: Arrays,
    names: dict[str, str],
    judged: dict[str, tuple[int, int]],
    per_day: float,
) -> Laid:
    """The list's columns that do not depend on scoring the need (see the module note)."""
    people, per_skill = arrays.people, arrays.per_skill[need.skill_id]
    if people["staff_ref"].equals(per_skill["staff_ref"]) and per_skill.columns[0] == "staff_ref":
        frames = [people, per_skill.drop(columns="staff_ref")]  # aligned, as `to_arrays` lays
    else:
        frames = [people.merge(per_skill, on="staff_ref", how="left")]
    base = {name: values for f in frames for name, values in _arrays(f).items()}

    def column(name: str) -> pd.Series:
        return next(f[name] for f in frames if name in f.columns)

    def floats(name: str) -> np.ndarray:
        return column(name).to_numpy(dtype=float)

    refs = column("staff_ref").to_numpy(dtype=object)
    by_ref = np.empty(len(refs), np.int64)
    by_ref[np.argsort(refs, kind="stable")] = np.arange(len(refs))
    source = column("expertise_source").to_numpy(dtype=object)
    schools = column("school_id").tolist()
    tail: dict[str, Any] = {}
    if names:
        tail["expertise_skill"] = [
            names.get(c, need.skill_name) if s == "close" else need.skill_name
            for c, s in zip(column("close_skill_id"), source, strict=True)
        ]
    else:
        tail["expertise_skill"] = [need.skill_name] * len(refs)
    judged_at = [judged.get(r, (0, 0)) for r in refs.tolist()]
    tail["pairings_transferred"] = np.array([j[0] for j in judged_at], np.int64)
    tail["pairings_not_transferred"] = np.array([j[1] for j in judged_at], np.int64)
    # What is left, in release days too (SLE deployment is counted in days).
    tail["days_left"] = (floats("hours_left") / per_day).round(1)
    tail["hours_per_day"] = np.full(len(refs), per_day)
    school_name = (
        [arrays.school_names[x] for x in schools]
        if schools and all(x in arrays.school_names for x in schools)
        else column("school_id").map(arrays.school_names)  # as it always was, empty or blank
    )
    return Laid(
        base=base,
        tail=_arrays(pd.DataFrame(tail, copy=False)),
        school_name=_arrays(pd.DataFrame({"school_name": school_name}))["school_name"],
        refs=refs,
        by_ref=by_ref,
        where={r: i for i, r in enumerate(arrays.refs.tolist())},
        expertise=floats("expertise_score"),
        source=source,
        evidence=floats("evidence_count"),
        coaching_records=floats("coaching_records_in_skill"),
        hours_left=floats("hours_left"),
        coaching_score=floats("coaching_score"),
        mentoring_score=floats("mentoring_score"),
    )


def _taken(values: Any, rows: np.ndarray) -> Any:
    """`rows` of a column laid out by `lay`, typed as it was: a column of objects is framed
    as one (as a plain array, pandas would look again at what it holds and might make it
    text or dates)."""
    taken = values.take(rows)
    return pd.Series(taken, dtype=object, copy=False) if taken.dtype == object else taken


def _need_arrays(need: Need, arrays: Arrays, laid: Laid, params: MatchParams) -> model.Needs:
    """`arrays.need_arrays` for one need, without framing it first."""
    hours = float(need.hours) if need.hours is not None else params.default_hours
    return model.Needs(
        skill=np.array([arrays.skill_index[need.skill_id]], np.int64),
        school=np.array([arrays.school_index[need.school_id]], np.int64),
        phase_mask=np.array([phase_mask(list(need.phases))], np.int64),
        self_idx=np.array([laid.where.get(need.staff_ref, -1)], np.int64),
        manager_idx=np.array([laid.where.get(need.line_manager_ref, -1)], np.int64),
        role=np.array([model.ROLE_CODES[need.wanted_role]], np.int64),
        hours=np.array([hours]),
    )


def ranked_frame(
    need: Need,
    arrays: Arrays,
    laid: Laid,
    params: MatchParams,
    flagged: frozenset[str] = frozenset(),
) -> pd.DataFrame:
    """The ranked list (see `candidates.rank_candidates`): the people and pool rows with
    every part of the score, the reason anyone is not proposed and any flag, best first —
    flagged proposable candidates after the others (`availability.demoted_order`) — with the
    judged pairings and what is left in release days. Every column is taken in the final
    order and framed once: joining frames and then sorting them was most of a remembered
    list's time."""
    needs = _need_arrays(need, arrays, laid, params)
    block = model.score_block(needs, arrays.pool, arrays.distance, params)
    as_mentor, lm, same = block.as_mentor[0], block.is_line_manager[0], block.same_school[0]
    proposable = block.proposable[0]
    reasons = rules.not_proposed_reasons(
        {stage: block.stage_ok[stage][0] for stage in model.STAGES},
        laid.expertise,
        laid.source,
        laid.evidence,
        laid.coaching_records,
        laid.hours_left,
        float(needs.hours[0]),
        params.min_expertise,
    )
    close = laid.source == "close"
    lm_flag, close_flag = rules.FLAGS["line_manager_coach"], rules.FLAGS["close_skill"]
    flags = np.where(
        lm & close,
        f"{lm_flag}; {close_flag}",
        np.where(lm, lm_flag, np.where(close, close_flag, "")),
    )
    # Proposable first, then by score, expertise and staff_ref (the last makes it total).
    keep = np.flatnonzero(block.stage_ok["self"][0])
    keys = (laid.by_ref, -laid.expertise, -block.score[0], ~proposable)
    order = keep[np.lexsort(tuple(k[keep] for k in keys))]
    moved = availability.demoted_order(proposable[order], laid.refs[order], flagged)
    if moved is not None:
        order = order[moved]
    # A list of no one is framed from everyone's rows and cut to none, so that its columns
    # have the types they have when anyone is listed (text, not objects).
    rows = order if len(order) or not len(laid.refs) else np.arange(len(laid.refs))
    columns: dict[str, Any] = {"rank": np.arange(1, len(rows) + 1, dtype=np.int64)}
    columns.update((name, _taken(values, rows)) for name, values in laid.base.items())
    columns["school_name"] = _taken(laid.school_name, rows)
    for part in model.PART_NAMES:
        columns[f"part_{part}"] = block.parts[part][0][rows]
    columns["match_score"] = block.score[0][rows]
    columns["proposed_as"] = np.where(as_mentor, "mentor", "coach")[rows]
    columns["craft_score"] = np.where(as_mentor, laid.mentoring_score, laid.coaching_score)[rows]
    columns["phase_fit"] = block.phase[0][rows]
    columns["same_school"] = same[rows]
    columns["distance_km"] = np.where(same, 0.0, block.distance_km[0]).round(1)[rows]
    columns["is_line_manager"] = lm[rows]
    columns["need_hours"] = needs.hours[0]
    columns["not_proposed_reason"] = reasons[rows]
    columns["proposable"] = proposable[rows]
    columns["flags"] = flags[rows].tolist()
    columns.update((name, _taken(values, rows)) for name, values in laid.tail.items())
    frame = pd.DataFrame(columns, index=pd.RangeIndex(len(rows)), copy=False)
    return frame if rows is order else frame.iloc[:0]
