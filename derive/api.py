"""The public Python API of `derive`; ``import derive`` exposes every name in `__all__`.

Conventions shared by every function here:

* **Denominator layout.** For a vector ``y`` of length m that depends on a vector
  ``x`` of length n, the Jacobian ``dy/dx`` is n x m with entry ``(i, j) = dy_j/dx_i``,
  so ``d(Wx)/dx = W^T`` and the chain rule reads ``dy/dx = (dz/dx)(dy/dz)``.
* **Explicit sizes** use explicit SymPy matrices of real symbols ``W_{i,j}`` and
  ``x_{i}``, indexed from 1 (`matrix`, `vector`). **Symbolic sizes** use index
  notation (`sympy.IndexedBase`, finite `sympy.Sum`, `sympy.KroneckerDelta`) with
  the range of each free index declared in ``index_ranges``.
* A claim asserts ``obtained == stated``: `obtained` is what the model gives,
  `stated` is the form the sheet prints. A `Verdict` records how the engine
  decided it (`Method`: proved, identity-tested, numeric, undecided or false).

Answer modules give their SymPy objects by name, for example
``from derive.papers.ep2 import q1; q1.residual_jacobian(3)`` for the explicit
3 x 3 residual Jacobian, or ``q1.residual_index_derivation()`` for the symbolic size.
"""

from __future__ import annotations

import dataclasses
import importlib
from collections.abc import Mapping, Sequence
from pathlib import Path

import sympy as sp

from derive.build import build_outputs
from derive.calculus import Layout, diag, elementwise, instantiate, jacobian, matrix, vector
from derive.check import ClaimResult, check_parts
from derive.claims import Claim, Derivation, Step
from derive.display import render_latex, render_text
from derive.errors import (
    CheckError,
    ClaimFailed,
    ClaimUndecided,
    DeriveError,
    MalformedClaim,
    UnknownAnswerError,
    UsageError,
)
from derive.functions import sigmoid
from derive.latex import to_latex
from derive.limits import limit_claim
from derive.paper import (
    Answer,
    Equation,
    Erratum,
    Figure,
    ItemList,
    Math,
    Paper,
    Paragraph,
    Part,
    ShowDerivation,
    TeX,
)
from derive.registry import get_paper, paper_modules, register_paper, select_parts, valid_ids
from derive.rewrites import EVALUATE, EXPAND_LOG, EXPAND_SUMS, Rewrite, RewriteContext
from derive.verdict import Counterexample, Method, Verdict
from derive.verify import CheckSettings

__all__ = [
    # checking
    "check_claim",
    "check_equal",
    "check_derivation",
    "check_paper",
    "CheckSettings",
    "ClaimResult",
    "Counterexample",
    "Method",
    "Verdict",
    # writing claims and derivations
    "Claim",
    "Derivation",
    "Step",
    "limit_claim",
    "Rewrite",
    "RewriteContext",
    "EVALUATE",
    "EXPAND_LOG",
    "EXPAND_SUMS",
    # matrix calculus
    "Layout",
    "diag",
    "elementwise",
    "instantiate",
    "jacobian",
    "matrix",
    "sigmoid",
    "vector",
    # papers
    "Answer",
    "Equation",
    "Erratum",
    "Figure",
    "ItemList",
    "Math",
    "Paper",
    "Paragraph",
    "Part",
    "ShowDerivation",
    "TeX",
    "build_paper",
    "get_paper",
    "load_paper",
    "paper_modules",
    "register_paper",
    "select_parts",
    "valid_ids",
    # typesetting
    "render_latex",
    "render_text",
    "to_latex",
    # errors
    "CheckError",
    "ClaimFailed",
    "ClaimUndecided",
    "DeriveError",
    "MalformedClaim",
    "UnknownAnswerError",
    "UsageError",
]


def _settings(
    settings: CheckSettings | None, points: int | None, seed: int | None, budget_seconds: float | None
) -> CheckSettings:
    settings = settings or CheckSettings()
    changes: dict[str, object] = {}
    if points is not None:
        if points < 1:
            raise UsageError(f"points must be at least 1, got {points}")
        changes["points"] = points
    if seed is not None:
        changes["seed"] = seed
    if budget_seconds is not None:
        if budget_seconds <= 0:
            raise UsageError(f"budget_seconds must be a positive number of seconds, got {budget_seconds}")
        changes["budget_seconds"] = budget_seconds
    return dataclasses.replace(settings, **changes)


def check_claim(
    claim: Claim,
    settings: CheckSettings | None = None,
    *,
    points: int | None = None,
    seed: int | None = None,
    budget_seconds: float | None = None,
) -> Verdict:
    """Decide ``claim.obtained == claim.stated`` and return the verdict; a false claim does not raise.

    The claim's rewrites are applied to each side, and then the difference is
    tested at `points` exact random rational points (seeded by `seed` and the
    claim id) and reduced symbolically within `budget_seconds`. `points`,
    `seed` and `budget_seconds` override the matching fields of `settings`
    (default `CheckSettings()`). Use ``verdict.holds`` for pass or fail and
    ``verdict.method`` for the strength of the evidence. Raises `MalformedClaim`
    when the two sides have different shapes.
    """
    return claim.check(_settings(settings, points, seed, budget_seconds))


