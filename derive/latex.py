"""The house LaTeX printer: SymPy's printer with the notation of the field.

* column vectors (matrix symbols with one column) are bold italic, ``\\boldsymbol{x}``;
  other matrix symbols are upright bold, ``\\mathbf{W}``;
* transposes are ``^{\\mathsf{T}}``, element-wise products ``\\odot`` (SymPy prints ``\\circ``);
* ``DiagMatrix(v)`` is ``\\operatorname{diag}(v)`` and an element-wise function is printed as
  the bold function applied to its argument (SymPy prints ``d \\mapsto ...``);
* the sigmoid is ``\\phi``, Kronecker's delta ``\\delta_{ij}``.
"""

from __future__ import annotations

import re

import sympy as sp
from sympy.printing.latex import LatexPrinter, translate

from derive.functions import sigmoid

_SUBSCRIPTED = re.compile(r"^(?P<stem>[A-Za-z]+)_(?P<sub>\{.*\}|[A-Za-z0-9]+)$")


def _split_name(name: str) -> tuple[str, str | None]:
    match = _SUBSCRIPTED.match(name)
    if match is None:
        return name, None
    subscript = match.group("sub")
    if subscript.startswith("{"):
        subscript = subscript[1:-1]
    return match.group("stem"), subscript


class HousePrinter(LatexPrinter):
    """LaTeX printer for the sheet's notation (see the module docstring)."""

    printmethod = "_house_latex"

    def _print_MatrixSymbol(self, expr: sp.MatrixSymbol) -> str:
        stem, subscript = _split_name(expr.name)
        # A Greek name such as "Lambda" prints as the letter, the way SymPy prints a Symbol.
        stem = translate(stem)
        is_vector = expr.shape[1] == 1
        body = rf"\boldsymbol{{{stem}}}" if is_vector else rf"\mathbf{{{stem}}}"
        return body if subscript is None else rf"{body}_{{{subscript}}}"

    def _print_Transpose(self, expr: sp.Transpose) -> str:
        inner = self._print(expr.arg)
        if not isinstance(expr.arg, sp.MatrixSymbol):
            inner = rf"\left({inner}\right)"
        return rf"{inner}^{{\mathsf{{T}}}}"

    def _print_Identity(self, expr: sp.Identity) -> str:
        return r"\mathbf{I}"

    def _print_OneMatrix(self, expr: sp.OneMatrix) -> str:
        return r"\boldsymbol{1}"

    def _print_ZeroMatrix(self, expr: sp.ZeroMatrix) -> str:
        return r"\mathbf{0}"

    def _print_DiagMatrix(self, expr: sp.DiagMatrix) -> str:
        return rf"\operatorname{{diag}}\left({self._print(expr.args[0])}\right)"

    def _print_HadamardProduct(self, expr: sp.HadamardProduct) -> str:
        pieces = []
        for arg in expr.args:
            text = self._print(arg)
            if isinstance(arg, (sp.MatAdd, sp.Add)):
                text = rf"\left({text}\right)"
            pieces.append(text)
        return r" \odot ".join(pieces)

    def _print_ElementwiseApplyFunction(self, expr: object) -> str:
        function = expr.function
        argument = self._print(expr.expr)
        if isinstance(function, sp.Lambda) and len(function.variables) == 1:
            body = function.expr
            if isinstance(body, sigmoid) and body.args[0] == function.variables[0]:
                return rf"\boldsymbol{{\phi}}\left({argument}\right)"
            if isinstance(body, sp.Function) and body.args == function.variables:
                name = self._print(body.func)
                return rf"\boldsymbol{{{name}}}\left({argument}\right)"
        return rf"\left({self._print(function)}\right)_{{\odot}}\left({argument}\right)"

    def _print_KroneckerDelta(self, expr: sp.KroneckerDelta, exp: object = None) -> str:
        first, second = (self._print(arg) for arg in expr.args[:2])
        text = rf"\delta_{{{first}{second}}}"
        return text if exp is None else rf"{text}^{{{exp}}}"

    def _print_sigmoid(self, expr: sigmoid, exp: object = None) -> str:
        text = rf"\phi\left({self._print(expr.args[0])}\right)"
        return text if exp is None else rf"{text}^{{{exp}}}"

    def _print_Indexed(self, expr: sp.Indexed) -> str:
        stem, subscript = _split_name(str(expr.base))
        indices = "".join(self._print(index) for index in expr.indices)
        if subscript is not None:
            return rf"({stem}_{{{subscript}}})_{{{indices}}}"
        return rf"{stem}_{{{indices}}}"


_PRINTER = HousePrinter({"mat_delim": "[", "mat_str": "bmatrix", "mul_symbol": None})


def to_latex(value: object) -> str:
    """Return the house LaTeX for a SymPy object (expression, matrix or matrix expression)."""
    return _PRINTER.doprint(value)
