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

#: The observation rating (1-4, 4 strongest) a recipient's practice must reach for a pairing
#: to count as transferred: 3 is good / secure (docs/PAIRINGS.md, the transfer rule).
TRANSFER_LEVEL = 3
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
#: Problems held for the whole list (the Data page's download); beyond these, only counted.
MAX_HELD_PROBLEMS = 50_000

#: Defaults of the settings an alliance may change in the app (`brokering.alliance_settings`).
#: School days a school has to answer a request before it lapses.
REPLY_BY_SCHOOL_DAYS = 10
#: Weeks without a logged entry before an active pairing counts as quiet.
QUIET_WEEKS = 6
#: Lapsed requests (since the school last confirmed availability) that flag a coach.
LAPSES_BEFORE_FLAG = 2
#: A request lapsing within this many school days is "lapsing soon" in the reminders.
LAPSING_SOON_SCHOOL_DAYS = 2
# -- limits on what an import file may be (docs/IMPORT.md, "Files refused whole") -----------
#: Largest file the importer opens at all (a national evidence export is about 400 MB).
MAX_IMPORT_FILE_BYTES = 2 * 1024**3
#: Largest file the Data page accepts from a browser (Streamlit's own cap is set to match in
#: .streamlit/config.toml, in MB).
MAX_UPLOAD_BYTES = 50 * 1024**2
#: Most files in one import batch (a folder of every school's exports is a few dozen).
MAX_FILES_PER_BATCH = 200
#: Most columns a file may have: the widest template has 17, school exports a few dozen.
MAX_COLUMNS = 256
#: Longest line (one row of a CSV) read; a longer row is refused on its own line.
MAX_LINE_BYTES = 4 * 1024**2
#: Where the header row is looked for: the first this-many rows, within this many bytes.
HEADER_SEARCH_ROWS = 30
HEADER_SEARCH_BYTES = 1024**2
#: A workbook's parts may unpack to at most this much in all...
MAX_WORKBOOK_UNPACKED_BYTES = 256 * 1024**2
#: ...and no part larger than a megabyte may unpack to more than this many times its packed
#: size (real sheets pack 5-30 times; a zip bomb about 1,000 times).
MAX_ZIP_RATIO = 150
