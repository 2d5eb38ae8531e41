"""Shared fixtures, and the mutation suite's kill rate in pytest's closing summary."""

from __future__ import annotations

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