def check_equal(
    obtained: object,
    stated: object,
    *,
    rewrites: Sequence[Rewrite] = (),
    index_ranges: Mapping[sp.Symbol, tuple[sp.Expr, sp.Expr]] | None = None,
    label: str = "check_equal",
    settings: CheckSettings | None = None,
) -> Verdict:
    """Decide ``obtained == stated`` for two SymPy expressions or two explicit matrices of one shape.

    A shortcut for ``check_claim(Claim(label, ..., obtained, stated))``: the
    same decision procedure, with `label` seeding the random points. Index
    symbols of a symbolic-size expression need their ranges in `index_ranges`,
    for example ``{i: (1, n)}``.
    """
    claim = Claim(
        id=label,
        statement=f"{label}: obtained equals stated",
        obtained=obtained,
        stated=stated,
        rewrites=tuple(rewrites),
        index_ranges=dict(index_ranges or {}),
    )
    return check_claim(claim, settings)


def check_derivation(derivation: Derivation, settings: CheckSettings | None = None) -> dict[str, Verdict]:
    """Check each step of `derivation` against the step before it, and the last step against `stated`.

    Returns the verdicts in order, keyed by claim id: ``<id>/step2`` ...
    ``<id>/stepN`` (step k against step k - 1) and ``<id>/stated``.
    """
    settings = settings or CheckSettings()
    return {claim.id: claim.check(settings) for claim in derivation.claims()}


def check_paper(
    paper: str | Paper = "ep2", ids: Sequence[str] = (), settings: CheckSettings | None = None
) -> list[ClaimResult]:
    """Check every claim of the selected answers and return one `ClaimResult` per claim, in paper order.

    `paper` is a paper id, a spec accepted by `load_paper`, or a `Paper`. `ids`
    are answer numbers or part ids such as ``"1"`` or ``"4b"`` (all answers when
    empty). Raises `UnknownAnswerError`, naming the valid ids, for an unknown id.
    """
    resolved = paper if isinstance(paper, Paper) else load_paper(paper)
    return check_parts(select_parts(resolved, list(ids)), settings or CheckSettings())


def build_paper(paper: str | Paper, out_dir: str | Path, settings: CheckSettings | None = None) -> list[Path]:
    """Check every claim of `paper`, then write ``<out_dir>/<paper id>/sheet.tex`` and one ``answer-N.tex`` per answer.

    Nothing is written when a claim does not hold: `CheckError` is raised with
    every failure. Returns the written paths.
    """
    resolved = paper if isinstance(paper, Paper) else load_paper(paper)
    return build_outputs(resolved, Path(out_dir), settings or CheckSettings())


# Paper id -> "module:attribute" it was loaded from by `load_paper`.
_loaded_from: dict[str, str] = {}


def load_paper(spec: str) -> Paper:
    """Return the paper named by `spec`: a paper id, an importable module that defines ``PAPER``, or ``module:attribute``.

    A paper loaded from a module is registered under its id, so later calls
    (and `get_paper`) can use the id. Raises `UsageError` when the spec names
    nothing that can be loaded, listing the known paper ids.
    """
    spec = spec.strip()
    if not spec:
        raise UsageError("the paper spec is empty; give a paper id, a module name or module:attribute")
    module_name, _, attribute = spec.partition(":")
    if not attribute:
        try:
            return get_paper(spec)
        except UsageError as unknown_id:
            if not _is_module_name(spec):
                raise
            unknown = unknown_id
    else:
        unknown = None
    attribute = attribute or "PAPER"
    if not _is_module_name(module_name) or not attribute.isidentifier():
        raise UsageError(f"invalid paper spec {spec!r}; expected a paper id, module.name or module.name:attribute")

    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as error:
        if error.name is None or not module_name.startswith(error.name):
            raise  # the module exists but one of its own imports is missing
        if unknown is not None:
            raise UsageError(f"{unknown}, and no module {module_name!r} can be imported") from error
        raise UsageError(f"cannot import paper module {module_name!r}: {error}") from error
    paper = getattr(module, attribute, None)
    if not isinstance(paper, Paper):
        raise UsageError(f"{module_name}:{attribute} is not a derive.paper.Paper (got {type(paper).__name__})")
    if paper.id in paper_modules() and get_paper(paper.id) is paper:
        return paper  # a built-in or installed paper, loaded through its module
    source = f"{module_name}:{attribute}"
    # The same module imported again (a fresh pytester run, importlib.reload) gives a new Paper object.
    register_paper(paper, replace=_loaded_from.get(paper.id) == source)
    _loaded_from[paper.id] = source
    return paper


def _is_module_name(name: str) -> bool:
    return all(piece.isidentifier() for piece in name.split("."))
