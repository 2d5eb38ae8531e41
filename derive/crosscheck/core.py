"""Comparisons, the registry entry of a cross-check, running them and the printed table.

This module imports neither numpy nor torch nor scikit-learn, so the command
line can report a missing `crosscheck` extra instead of failing on an import.
"""

from __future__ import annotations

import importlib
import importlib.util
import math
import time
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from derive.errors import UsageError

# The packages of the `crosscheck` extra, by import name -> distribution name.
EXTRA_PACKAGES = {"numpy": "numpy", "torch": "torch", "sklearn": "scikit-learn"}
INSTALL_HINT = "pip install 'derive[crosscheck]'"
DEFAULT_SEED = 2026


class MissingExtraError(UsageError):
    """A package of the `crosscheck` extra (numpy, torch, scikit-learn) is not installed."""


@dataclass(frozen=True)
class Comparison:
    """One quantity computed from the sheet's SymPy expressions and by a library, and their difference.

    `key` is a short stable name within its check, for tests and scripts, and
    `quantity` is the text the table prints. `difference` is the maximum absolute difference over every entry and every
    random point. With ``expect_agreement=True`` the comparison holds when the
    difference is at most `tolerance`. With ``expect_agreement=False`` it is a
    negative control that shows a convention matters: it holds only when the
    difference exceeds `tolerance`. A NaN or infinite difference never holds.
    """

    key: str
    quantity: str
    library: str
    difference: float
    tolerance: float
    expect_agreement: bool = True

    @property
    def holds(self) -> bool:
        if not math.isfinite(self.difference):
            return False
        if self.expect_agreement:
            return self.difference <= self.tolerance
        return self.difference > self.tolerance

    @property
    def verdict(self) -> str:
        if self.expect_agreement:
            return "agrees" if self.holds else "FAILED: differs"
        return "differs, as expected" if self.holds else "FAILED: agrees, expected to differ"

    @property
    def tolerance_text(self) -> str:
        relation = "<=" if self.expect_agreement else ">"
        return f"{relation} {self.tolerance:.0e}"


@dataclass(frozen=True)
class CrossCheck:
    """A registered cross-check of one part of the sheet against a library.

    `runner` is ``"module:function"``; the function takes a seeded
    ``numpy.random.Generator`` and returns the comparisons. It is imported only
    when the check runs, after `answer_module` and `packages` were found.
    """

    id: str
    answer: str
    title: str
    answer_module: str
    packages: tuple[str, ...]
    runner: str
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class Outcome:
    """The result of running one cross-check: its comparisons, or why it could not run."""

    check: CrossCheck
    comparisons: tuple[Comparison, ...] = ()
    unavailable: str | None = None
    error: str | None = None
    seconds: float = 0.0

    @property
    def holds(self) -> bool:
        if self.unavailable is not None or self.error is not None or not self.comparisons:
            return False
        return all(comparison.holds for comparison in self.comparisons)


def missing_packages(checks: Sequence[CrossCheck]) -> list[str]:
    """Return the distribution names of the packages that the checks need and that are not installed."""
    needed: list[str] = []
    for check in checks:
        for package in ("numpy", *check.packages):
            if package not in needed:
                needed.append(package)
    return [EXTRA_PACKAGES.get(name, name) for name in needed if not module_exists(name)]


def require_packages(checks: Sequence[CrossCheck]) -> None:
    """Raise `MissingExtraError` naming the install command when a needed package is missing."""
    missing = missing_packages(checks)
    if missing:
        names = missing[0] if len(missing) == 1 else f"{', '.join(missing[:-1])} and {missing[-1]}"
        raise MissingExtraError(f"the cross-checks need {names}, not installed here; install the extra with {INSTALL_HINT}")


def module_exists(name: str) -> bool:
    """Return whether the module `name` can be imported, without importing it."""
    try:
        return importlib.util.find_spec(name) is not None
    except ModuleNotFoundError:
        return False


def select(checks: Sequence[CrossCheck], ids: Sequence[str]) -> list[CrossCheck]:
    """Resolve ids (an answer number such as '1' or a part id such as '1a') to cross-checks; all when empty.

    Raises `UsageError` for an id that names no cross-check, listing the valid ids.
    """
    if not ids:
        return list(checks)
    valid: list[str] = []
    for check in checks:
        for key in (check.answer, check.id):
            if key not in valid:
                valid.append(key)
    keys = [raw.strip().lower() for raw in ids]
    for raw, key in zip(ids, keys):
        if key not in valid:
            raise UsageError(f"no cross-check has the id {raw!r}; valid ids: {', '.join(valid)}")
    return [check for check in checks if check.answer in keys or check.id in keys]


