"""A pytest plugin that collects the claims of `derive` papers as test items.

The plugin is installed with `derive` (entry point ``pytest11``, name ``derive``)
and does nothing unless a paper is requested:

    pytest --derive-paper ep2 --derive-ids 1a,4b
    pytest --derive-paper mypackage.papers.notes        # a module that defines PAPER
    pytest --derive-paper mypackage.papers:EXAMPLE      # module:attribute

or, in the ini file, ``derive_papers = ep2`` (and optionally ``derive_ids = 1a 4b``),
which applies when pytest runs without explicit test paths.
Each claim becomes one item with the node id
``derive::<paper id>::<part id>::<claim id>``, marked ``derive``, so ``-m derive``,
``-m "not derive"`` and ``-k`` select among them. A claim that does not hold
fails with the obtained and stated sides, their difference and the point where
they differ. ``-p no:derive`` turns the plugin off.

This module imports SymPy only when a paper is requested, because pytest loads
it in every session of an environment where `derive` is installed.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:  # pragma: no cover - annotations only
    from derive.claims import Claim
    from derive.paper import Paper
    from derive.verify import CheckSettings

MARKER = "derive"


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("derive", "verified derivations (derive)")
    group.addoption(
        "--derive-paper",
        action="append",
        default=[],
        dest="derive_papers",
        metavar="PAPER",
        help="collect every claim of PAPER as a test: a paper id such as ep2, an importable module "
        "that defines PAPER, or module:attribute. Repeat the option for several papers.",
    )
    group.addoption(
        "--derive-ids",
        default=None,
        metavar="IDS",
        help="comma-separated answer numbers or part ids to collect, such as 1,4b (default: all). "
        "Every id must exist in every requested paper.",
    )
    group.addoption("--derive-seed", type=int, default=None, metavar="N", help="seed of the random test points (default: as in derive check)")
    group.addoption("--derive-points", type=int, default=None, metavar="N", help="exact random points per claim (default: as in derive check)")
    group.addoption(
        "--derive-budget",
        type=float,
        default=None,
        metavar="SECONDS",
        help="seconds of symbolic reduction per claim before falling back to point evidence (default: as in derive check)",
    )
    parser.addini(
        "derive_papers",
        type="args",
        default=[],
        help="papers to collect when neither --derive-paper nor explicit test paths are given",
    )
    parser.addini("derive_ids", type="args", default=[], help="answer or part ids to collect when --derive-ids is not given")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", f"{MARKER}: a claim collected from a derive paper")


def _requested_papers(config: pytest.Config) -> list[str]:
    """Return the papers of --derive-paper, else those of the ini option.

    The ini option applies only when pytest runs without explicit paths, so
    ``pytest tests/test_one.py`` runs that file alone in a repository that sets it.
    """
    if config.getoption("derive_papers"):
        return list(config.getoption("derive_papers"))
    if config.args_source is pytest.Config.ArgsSource.ARGS:
        return []
    return list(config.getini("derive_papers"))


def _requested_ids(config: pytest.Config) -> list[str]:
    raw = config.getoption("derive_ids")
    pieces = [raw] if raw is not None else list(config.getini("derive_ids"))
    return [item for piece in pieces for item in re.split(r"[,\s]+", piece) if item]


def _settings(config: pytest.Config) -> CheckSettings:
    from derive.api import UsageError
    from derive.api import _settings as merge_settings

    try:
        return merge_settings(
            None,
            config.getoption("derive_points"),
            config.getoption("derive_seed"),
            config.getoption("derive_budget"),
        )
    except UsageError as error:
        raise pytest.UsageError(f"derive: {error}") from error


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(session: pytest.Session, config: pytest.Config, items: list[pytest.Item]) -> None:
    """Append one item per claim of each requested paper.

    Runs before pytest's own -k and -m deselection, so those options select
    among the claims as among ordinary tests.
    """
    specs = _requested_papers(config)
    if not specs:
        return
    from derive.api import UsageError, load_paper, valid_ids

    ids = _requested_ids(config)
    settings = _settings(config)
    collected: set[str] = set()
    for spec in specs:
        try:
            paper = load_paper(spec)
        except UsageError as error:
            raise pytest.UsageError(f"derive: {error}") from error
        if paper.id in collected:
            continue  # the same paper named twice, for example by its id and by its module
        collected.add(paper.id)
        known = valid_ids(paper)
        unknown = [item for item in ids if item.lower() not in known]
        if unknown:
            raise pytest.UsageError(
                f"derive: unknown answer id {', '.join(unknown)} for paper {paper.id}; valid ids: {', '.join(known)}"
            )
        collector = DerivePaper.from_parent(
            session, name=paper.id, nodeid=f"derive::{paper.id}", paper=paper, ids=ids, settings=settings
        )
        items.extend(session.genitems(collector))


class DerivePaper(pytest.Collector):
    """The parts of one paper selected by ``--derive-ids``; answers are not built here."""

    def __init__(self, *, paper: Paper, ids: list[str], settings: CheckSettings, **kwargs: object) -> None:
        super().__init__(**kwargs)
        self.paper = paper
        self.ids = [item.lower() for item in ids]
        self.settings = settings
        self.add_marker(MARKER)

    def collect(self) -> list[DerivePart]:
        parts = []
        for answer in self.paper.answers:
            for part_id in answer.part_ids:
                if self.ids and answer.number not in self.ids and part_id not in self.ids:
                    continue
                parts.append(DerivePart.from_parent(self, name=part_id, answer=answer, settings=self.settings))
        return parts


class DerivePart(pytest.Collector):
    """One part of an answer. Collecting it builds the answer, so a failing build is a collection error of its parts."""

    def __init__(self, *, answer: object, settings: CheckSettings, **kwargs: object) -> None:
        super().__init__(**kwargs)
        self.answer = answer
        self.settings = settings

    def collect(self) -> list[DeriveClaim]:
        part = next(part for part in self.answer.parts if part.id == self.name)
        return [
            DeriveClaim.from_parent(self, name=claim.id, claim=claim, settings=self.settings)
            for claim in part.all_claims()
        ]


class DeriveClaim(pytest.Item):
    """One claim; it passes when the verdict holds (proved, identity-tested, numeric or accepted)."""

    def __init__(self, *, claim: Claim, settings: CheckSettings, **kwargs: object) -> None:
        super().__init__(**kwargs)
        self.claim = claim
        self.settings = settings

    def runtest(self) -> None:
        from derive.errors import CheckError

        try:
            verdict = self.claim.require(self.settings)
        except CheckError as error:
            self.user_properties.append(("derive_method", error.verdict.method.value))
            raise
        self.user_properties.append(("derive_method", verdict.method.value))

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: object = None) -> str:
        from derive.errors import DeriveError

        if isinstance(excinfo.value, DeriveError):
            return str(excinfo.value)
        return super().repr_failure(excinfo, style=style)

    def reportinfo(self) -> tuple[Path, int | None, str]:
        return self.path, None, f"derive claim {self.claim.id}"
