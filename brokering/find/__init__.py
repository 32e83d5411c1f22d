"""Find expertise: "in which of our schools is the best teacher of X?" — and who best
coaches it. Ranked, explained, private.

The rooms: `query` turns a leader's words into a skill and phases; `scores` holds the score
arithmetic as SQL; `maintenance` lays the evidence out as stored per-skill parts and
`leaders` keeps each skill's leading rows in memory; `routes` answers a rank from either;
`search` chooses the route; `depth` counts by school and draws the gap map; `explain` opens
any rank to its evidence.
"""

from brokering.find.depth import depth_by_school, gap_map
from brokering.find.explain import Explanation, explain
from brokering.find.query import QueryNotResolved, QueryResolver, ResolvedQuery, resolve_query
from brokering.find.result import MAX_TOP, RANK_BY, RESULT_COLUMNS, FindResult, RelatedSkill
from brokering.find.search import find_expertise, related_skills

__all__ = [
    "MAX_TOP",
    "RANK_BY",
    "RESULT_COLUMNS",
    "Explanation",
    "FindResult",
    "QueryNotResolved",
    "QueryResolver",
    "RelatedSkill",
    "ResolvedQuery",
    "depth_by_school",
    "explain",
    "find_expertise",
    "gap_map",
    "related_skills",
    "resolve_query",
]
