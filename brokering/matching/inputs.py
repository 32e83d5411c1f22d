"""What a candidates list is worked out from, read once per change of the store.

Why a module of its own: a list for one need at national scale spends almost all of its
time in a few reads (the pool and its people, the "possibly unavailable" flags, the judged
pairings) and very little scoring them. `remembered` keeps those reads under the store's
change mark (`brokering.changes`), so `candidates` scores a list asked for again from
arrays, and any write moves the mark so the next list reads the store afresh.
"""

from __future__ import annotations

from datetime import date

from brokering import alliance_settings, changes
from brokering.coaching_records import donor_pairings
from brokering.db import Connection
from brokering.matching import availability, listing, stored
from brokering.matching.arrays import Arrays, to_arrays
from brokering.matching.listing import Laid
from brokering.matching.needs import Need
from brokering.matching.params import MatchParams
from brokering.matching.pool import SkillPool, skill_pool, skill_row
from brokering.scoring import ScoringParams, judged_pairings
from brokering.viewer import Viewer

#: What a list is worked out from: the pool and its arrays, close skills' names, the
#: "possibly unavailable" flags of the people listed, and the pool's columns laid out
#: (`listing.lay`: with their judged pairings and release days).
Inputs = tuple[SkillPool, Arrays, dict[str, str], frozenset[str], Laid]


def remembered(
    con: Connection,
    viewer: Viewer,
    need: Need,
    as_of: date,
    params: MatchParams,
    scoring: ScoringParams,
    at: changes.Mark | None,
) -> Inputs:
    """Every read behind a list, remembered under the store's change mark `at` for this
    viewer, need, date and parameters (`changes.remembered`): a list asked for again before
    anything is written reads the mark, then only works out the scores from arrays. Any
    write (an accepted request, a pairing entry, a consent change, an import) moves the mark,
    so the next list reads the store afresh."""
    key = ("candidates.inputs", viewer, need, as_of, repr(params), repr(scoring))
    return changes.remembered(at, key, lambda: read(con, viewer, need, as_of, params, scoring))


def read(
    con: Connection,
    viewer: Viewer,
    need: Need,
    as_of: date,
    params: MatchParams,
    scoring: ScoringParams,
) -> Inputs:
    """The reads themselves: the pool from the stored parts when that route can answer
    (`stored.pool_for_need`), else the general route's; then, for the people in it, the
    flags and judged pairings (read for them alone), and the hours in a release day; then
    the pool's columns laid out for framing (`listing.lay`), once with the reads."""
    built = stored.pool_for_need(con, viewer, need, as_of=as_of, params=params, scoring=scoring)
    if built is None:
        pool = skill_pool(con, viewer, need.skill_id, as_of=as_of, params=params, scoring=scoring)
        arrays = to_arrays(
            con, viewer, [pool], as_of=as_of, params=params, extra_schools=[need.school_id]
        )
    else:
        pool, arrays = built
    names = _skill_names(con, pool.close_skills_used)
    # The people the list can show: everyone in the pool but the person with the need.
    listed = [r for r in arrays.refs.tolist() if r != need.staff_ref]
    # The pairings they were donors in, read once by index for both reads below.
    theirs = donor_pairings(con, listed)
    flags = availability.flagged_refs(con, as_of, among=listed, pairing_ids=theirs)
    judged = judged_pairings(con, need.skill_id, listed, scoring, pairing_ids=theirs)
    per_day = alliance_settings.get_float(con, "hours_per_day")
    return pool, arrays, names, flags, listing.lay(need, arrays, names, judged, per_day)


def _skill_names(con: Connection, ids: tuple[str, ...]) -> dict[str, str]:
    return {sid: skill_row(con, sid)[1] for sid in ids}
