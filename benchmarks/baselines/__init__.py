"""Plain pandas/numpy mirrors of the product's DuckDB code, for the benchmark only: `find`
(practice scores, top practitioners, depth by school) and `dashboard` (transfer figures,
outcomes by school, flow matrix). Tests in benchmarks/tests hold each equal to the product."""
