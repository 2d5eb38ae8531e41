"""Claims, derivations and verdicts as LaTeX for notebooks and as Unicode for terminals.

The LaTeX functions return math-mode source without delimiters, printed with the
house printer (`derive.latex.to_latex`). Prose such as a claim's statement is set
by `math_text`, whose output is valid both for MathJax in Jupyter and for LaTeX
with amsmath. The `_repr_latex_` methods of `Claim`, `Derivation` and `Verdict` wrap
these in ``$$...$$``, and their ``__str__`` methods call the Unicode functions.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

import sympy as sp
from sympy.printing.pretty.pretty import PrettyPrinter
from sympy.printing.pretty.stringpict import prettyForm, stringPict

from derive.claims import Claim, Derivation
from derive.functions import sigmoid
from derive.latex import to_latex
from derive.sheet import _MATH_CHARACTERS
from derive.verdict import Method, Verdict

# Characters that \text{} cannot hold as they are, written as math-mode commands instead.
_MATH_MODE = {
    "\\": r"\backslash{}",
    "{": r"\{",
    "}": r"\}",
    "$": r"\$",
    "%": r"\%",
    "&": r"\&",
    "#": r"\#",
    "_": r"\_",
    "^": r"\hat{}",
    "~": r"\sim{}",
}


def _math_command(tex: str) -> str | None:
    """Return the math-mode body of a prose replacement such as ``$\\phi$`` or ``\\ensuremath{\\odot}``."""
    if len(tex) > 1 and tex.startswith("$") and tex.endswith("$"):
        return tex[1:-1]
    prefix = "\\ensuremath{"
    if tex.startswith(prefix) and tex.endswith("}"):
        return tex[len(prefix) : -1]
    return None


# Replacements that are text (such as "-" for U+2212) go inside \text{} like the rest of the prose.
_MATH_MODE.update(
    {character: _math_command(tex) or rf"\text{{{tex}}}" for character, tex in _MATH_CHARACTERS.items()}
)
_SPECIAL = re.compile("[" + re.escape("".join(_MATH_MODE)) + "]")


def math_text(text: str) -> str:
    r"""Set prose inside math mode: plain runs become ``\text{...}``, special characters math commands."""
    pieces = []
    position = 0
    for match in _SPECIAL.finditer(text):
        if match.start() > position:
            pieces.append(rf"\text{{{text[position:match.start()]}}}")
        pieces.append(_MATH_MODE[match.group()])
        position = match.end()
    if position < len(text):
        pieces.append(rf"\text{{{text[position:]}}}")
    return "".join(pieces)


# --- LaTeX --------------------------------------------------------------------------------------


def claim_latex(claim: Claim) -> str:
    """Return the claim's id and statement above ``obtained = stated`` (the statement alone for a
    claim decided by its own function, such as a limit)."""
    lines = [math_text(f"claim {claim.id}: {claim.statement}")]
    if claim.decide_with is None:
        lines.append(f"{to_latex(claim.obtained)} = {to_latex(claim.stated)}")
    if claim.assumptions:
        lines.append(math_text("assuming " + "; ".join(claim.assumptions)))
    return r"\begin{gathered}" + r" \\ ".join(lines) + r"\end{gathered}"


def derivation_latex(derivation: Derivation) -> str:
    """Return the derivation as an aligned chain ``lhs = step 1 = step 2 ...`` with each step's justification.

    The stated form is added as a last line when it differs from the last step.
    """
    rows = []
    for number, step in enumerate(derivation.steps):
        left = to_latex(derivation.lhs) if number == 0 else ""
        rows.append(f"{left} &= {to_latex(step.shown)} && {math_text(step.justification)}")
    if _differs(derivation.stated, derivation.steps[-1].expr):
        rows.append(f"&= {to_latex(derivation.stated)} && {math_text('stated form')}")
    return r"\begin{aligned}" + r" \\ ".join(rows) + r"\end{aligned}"


def verdict_latex(verdict: Verdict) -> str:
    """Return the verdict's summary, with the counterexample or the reason when the claim does not hold."""
    lines = [math_text(line) for line in verdict_text(verdict).splitlines()]
    return r"\begin{array}{l}" + r" \\ ".join(lines) + r"\end{array}"


def _differs(first: object, second: object) -> bool:
    try:
        return bool(first != second)
    except TypeError:
        return True


# --- Unicode ------------------------------------------------------------------------------------


