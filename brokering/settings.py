"""Every tunable number of the product, in one place.

Pages, the command line and the benchmarks read these; tests override them by passing
explicit values, never by editing this file.
"""

from __future__ import annotations

from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = PROJECT_ROOT / "data"
TAXONOMY_DIR = DATA_DIR / "taxonomy"
TEMPLATES_DIR = DATA_DIR / "templates"
DEFAULT_DB_PATH = DATA_DIR / "alliance.duckdb"

#: Cross-school figures resting on fewer people than this are hidden (CONTRACT: Suppression).
SUPPRESSION_THRESHOLD = 3

#: "Strong": a practice score (0-100) at least this high (docs/GLOSSARY.md).
STRONG_SCORE = 60.0
#: "Recent": evidence dated within this many days of the day asked about.
RECENT_DAYS = 730
#: "Proposable": a practice score at least this high counts as expertise when proposing a
#: coach or mentor (50 is the neutral starting point every person begins from).
PROPOSE_SCORE = 50.0

#: Hours one coaching/mentoring relationship costs per term when a need does not say.
DEFAULT_RELATIONSHIP_HOURS = 6.0
#: Hours in one SLE release day.
RELEASE_DAY_HOURS = 6.5

#: Longest text accepted in a free-text cell (notes, reflections).
MAX_TEXT_LENGTH = 2000
#: Longest reference (staff_ref, school_id, need_id).
MAX_REF_LENGTH = 64
#: DuckDB's working memory while an import runs: a national evidence file then peaks near
#: 1.7 GB instead of 2.3 GB, at no measured cost in time (DuckDB spills what does not fit).
IMPORT_MEMORY_LIMIT = "1500MB"

#: Problems listed in one import report before the rest are only counted.
MAX_REPORTED_PROBLEMS = 500
