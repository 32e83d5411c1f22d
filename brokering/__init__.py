"""Alliance Expertise Broker: the domain and storage, usable without the UI.

Nothing in this package imports streamlit: the command line, the benchmarks and the tests
reach every rule directly, and the pages are only a view over it.
"""

__version__ = "0.1.0"
