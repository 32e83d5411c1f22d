"""A scored pool as numpy arrays for the model and the solver: the people's attributes
(school, role, phases, consent, line manager, hours left), the schools and their distances,
and each need's row. Split from `pool` (which scores who could help) because this part only
lays out what has been scored."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from brokering.db import Connection, query_df
from brokering.matching.capacity import capacity_left
from brokering.matching.model import ROLE_CODES, Needs, Places, Pool
from brokering.matching.params import MatchParams
from brokering.matching.pool import SkillPool, phase_mask
from brokering.viewer import Viewer


def staff_attributes(
    con: Connection, viewer: Viewer, refs: list[str], *, as_of: date, params: MatchParams
) -> pd.DataFrame:
    """School, role, phases, consent, line manager and hours left for the given people."""
    frame = capacity_left(
        con,
        viewer,
        as_of=as_of,
        staff_refs=list(refs),
        default_hours=params.default_hours,
        attributes=True,
    )
    frame["phase_mask"] = [phase_mask(p) for p in frame["phases"]]
    return frame


def schools_frame(con: Connection, school_ids: list[str] | None = None) -> pd.DataFrame:
    """Schools with their locations, all or those listed (schools are public bodies: no
    viewer needed)."""
    if school_ids is None:
        return query_df(
            con, "SELECT school_id, name, latitude, longitude FROM schools ORDER BY school_id"
        )
    return query_df(
        con,
        "SELECT school_id, name, latitude, longitude FROM schools "
        "WHERE list_contains(?::VARCHAR[], school_id) ORDER BY school_id",
        [sorted(set(school_ids))],
    )


@dataclass(frozen=True)
class Arrays:
    """A scored pool as numpy arrays for `model`, with the frames they came from."""

    pool: Pool
    refs: np.ndarray  # staff_ref per pool column
    people: pd.DataFrame  # staff_attributes rows, aligned with refs
    per_skill: dict[str, pd.DataFrame]  # skill_id -> POOL_COLUMNS frame aligned with refs
    skill_index: dict[str, int]
    school_index: dict[str, int]
    distance: Places
    school_names: dict[str, str]


def to_arrays(
    con: Connection,
    viewer: Viewer,
    pools: list[SkillPool],
    *,
    as_of: date,
    params: MatchParams,
    extra_refs: list[str] | tuple[str, ...] = (),
    extra_schools: list[str] | tuple[str, ...] = (),
) -> Arrays:
    """Align every skill's pool on one list of people and turn it into `model.Pool`; the
    schools indexed are the pool's and `extra_schools` (the needs')."""
    refs = sorted(set().union(*(set(p.frame["staff_ref"]) for p in pools)) | set(extra_refs))
    people = staff_attributes(con, viewer, refs, as_of=as_of, params=params)
    schools = schools_frame(con, [*people["school_id"], *extra_schools])
    return arrays_from(pools, people, schools)


def arrays_from(pools: list[SkillPool], people: pd.DataFrame, schools: pd.DataFrame) -> Arrays:
    """`Arrays` from pools, their people (`staff_attributes` rows in staff_ref order) and
    schools (`schools_frame` rows): shared by `to_arrays` and the stored-parts route."""
    refs_arr = people["staff_ref"].to_numpy(dtype=object)
    school_ids = schools["school_id"].tolist()
    school_index = {s: i for i, s in enumerate(school_ids)}
    distance = Places(schools["latitude"].to_numpy(float), schools["longitude"].to_numpy(float))
    per_skill = {p.skill_id: _aligned(p.frame, refs_arr) for p in pools}

    def stack(column: str, fill: float) -> np.ndarray:
        if not per_skill:
            return np.zeros((0, len(refs_arr)))
        return np.vstack([_filled(f[column], fill) for f in per_skill.values()])

    mentoring = np.zeros(len(refs_arr))
    for frame in per_skill.values():  # the same for every skill; take it where present
        mentoring = np.where(frame["mentoring_score"].notna(), frame["mentoring_score"], mentoring)
    schools_of = people["school_id"].tolist()
    if all(s in school_index for s in schools_of):
        school = np.array([school_index[s] for s in schools_of], np.int64)
    else:  # a school missing from the list: fails as it always has
        school = people["school_id"].map(school_index).to_numpy(np.int64)
    pool = Pool(
        school=school,
        consent=people["share_consent"].to_numpy(bool),
        phase_mask=people["phase_mask"].to_numpy(np.int64),
        hours_left=_filled(people["hours_left"], 0.0),
        expertise=stack("expertise_score", 0.0),
        has_expertise=stack("has_expertise", 0.0).astype(bool),
        coaching=stack("coaching_score", 0.0),
        mentoring=mentoring.astype(float),
    )
    return Arrays(
        pool,
        refs_arr,
        people,
        per_skill,
        {p.skill_id: i for i, p in enumerate(pools)},
        school_index,
        distance,
        dict(zip(school_ids, schools["name"].tolist(), strict=True)),
    )


def _filled(column: pd.Series, fill: float) -> np.ndarray:
    """The column as floats, blanks filled."""
    if column.dtype in (np.dtype(float), np.dtype(bool)):
        values = column.to_numpy(dtype=float)
        return np.where(np.isnan(values), fill, values)
    return column.astype(float).fillna(fill).to_numpy()


def _aligned(frame: pd.DataFrame, refs: np.ndarray) -> pd.DataFrame:
    """A pool frame with one row per ref, in their order (blank rows for refs not in it);
    as it is when it already holds exactly those refs in that order, as one pool does."""
    same = len(frame) == len(refs) > 0
    if same and np.array_equal(frame["staff_ref"].to_numpy(object), refs):
        return frame
    return frame.set_index("staff_ref").reindex(refs).rename_axis("staff_ref").reset_index()


def need_arrays(needs: pd.DataFrame, arrays: Arrays, params: MatchParams) -> Needs:
    """`model.Needs` from rows with staff_ref, skill_id, school_id, phases,
    line_manager_ref, wanted_role and hours (blank = the default)."""
    ref_index = {r: i for i, r in enumerate(arrays.refs)}
    return Needs(
        skill=needs["skill_id"].map(arrays.skill_index).to_numpy(np.int64),
        school=needs["school_id"].map(arrays.school_index).to_numpy(np.int64),
        phase_mask=np.array([phase_mask(p) for p in needs["phases"]], np.int64),
        self_idx=needs["staff_ref"].map(ref_index).fillna(-1).to_numpy(np.int64),
        manager_idx=needs["line_manager_ref"].map(ref_index).fillna(-1).to_numpy(np.int64),
        role=needs["wanted_role"].map(ROLE_CODES).to_numpy(np.int64),
        hours=needs["hours"].astype(float).fillna(params.default_hours).to_numpy(),
    )
