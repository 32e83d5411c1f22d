"""The product's shared fixtures, for the tests that hold the baselines equal to it."""

from tests.conftest import *  # noqa: F403 - fixtures (con, admin, tiny, demo, …)