class HousePrettyPrinter(PrettyPrinter):
    """SymPy's Unicode printer with the sheet's notation: φ for the sigmoid, diag(v), ⊙, and φ(z) for the
    sigmoid applied element-wise.

    SymPy 1.14 prints the last one as ``(t ↦ sigmoid(t))˳(z)``, and a `DiagMatrix` or
    `HadamardProduct` of it in `str` form.
    """

    def _print_sigmoid(self, expr: sigmoid) -> prettyForm:
        return self._helper_print_function(expr.func, expr.args, func_name="φ")

    def _print_DiagMatrix(self, expr: sp.DiagMatrix) -> prettyForm:
        return self._helper_print_function(expr.func, expr.args, func_name="diag")

    def _print_HadamardProduct(self, expr: sp.HadamardProduct) -> prettyForm:
        return self._print_seq(
            expr.args, None, None, " ⊙ ", parenthesize=lambda arg: isinstance(arg, sp.MatAdd | sp.MatMul | sp.HadamardProduct)
        )

    def _print_ElementwiseApplyFunction(self, expr: object) -> prettyForm:
        function = expr.function
        if isinstance(function, sp.Lambda) and len(function.variables) == 1:
            body = function.expr
            if isinstance(body, sp.Function) and body.args == function.variables:
                name = "φ" if isinstance(body, sigmoid) else type(body).__name__
                return self._helper_print_function(body.func, [expr.expr], func_name=name)
        return super()._print_ElementwiseApplyFunction(expr)


_PRETTY_SETTINGS = {"use_unicode": True, "wrap_line": False}


def pretty(value: object) -> str:
    """Return the house Unicode rendering of a SymPy object, one string of one or more lines."""
    return HousePrettyPrinter(_PRETTY_SETTINGS).doprint(value)


def claim_text(claim: Claim) -> str:
    """Return the claim's id and statement, then ``obtained = stated`` pretty-printed in Unicode."""
    lines = [f"claim {claim.id}: {claim.statement}"]
    if claim.decide_with is None:
        lines.append(_relation(claim.obtained, "=", claim.stated))
    if claim.assumptions:
        lines.append("assuming " + "; ".join(claim.assumptions))
    return "\n".join(lines)


def derivation_text(derivation: Derivation, verdicts: Mapping[str, Verdict] | None = None) -> str:
    """Return the derivation in Unicode: the left-hand side, then each step with its justification.

    `verdicts` maps claim ids (``<derivation id>/step<k>`` and ``<derivation id>/stated``)
    to their verdicts; when given, each step shows how it was checked against the step before.
    """
    verdicts = verdicts or {}
    lines = [f"derivation {derivation.id}: {derivation.title}", pretty(derivation.lhs)]
    for number, step in enumerate(derivation.steps, start=1):
        label = f"  step {number} [{step.justification}]"
        verdict = verdicts.get(f"{derivation.id}/step{number}")
        if verdict is not None:
            label += f" {_mark(verdict)} {verdict.summary()}"
        lines.append(label)
        lines.append(_relation(None, "=", step.shown))
    verdict = verdicts.get(f"{derivation.id}/stated")
    if _differs(derivation.stated, derivation.steps[-1].expr):
        lines.append("  stated form")
        lines.append(_relation(None, "=", derivation.stated))
    if verdict is not None:
        lines.append(f"  last step against the stated form: {_mark(verdict)} {verdict.summary()}")
    return "\n".join(lines)


def verdict_text(verdict: Verdict) -> str:
    """Return the verdict's summary; a failing verdict adds the difference and the counterexample
    or, when undecided, the reason."""
    lines = [verdict.summary()]
    if verdict.holds:
        return lines[0]
    if verdict.difference is not None:
        lines.append(f"difference: {verdict.difference}")
    if verdict.counterexample is not None:
        lines.append(f"they differ {verdict.counterexample.describe()}")
    if verdict.method is not Method.FALSE or verdict.counterexample is None:
        lines.append(f"reason: {verdict.detail}")
    return "\n".join(lines)


def _relation(left: object | None, relation: str, right: object) -> str:
    """Pretty-print ``left relation right`` with both sides on a common baseline (no left side when None)."""
    printer = HousePrettyPrinter(_PRETTY_SETTINGS)
    left_form = printer._print(left) if left is not None else prettyForm("")
    form = prettyForm(*stringPict.next(left_form, f" {relation} ", printer._print(right)))
    return "\n".join(line.rstrip() for line in form.render(wrap_line=False).splitlines())


def _mark(verdict: Verdict) -> str:
    return "ok" if verdict.holds else "FAIL"


def render_latex(value: object) -> str:
    """Return math-mode LaTeX for a claim, derivation, verdict or any SymPy object."""
    if isinstance(value, Claim):
        return claim_latex(value)
    if isinstance(value, Derivation):
        return derivation_latex(value)
    if isinstance(value, Verdict):
        return verdict_latex(value)
    return to_latex(value)


def render_text(value: object) -> str:
    """Return readable Unicode for a claim, derivation, verdict or any SymPy object."""
    if isinstance(value, Claim):
        return claim_text(value)
    if isinstance(value, Derivation):
        return derivation_text(value)
    if isinstance(value, Verdict):
        return verdict_text(value)
    if isinstance(value, sp.Basic | sp.MatrixBase):
        return pretty(value)
    return str(value)
