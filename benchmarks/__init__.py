"""National-scale benchmark harness (issue 8): `python -m benchmarks --help`."""
