"""Scalar functions used by the models, with the derivative rules the sheet relies on."""

from __future__ import annotations

import sympy as sp


class sigmoid(sp.Function):
    """The logistic sigmoid, ``sigmoid(z) = 1 / (1 + exp(-z))``.

    It is kept as a function of its own, not expanded into `exp`, so that
    derivatives come out in the form the sheet prints, ``sigmoid(z) (1 - sigmoid(z))``.
    ``sigmoid(-z)`` is rewritten to ``1 - sigmoid(z)`` on construction, so the
    two spellings of the same value cannot appear as different atoms.
    """

    nargs = 1

    @classmethod
    def eval(cls, arg: sp.Expr) -> sp.Expr | None:
        if arg.is_zero:
            return sp.Rational(1, 2)
        if arg is sp.oo:
            return sp.Integer(1)
        if arg is sp.S.NegativeInfinity:
            return sp.Integer(0)
        if arg.could_extract_minus_sign():
            return 1 - cls(-arg)
        return None

    def fdiff(self, argindex: int = 1) -> sp.Expr:
        if argindex != 1:
            raise sp.ArgumentIndexError(self, argindex)
        value = sigmoid(self.args[0])
        return value * (1 - value)

    def _eval_rewrite_as_exp(self, arg: sp.Expr, **kwargs: object) -> sp.Expr:
        return 1 / (1 + sp.exp(-arg))

    def _eval_evalf(self, prec: int) -> sp.Expr:
        return self.rewrite(sp.exp)._eval_evalf(prec)

    def _eval_is_real(self) -> bool | None:
        return self.args[0].is_real

    def _eval_is_positive(self) -> bool | None:
        return True if self.args[0].is_real else None

    def _latex(self, printer: sp.printing.latex.LatexPrinter) -> str:
        return r"\phi\left(" + printer._print(self.args[0]) + r"\right)"


def sigmoid_exp(z: sp.Expr) -> sp.Expr:
    """Return ``1 / (1 + exp(-z))``, the sigmoid written out with `exp`."""
    return 1 / (1 + sp.exp(-z))
