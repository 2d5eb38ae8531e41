"""Verified SymPy derivations of worked exam answers, typeset as LaTeX solution sheets.

``import derive`` is cheap: the public names (see `derive.api`, where each is
documented) are imported from `derive.api` on first use, so SymPy loads only
when a name is first used.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover - for type checkers and editors only
    from derive.api import *  # noqa: F403

# Must equal derive.api.__all__; tests/test_api.py checks that it does.
__all__ = [
    "check_claim",
    "check_equal",
    "check_derivation",
    "check_paper",
    "CheckSettings",
    "ClaimResult",
    "Counterexample",
    "Method",
    "Verdict",
    "Claim",
    "Derivation",
    "Step",
    "limit_claim",
    "Rewrite",
    "RewriteContext",
    "EVALUATE",
    "EXPAND_LOG",
    "EXPAND_SUMS",
    "Layout",
    "diag",
    "elementwise",
    "instantiate",
    "jacobian",
    "matrix",
    "sigmoid",
    "vector",
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
    "render_latex",
    "render_text",
    "to_latex",
    "CheckError",
    "ClaimFailed",
    "ClaimUndecided",
    "DeriveError",
    "MalformedClaim",
    "UnknownAnswerError",
    "UsageError",
]


def __getattr__(name: str) -> Any:
    if name not in __all__:
        raise AttributeError(f"module 'derive' has no attribute {name!r}")
    from derive import api

    value = getattr(api, name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
