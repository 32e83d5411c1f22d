"""`python -m brokering` runs the command line."""

from brokering.cli import main

raise SystemExit(main())
