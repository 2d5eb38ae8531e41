"""Shared fixtures, and the mutation suite's kill rate in pytest's closing summary."""

from __future__ import annotations

import os

import pytest

from derive.mutate import MutantResult, kill_rate_line

_MUTATION_RESULTS = pytest.StashKey[list[MutantResult]]()


@pytest.fixture(scope="session")
def mutation_log(request: pytest.FixtureRequest) -> list[MutantResult]:
    """A session-wide list that mutation tests append their results to."""
    return request.config.stash.setdefault(_MUTATION_RESULTS, [])


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter, exitstatus: int, config: pytest.Config) -> None:
    results = config.stash.get(_MUTATION_RESULTS, [])
    if results:
        terminalreporter.write_line(kill_rate_line(results))


# The CLI reads and writes a proof cache by default; tests decide every claim afresh and must
# not leave a cache folder in the repository. Subprocesses inherit this setting.
os.environ["DERIVE_NO_CACHE"] = "1"
