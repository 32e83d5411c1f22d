"""Column mapping: a school's export, as it comes, read into the template's columns.

A mapping says, for each file, which sheet and header row hold its table, which table it
is, what each file column becomes (a template column, `drop`, or `hash`), fixed values
(the school a SIMS export belongs to), value maps (job titles to roles, grade words) and
what is still unresolved. It is proposed from built-in profiles of the common school
systems plus fuzzy header and sample-value matching, confirmed by a person, and saved per
school and source so next term's export goes straight in.
"""

from brokering.mapping.recognise import table_from_name, table_from_template_header

__all__ = ["table_from_name", "table_from_template_header"]
