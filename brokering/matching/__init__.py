"""Coaches and mentors: the needs register, candidates for one need, requests and their
decisions, and the whole-alliance allocation (issue 4; docs/MATCHING.md).

Modules: `needs` (the register) and `need_checks` (what it checks before writing), `pool`
(who could take a need, read through the scoring), `stored` (the same pool for one need from
the stored score parts, at national scale), `model` (the vectorised match score and rule
stages), `rules` (the rules, once), `capacity` (hours left this term), `candidates` (one
need, ranked and explained), `requests` (ask, accept, decline), `solver` (optimal and greedy
assignment on arrays), `allocation` (every open need at once, previewed) and `commit` (the
chosen proposals sent as requests). Nothing here imports streamlit.
"""
