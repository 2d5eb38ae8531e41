"""Matrix calculus with an explicit layout, on explicit matrices of symbols.

Layout conventions, for a vector y of length m that depends on a vector x of length n:

* numerator layout: ``J[i, j] = dy_i / dx_j``, an m x n matrix. SymPy's
  ``Matrix.jacobian`` uses it, so ``Matrix.jacobian`` of ``W x`` is ``W``.
* denominator layout: ``J[i, j] = dy_j / dx_i``, an n x m matrix, the transpose.
  The examples sheet uses it, so ``d(W x)/dx = W^T`` and the chain rule reads
  ``dy/dx = (dz/dx)(dy/dz)``. SymPy's ``MatrixSymbol.diff`` returns this layout
  for a vector by a vector (``(W*x).diff(x)`` is ``W.T``).

Derivatives are taken on explicit matrices of scalar symbols only. SymPy 1.14's
matrix-expression derivative raises "summing arrays of different ranks" on the
residual layer ``x + f(W x)`` and can return wrong results for matrix elements,
so `jacobian` refuses `MatrixExpr` arguments with symbolic shape instead of
going through that path; index notation covers the symbolic size.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Literal

import sympy as sp

from derive.errors import MalformedClaim, ShapeMismatch

Layout = Literal["numerator", "denominator"]


def vector(name: str, size: int) -> sp.Matrix:
    """Return the column vector (name_1, ..., name_size) of real symbols, indexed from 1."""
    return sp.Matrix(size, 1, lambda i, _: sp.Symbol(f"{name}_{{{i + 1}}}", real=True))


def matrix(name: str, rows: int, columns: int) -> sp.Matrix:
    """Return the rows x columns matrix of real symbols name_{i,j}, indexed from 1."""
    return sp.Matrix(rows, columns, lambda i, j: sp.Symbol(f"{name}_{{{i + 1},{j + 1}}}", real=True))


def _as_column(value: object, name: str) -> sp.Matrix:
    if isinstance(value, sp.MatrixExpr) and not isinstance(value, sp.MatrixBase):
        raise MalformedClaim(
            f"{name} is the matrix expression {value}; jacobian works on explicit matrices, "
            "because SymPy's MatrixSymbol derivatives fail or mislead on these layers"
        )
    if not isinstance(value, sp.MatrixBase):
        raise ShapeMismatch(f"{name} must be an explicit column vector, got {type(value).__name__}")
    if value.shape[1] != 1:
        raise ShapeMismatch(f"{name} must be a column vector, got shape {value.shape}")
    return sp.Matrix(value)


def jacobian(y: sp.MatrixBase, x: sp.MatrixBase, layout: Layout) -> sp.Matrix:
    """Return the Jacobian of column vector `y` by column vector `x` in the given layout.

    ``layout="denominator"`` (the sheet's): entry (i, j) is dy_j/dx_i, shape n x m.
    ``layout="numerator"`` (SymPy's ``Matrix.jacobian``): entry (i, j) is dy_i/dx_j, shape m x n.
    `x` must consist of distinct symbols.
    """
    y_column = _as_column(y, "y")
    x_column = _as_column(x, "x")
    if not all(isinstance(entry, sp.Symbol) for entry in x_column):
        raise MalformedClaim("x must be a vector of symbols to differentiate by")
    if len(set(x_column)) != len(x_column):
        raise MalformedClaim("x repeats a symbol; each entry must be a distinct variable")
    numerator = y_column.jacobian(x_column)
    if layout == "numerator":
        return numerator
    if layout == "denominator":
        return numerator.T
    raise ValueError(f"layout must be 'numerator' or 'denominator', got {layout!r}")


def elementwise(function: Callable[[sp.Expr], sp.Expr], values: sp.MatrixBase) -> sp.Matrix:
    """Apply a scalar function to every entry of an explicit matrix."""
    return sp.Matrix(values).applyfunc(function)


def diag(values: sp.MatrixBase) -> sp.Matrix:
    """Return the square matrix with the entries of a column vector on its diagonal."""
    column = _as_column(values, "values")
    return sp.diag(*list(column))


def instantiate(
    expr: sp.Basic,
    size: sp.Symbol,
    value: int,
    replacements: Mapping[str, sp.MatrixBase],
) -> sp.Matrix:
    """Evaluate a matrix expression of symbolic size at an explicit size.

    Substitutes ``size = value``, then every matrix symbol whose name is a key
    of `replacements` by the explicit matrix given, and returns the explicit
    result. Raises `MalformedClaim` when a matrix symbol is left without a
    replacement, so a display form can never be checked only partly.
    """
    sized = expr.subs(size, value)
    symbols = {symbol for symbol in sized.atoms(sp.MatrixSymbol)}
    mapping = {}
    for symbol in symbols:
        replacement = replacements.get(symbol.name)
        if replacement is None:
            raise MalformedClaim(f"matrix symbol {symbol.name} has no explicit value at {size} = {value}")
        if tuple(replacement.shape) != tuple(symbol.shape):
            raise ShapeMismatch(
                f"matrix symbol {symbol.name} is {symbol.shape[0]}x{symbol.shape[1]} "
                f"but its value is {replacement.shape[0]}x{replacement.shape[1]}"
            )
        mapping[symbol] = sp.ImmutableMatrix(replacement)
    if isinstance(expr, sp.MatrixExpr):
        # Node-by-node explicit arithmetic: MatrixExpr.as_explicit builds and evaluates a Sum
        # for every entry of every product, which made building the answers about twice as slow.
        from derive.fastcheck import explicit_matrix

        return sp.Matrix(explicit_matrix(expr, size, value, replacements))
    explicit = sized.xreplace(mapping).doit()
    return sp.Matrix(explicit.as_explicit()) if isinstance(explicit, sp.MatrixExpr) else sp.Matrix(explicit)
