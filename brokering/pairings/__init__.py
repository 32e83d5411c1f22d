"""Joint practice development (JPD) pairings and practice transfer.

- `model`: what a pairing and a log entry are; checks that need no database;
- `lifecycle`: the transition table (proposed -> agreed -> active -> review due -> ...);
- `service`: logging, editing, moving and the activity/evidence log (audited, one
  transaction each, append-only);
- `views`: lists and one pairing in full, for a viewer (visibility applied);
- `accountability`: overdue, quiet and not-transferred pairings;
- `ledger`: reciprocity per school, per person and between schools;
- `imports` / `import_rules`: pairings.csv and pairing_evidence.csv through the importer.

Submodules are imported by name (`from brokering.pairings import service`) so that the
importer can load this package without loading the rest.
"""
