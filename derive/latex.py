"""The house LaTeX printer: SymPy's printer with the notation of the field.

* column vectors (matrix symbols with one column) are bold italic, ``\\boldsymbol{x}``;
  other matrix symbols are upright bold, ``\\mathbf{W}``; a name such as ``W^{(l)}`` or
  ``W_g^{(l)}`` keeps its layer superscript outside the bold stem;
* transposes are ``^{\\mathsf{T}}``, element-wise products ``\\odot`` (SymPy prints ``\\circ``);
* ``DiagMatrix(v)`` is ``\\operatorname{diag}(v)`` and an element-wise function is printed as
  the bold function applied to its argument (SymPy prints ``d \\mapsto ...``);
* the sigmoid is ``\\phi`` (``sigmoid_symbol`` selects another, such as ``\\sigma``),
  Kronecker's delta ``\\delta_{ij}``, and ``Subs(Derivative(f(u), u), u, z)`` is ``f'(z)``;
* terms of a sum are printed positive first (``1 - \\phi``, not ``-\\phi + 1``), and among
  those, terms without function applications first (``\\delta_{ij} + W_{ji}\\phi(z_j)``);
  factors of a product go coefficient, symbols, function applications, bracketed sums,
  derivatives. Both orders are stable sorts of SymPy's own canonical order, which does
  not depend on ``PYTHONHASHSEED``, so the output is deterministic.

Display names
-------------
``to_latex(value, names={subexpression: display})`` prints every occurrence of a
subexpression as its display form, and treats it as an atom when deciding brackets. The
display form is a SymPy object (printed by this printer) or a string of LaTeX. For example
``names={Sum(W[j, k] * x[k], (k, 1, n)): Symbol("z_j")}`` prints ``phi(Sum(...))`` as
``\\phi\\left(z_{j}\\right)``. Names only change the printing: the checked objects are the
same, so a name should stand for a quantity the surrounding text defines.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

import sympy as sp
from sympy.matrices.expressions.applyfunc import ElementwiseApplyFunction
from sympy.printing.latex import LatexPrinter, translate

from derive.functions import sigmoid

# A symbol name: a stem, then an optional subscript, then an optional superscript.
_NAME = re.compile(
    r"^(?P<stem>[A-Za-z]+)"
    r"(?:_(?P<sub>\{[^{}]*\}|[A-Za-z0-9]+))?"
    r"(?:\^(?P<sup>\{.*\}|\([^()]*\)|[A-Za-z0-9]+))?$"
)
_ENDS_WITH_DIGIT = re.compile(r"[0-9}]\s*$")
_STARTS_WITH_DIGIT = re.compile(r"^[{\s]*[0-9]")

_PRIMES = {1: "'", 2: "''", 3: "'''"}

# bmatrix draws its own brackets, so mat_delim is empty (with "[" SymPy adds a second pair).
DEFAULT_SETTINGS = {"mat_delim": "", "mat_str": "bmatrix", "mul_symbol": None}


def _unbrace(text: str) -> str:
    return text[1:-1] if text.startswith("{") and text.endswith("}") else text


def _split_name(name: str) -> tuple[str, str | None, str | None]:
    """Split ``W_g^{(l)}`` into stem ``W``, subscript ``g`` and superscript ``(l)``."""
    match = _NAME.match(name)
    if match is None:
        return name, None, None
    subscript = match.group("sub")
    superscript = match.group("sup")
    return (
        match.group("stem"),
        None if subscript is None else _unbrace(subscript),
        None if superscript is None else _unbrace(superscript),
    )


def _has_application(expr: object) -> bool:
    """True when `expr` contains a function application other than Kronecker's delta, or a sum."""
    if not isinstance(expr, sp.Basic):
        return False
    for node in sp.preorder_traversal(expr):
        if isinstance(node, sp.KroneckerDelta):
            continue
        if isinstance(node, (sp.Function, sp.Sum, ElementwiseApplyFunction, sp.Subs)):
            return True
    return False


