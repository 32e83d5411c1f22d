"""Column mapping: a school's export, as it comes, read into the template's columns.

A mapping says, for each file, which sheet and header row hold its table, which table it
is, what each file column becomes (a template column, `drop`, or `hash`), fixed values
(the school a SIMS export belongs to), value maps (job titles to roles, grade words) and
what is still unresolved. It is proposed from built-in profiles of the common school
systems plus fuzzy header and sample-value matching, confirmed by a person, and saved per
school and source so next term's export goes straight in.
"""

from brokering.mapping.apply import apply_values, plan_for
from brokering.mapping.model import DROP, FORMAT, HASH, FileMapping, Mapping, Unresolved
from brokering.mapping.propose import open_for_mapping, propose, propose_file
from brokering.mapping.recognise import table_from_name, table_from_template_header
from brokering.mapping.review import (
    COLUMN,
    EXAMPLE,
    MEANS,
    TARGET,
    VALUE,
    VALUE_COLUMN,
    column_table,
    needs_school,
    preview,
    propose_uploads,
    revise,
    school_choices,
    target_choices,
    value_table,
)
from brokering.mapping.saved import entries as saved_entries
from brokering.mapping.saved import for_files as saved_for_files
from brokering.mapping.saved import listing as saved_listing
from brokering.mapping.saved import save as save_mapping
from brokering.mapping.words import table_words
from brokering.mapping.words import words as column_words

__all__ = [
    "COLUMN",
    "DROP",
    "EXAMPLE",
    "FORMAT",
    "HASH",
    "MEANS",
    "TARGET",
    "VALUE",
    "VALUE_COLUMN",
    "FileMapping",
    "Mapping",
    "Unresolved",
    "apply_values",
    "column_table",
    "needs_school",
    "open_for_mapping",
    "plan_for",
    "preview",
    "propose",
    "propose_file",
    "propose_uploads",
    "revise",
    "save_mapping",
    "saved_entries",
    "saved_for_files",
    "saved_listing",
    "school_choices",
    "table_from_name",
    "table_from_template_header",
    "table_words",
    "column_words",
    "target_choices",
    "value_table",
]