def seeded_generator(seed: int, check_id: str):
    """Return a numpy generator seeded by `seed` and the check's id, so each check has its own stream."""
    import numpy as np

    return np.random.default_rng([seed, zlib.crc32(check_id.encode("utf-8"))])


def run_check(check: CrossCheck, seed: int = DEFAULT_SEED, raise_errors: bool = False) -> Outcome:
    """Run one cross-check; a missing answer module gives an outcome marked unavailable.

    Any exception raised by the runner is recorded as the outcome's error, so
    one broken comparison does not hide the others, unless `raise_errors` is set.
    """
    if not module_exists(check.answer_module):
        return Outcome(check, unavailable=f"module {check.answer_module} not found")
    started = time.perf_counter()
    module_name, _, function_name = check.runner.partition(":")
    try:
        runner = getattr(importlib.import_module(module_name), function_name)
        comparisons = tuple(runner(seeded_generator(seed, check.id)))
    except Exception as error:  # noqa: BLE001 - reported in the table, re-raised with raise_errors
        if raise_errors:
            raise
        return Outcome(check, error=f"{type(error).__name__}: {error}", seconds=time.perf_counter() - started)
    return Outcome(check, comparisons=comparisons, seconds=time.perf_counter() - started)


def run_checks(
    checks: Sequence[CrossCheck],
    seed: int = DEFAULT_SEED,
    raise_errors: bool = False,
    on_outcome: Callable[[Outcome], None] | None = None,
) -> list[Outcome]:
    """Run the checks in order after verifying that the packages they need are installed."""
    require_packages(checks)
    outcomes = []
    for check in checks:
        outcome = run_check(check, seed, raise_errors)
        outcomes.append(outcome)
        if on_outcome is not None:
            on_outcome(outcome)
    return outcomes


@dataclass
class _Table:
    header: tuple[str, ...]
    rows: list[tuple[str, ...]] = field(default_factory=list)

    def render(self) -> str:
        widths = [max(len(row[column]) for row in (self.header, *self.rows)) for column in range(len(self.header))]
        lines = []
        for index, row in enumerate((self.header, *self.rows)):
            lines.append("  ".join(cell.ljust(width) for cell, width in zip(row, widths)).rstrip())
            if index == 0:
                lines.append("  ".join("-" * width for width in widths))
        return "\n".join(lines)


def format_table(outcomes: Sequence[Outcome]) -> str:
    """Return the table `derive crosscheck` prints: one row per comparison, then the convention notes."""
    table = _Table(("id", "quantity", "library", "max |diff|", "tolerance", "verdict"))
    for outcome in outcomes:
        check = outcome.check
        if outcome.unavailable is not None:
            table.rows.append((check.id, check.title, "-", "-", "-", f"not available: {outcome.unavailable}"))
            continue
        if outcome.error is not None:
            table.rows.append((check.id, check.title, "-", "-", "-", f"ERROR: {outcome.error}"))
            continue
        if not outcome.comparisons:
            table.rows.append((check.id, check.title, "-", "-", "-", "FAILED: no comparison ran"))
        for comparison in outcome.comparisons:
            table.rows.append(
                (
                    check.id,
                    comparison.quantity,
                    comparison.library,
                    f"{comparison.difference:.2e}",
                    comparison.tolerance_text,
                    comparison.verdict,
                )
            )
    sections = [table.render()]
    notes = [f"  {outcome.check.id}: {note}" for outcome in outcomes if outcome.comparisons for note in outcome.check.notes]
    if notes:
        sections.append("Conventions:\n" + "\n".join(notes))
    return "\n\n".join(sections)


def summary(outcomes: Sequence[Outcome], seconds: float) -> str:
    """Return the closing line: how many comparisons hold, and which checks could not run."""
    comparisons = [comparison for outcome in outcomes for comparison in outcome.comparisons]
    passed = sum(1 for comparison in comparisons if comparison.holds)
    line = f"{passed} of {len(comparisons)} comparisons hold in {seconds:.1f} s"
    unavailable = [outcome.check.id for outcome in outcomes if outcome.unavailable is not None]
    errors = [outcome.check.id for outcome in outcomes if outcome.error is not None]
    if unavailable:
        line += f"; not available: {', '.join(unavailable)}"
    if errors:
        line += f"; errors: {', '.join(errors)}"
    return line
