-- Column mappings confirmed by the data manager, saved by name and reused next term: one
-- row per file layout (its table, school and normalised header row), holding the mapping of
-- that file as JSON (brokering/mapping/model.py). Headers are column names, never data.
CREATE TABLE saved_mappings (
    name        VARCHAR NOT NULL,
    headers     VARCHAR NOT NULL,      -- normalised header names, '|' between, in file order
    table_name  VARCHAR NOT NULL,
    school_id   VARCHAR,
    source      VARCHAR,               -- the export it came from (a built-in profile's name)
    mapping     VARCHAR NOT NULL,      -- one file's mapping as JSON
    saved_by    VARCHAR NOT NULL,
    saved_at    TIMESTAMP NOT NULL DEFAULT current_timestamp,
    PRIMARY KEY (name, headers)
);