def _negated(term: sp.Basic) -> sp.Basic | None:
    """Return -`term` when `term` prints with a leading minus sign, else None."""
    if term.could_extract_minus_sign():
        return -term
    if isinstance(term, sp.MatMul) and term.args and not isinstance(term.args[0], sp.MatrixExpr):
        coefficient = term.args[0]
        if coefficient.could_extract_minus_sign():
            return sp.MatMul(-coefficient, *term.args[1:]).doit(deep=False)
    return None


def _factor_rank(factor: sp.Expr) -> int:
    """Position class of a factor in a printed product (lower prints first)."""
    base = factor.base if isinstance(factor, sp.Pow) else factor
    if isinstance(base, (sp.Derivative, sp.Sum, sp.Integral)):
        return 3
    if isinstance(base, sp.Add):
        return 2
    if isinstance(base, sp.KroneckerDelta):
        return 0
    if isinstance(base, (sp.Function, sp.Subs)):
        return 1
    return 0


class HousePrinter(LatexPrinter):
    """LaTeX printer for the sheet's notation (see the module docstring).

    `names` maps subexpressions to display forms; `sigmoid_symbol` is the LaTeX
    of the sigmoid's name.
    """

    printmethod = "_house_latex"

    def __init__(
        self,
        settings: Mapping[str, object] | None = None,
        names: Mapping[object, object] | None = None,
        sigmoid_symbol: str = r"\phi",
    ) -> None:
        super().__init__(dict(DEFAULT_SETTINGS if settings is None else settings))
        self._names = dict(names or {})
        self._sigmoid_symbol = sigmoid_symbol

    # --- display names -----------------------------------------------------------------

    def _named(self, expr: object) -> str | None:
        if not self._names or not isinstance(expr, sp.Basic):
            return None
        try:
            display = self._names.get(expr)
        except TypeError:  # an unhashable object cannot be a key
            return None
        if display is None:
            return None
        if isinstance(display, str):
            return display
        return LatexPrinter._print(self, display)

    def _print(self, expr: object, **kwargs: object) -> str:
        named = self._named(expr)
        if named is None:
            if self._uses_own_latex(expr):
                return expr._latex(self, **kwargs)
            return super()._print(expr, **kwargs)
        exponent = kwargs.get("exp")
        return named if exponent is None else rf"{{{named}}}^{{{exponent}}}"

    def _uses_own_latex(self, expr: object) -> bool:
        """True when SymPy's LatexPrinter would use `expr._latex` (pi, E, I, oo) and this printer has no rule.

        `printmethod` is ``_house_latex``, so the base dispatcher skips the
        ``_latex`` methods that SymPy's own constants rely on.
        """
        if isinstance(expr, type) or not hasattr(expr, "_latex") or hasattr(expr, self.printmethod):
            return False
        method = f"_print_{type(expr).__name__}"
        own_classes = type(self).__mro__[: type(self).__mro__.index(LatexPrinter)]
        return not any(method in vars(cls) for cls in own_classes)

    def parenthesize(self, item: object, level: int, is_neg: bool = False, strict: bool = False) -> str:
        named = self._named(item)
        if named is not None:
            return named
        return super().parenthesize(item, level, is_neg=is_neg, strict=strict)

    def _needs_mul_brackets(self, expr: sp.Expr, first: bool = False, last: bool = False) -> bool:
        # A named subexpression, a function application and a prime derivative are
        # delimited already; SymPy would bracket phi(sum ...) because it contains a Sum.
        if self._named(expr) is not None:
            return False
        if isinstance(expr, (sp.Function, sp.Subs)) and not isinstance(expr, sp.Piecewise):
            return False
        return super()._needs_mul_brackets(expr, first=first, last=last)

    def _needs_add_brackets(self, expr: sp.Expr) -> bool:
        if self._named(expr) is not None:
            return False
        return super()._needs_add_brackets(expr)

    # --- order of terms and factors ----------------------------------------------------

    def _as_ordered_terms(self, expr: sp.Expr, order: str | None = None) -> list[sp.Expr]:
        terms = super()._as_ordered_terms(expr, order=order)
        if (order or self.order) in ("old", "none"):
            return terms
        return sorted(terms, key=lambda term: (_negated(term) is not None, _has_application(term)))

    def _print_Add(self, expr: sp.Expr, order: str | None = None) -> str:
        # SymPy's loop, except that a matrix term with a negative scalar factor (-mu 1)
        # is also printed after a minus sign; could_extract_minus_sign misses it.
        text = ""
        for position, term in enumerate(self._as_ordered_terms(expr, order=order)):
            negated = _negated(term)
            if position > 0:
                text += " + " if negated is None else " - "
                term = term if negated is None else negated
            term_text = self._print(term)
            if self._needs_add_brackets(term):
                term_text = rf"\left({term_text}\right)"
            text += term_text
        return text

    def _print_Mul(self, expr: sp.Mul) -> str:
        numerator, denominator = sp.fraction(expr, exact=True)
        if not expr.is_commutative or denominator is not sp.S.One or self.order in ("old", "none"):
            return super()._print_Mul(expr)
        if expr.could_extract_minus_sign():
            return "- " + self._print_factors(-expr)
        return self._print_factors(expr)

    def _print_factors(self, expr: sp.Expr) -> str:
        if not isinstance(expr, sp.Mul):
            text = self._print(expr)
            return rf"\left({text}\right)" if isinstance(expr, sp.Add) else text
        coefficient, rest = expr.as_coeff_Mul()
        factors = sorted(rest.as_ordered_factors(), key=_factor_rank)
        pieces = [] if coefficient is sp.S.One else [self._print(coefficient)]
        for position, factor in enumerate(factors):
            text = self._print(factor)
            if self._needs_mul_brackets(factor, first=not pieces, last=position == len(factors) - 1):
                text = rf"\left({text}\right)"
            pieces.append(text)
        result = pieces[0]
        for text in pieces[1:]:
            between_numbers = _ENDS_WITH_DIGIT.search(result) and _STARTS_WITH_DIGIT.match(text)
            result += (self._settings["mul_symbol_latex_numbers"] if between_numbers else self._settings["mul_symbol_latex"]) + text
        return result

    # --- matrices ----------------------------------------------------------------------

    def _print_MatrixSymbol(self, expr: sp.MatrixSymbol) -> str:
        stem, subscript, superscript = _split_name(expr.name)
        # A Greek name such as "Lambda" prints as the letter, the way SymPy prints a Symbol.
        stem = translate(stem)
        is_vector = expr.shape[1] == 1
        text = rf"\boldsymbol{{{stem}}}" if is_vector else rf"\mathbf{{{stem}}}"
        if subscript is not None:
            text += rf"_{{{subscript}}}"
        if superscript is not None:
            text += rf"^{{{superscript}}}"
        return text

    def _print_Transpose(self, expr: sp.Transpose) -> str:
        inner = self._print(expr.arg)
        if not isinstance(expr.arg, sp.MatrixSymbol) and self._named(expr.arg) is None:
            inner = rf"\left({inner}\right)"
        elif "^" in inner:
            # W^{(l)} transposed: brace the base so the two superscripts do not clash.
            inner = rf"{{{inner}}}"
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
            if isinstance(arg, (sp.MatAdd, sp.Add)) and self._named(arg) is None:
                text = rf"\left({text}\right)"
            pieces.append(text)
        return r" \odot ".join(pieces)

    def _print_ElementwiseApplyFunction(self, expr: ElementwiseApplyFunction) -> str:
        function = expr.function
        argument = self._print(expr.expr)
        if isinstance(function, sp.Lambda) and len(function.variables) == 1:
            body = function.expr
            if isinstance(body, sigmoid) and body.args[0] == function.variables[0]:
                return rf"\boldsymbol{{{self._sigmoid_symbol}}}\left({argument}\right)"
            if isinstance(body, sp.Function) and body.args == function.variables:
                return rf"{self._function_head(body, bold=True)}\left({argument}\right)"
        return rf"\left({self._print(function)}\right)_{{\odot}}\left({argument}\right)"

    # --- scalars -----------------------------------------------------------------------

    def _function_head(self, application: sp.Function, bold: bool = False) -> str:
        """Return the LaTeX name of a function, bold on request, with trailing primes kept outside."""
        if isinstance(application, sigmoid):
            name, primes = self._sigmoid_symbol, ""
        else:
            raw = application.func.__name__
            stem = raw.rstrip("'′")
            name, primes = self._hprint_Function(stem), "'" * (len(raw) - len(stem))
        # \boldsymbol around \operatorname fails to compile, so a long name stays upright.
        if bold and not name.startswith(r"\operatorname"):
            name = rf"\boldsymbol{{{name}}}"
        return name + primes

    def _print_KroneckerDelta(self, expr: sp.KroneckerDelta, exp: object = None) -> str:
        first, second = (self._print(arg) for arg in expr.args[:2])
        text = rf"\delta_{{{first}{second}}}"
        return text if exp is None else rf"{text}^{{{exp}}}"

    def _print_sigmoid(self, expr: sigmoid, exp: object = None) -> str:
        text = rf"{self._sigmoid_symbol}\left({self._print(expr.args[0])}\right)"
        return text if exp is None else rf"{text}^{{{exp}}}"

    def _print_Subs(self, subs: sp.Subs) -> str:
        """Print ``Subs(Derivative(f(u), u, m), u, z)`` as ``f'(z)`` (primes up to 3, then ``f^{(m)}``)."""
        expr, variables, points = subs.args
        if len(variables) == 1 and isinstance(expr, sp.Derivative):
            variable = variables[0]
            application = expr.expr
            counts = expr.variable_count
            if (
                isinstance(application, sp.Function)
                and application.args == (variable,)
                and len(counts) == 1
                and counts[0][0] == variable
            ):
                order = int(counts[0][1])
                marks = _PRIMES.get(order, rf"^{{({order})}}")
                return rf"{self._function_head(application)}{marks}\left({self._print(points[0])}\right)"
        return super()._print_Subs(subs)

    def _print_Derivative(self, expr: sp.Derivative) -> str:
        """Print a first derivative of a symbol, entry or named quantity as ``\\frac{\\partial z}{\\partial x}``."""
        inner = expr.expr
        is_atom = isinstance(inner, (sp.Symbol, sp.Indexed)) or self._named(inner) is not None
        if is_atom and len(expr.variable_count) == 1 and expr.variable_count[0][1] == 1:
            variable = expr.variable_count[0][0]
            return rf"\frac{{\partial {self._print(inner)}}}{{\partial {self._print(variable)}}}"
        return super()._print_Derivative(expr)

    def _print_Indexed(self, expr: sp.Indexed) -> str:
        stem, subscript, superscript = _split_name(str(expr.base))
        # A Greek base such as "mu" prints as the letter, as for matrix symbols.
        stem = translate(stem)
        indices = "".join(self._print(index) for index in expr.indices)
        head = stem if superscript is None else rf"{stem}^{{{superscript}}}"
        if subscript is not None:
            return rf"({head}_{{{subscript}}})_{{{indices}}}"
        return rf"{head}_{{{indices}}}"


_PRINTER = HousePrinter()


def to_latex(value: object, names: Mapping[object, object] | None = None, sigmoid_symbol: str = r"\phi") -> str:
    """Return the house LaTeX for a SymPy object (expression, matrix or matrix expression).

    `names` maps subexpressions to display forms (see the module docstring).
    """
    if not names and sigmoid_symbol == r"\phi":
        return _PRINTER.doprint(value)
    return HousePrinter(names=names, sigmoid_symbol=sigmoid_symbol).doprint(value)
