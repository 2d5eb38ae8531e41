"""Float64 evaluation of the sheet's SymPy expressions, and the difference measure of a comparison."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

import numpy as np
import sympy as sp

from derive.crosscheck.core import Comparison


def _sigmoid(values: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-values))


# Numpy implementations of the functions in `derive.functions`, by the name lambdify prints.
NUMPY_FUNCTIONS = {"sigmoid": _sigmoid}


def evaluator(expr: sp.Basic, symbols: Sequence[sp.Symbol]) -> Callable[[np.ndarray], np.ndarray]:
    """Compile a SymPy scalar or matrix into a float64 function of the flat vector of `symbols`' values.

    Raises `ValueError` when `expr` has a free symbol outside `symbols`, so no
    symbol is left unset by mistake.
    """
    target = sp.Matrix(expr) if isinstance(expr, sp.MatrixBase) else expr
    stray = target.free_symbols - set(symbols)
    if stray:
        names = ", ".join(sorted(str(symbol) for symbol in stray))
        raise ValueError(f"the expression has free symbols without values: {names}")
    # Names such as "W_{1,2}" are not Python identifiers. Renaming them here is much
    # faster than letting lambdify replace them by dummies, which rescans the expression.
    plain = [sp.Symbol(f"value_{index}") for index in range(len(symbols))]
    renamed = target.xreplace(dict(zip(symbols, plain)))
    compiled = sp.lambdify([plain], renamed, modules=[NUMPY_FUNCTIONS, "numpy"], dummify=False)

    def evaluate(values: np.ndarray) -> np.ndarray:
        flat = np.asarray(values, dtype=np.float64).ravel()
        if flat.shape != (len(symbols),):
            raise ValueError(f"expected {len(symbols)} values, got {flat.size}")
        return np.asarray(compiled(flat), dtype=np.float64)

    return evaluate


def max_abs_difference(ours: np.ndarray, theirs: np.ndarray) -> float:
    """Return max |ours - theirs| over all entries; NaN anywhere gives NaN. Shapes must match exactly."""
    left = np.asarray(ours, dtype=np.float64)
    right = np.asarray(theirs, dtype=np.float64)
    if left.shape != right.shape:
        raise ValueError(f"cannot compare arrays of shapes {left.shape} and {right.shape}")
    if left.size == 0:
        raise ValueError("cannot compare empty arrays")
    return float(np.max(np.abs(left - right)))


def compare(
    key: str,
    quantity: str,
    library: str,
    pairs: Iterable[tuple[np.ndarray, np.ndarray]],
    tolerance: float,
    expect_agreement: bool = True,
) -> Comparison:
    """Build a `Comparison` from (sheet value, library value) pairs, one pair per random point."""
    differences = [max_abs_difference(ours, theirs) for ours, theirs in pairs]
    if not differences:
        raise ValueError(f"no points were compared for {quantity!r}")
    worst = float("nan") if any(np.isnan(differences)) else max(differences)
    return Comparison(key, quantity, library, worst, tolerance, expect_agreement)


def as_array(value: sp.Basic) -> np.ndarray:
    """Return an exact SymPy number or matrix without free symbols as a float64 array."""
    if value.free_symbols:
        names = ", ".join(sorted(str(symbol) for symbol in value.free_symbols))
        raise ValueError(f"cannot convert an expression with free symbols to numbers: {names}")
    if isinstance(value, sp.MatrixBase):
        return np.array([[float(entry) for entry in row] for row in value.tolist()], dtype=np.float64)
    return np.asarray(float(value), dtype=np.float64)
