"""The house printer: notation, term order, display names and determinism."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import sympy as sp
from sympy.matrices.expressions.applyfunc import ElementwiseApplyFunction

from derive.functions import sigmoid
from derive.latex import HousePrinter, to_latex

GOLDEN = Path(__file__).parent / "golden"
# Set DERIVE_UPDATE_GOLDEN=1 to rewrite the golden files from the current printer.
UPDATE_GOLDEN = bool(os.environ.get("DERIVE_UPDATE_GOLDEN"))

n = sp.Symbol("n", integer=True, positive=True)
i, j, k = sp.symbols("i j k", integer=True, positive=True)
s, t, u = sp.Symbol("s", real=True), sp.Symbol("t"), sp.Symbol("u", real=True)
x_entry, W_entry = sp.IndexedBase("x"), sp.IndexedBase("W")
z_j = sp.Sum(W_entry[j, k] * x_entry[k], (k, 1, n))
W = sp.MatrixSymbol("W", n, n)
x = sp.MatrixSymbol("x", n, 1)
z = sp.MatrixSymbol("z", n, 1)
PHI = sp.Lambda(t, sigmoid(t))
TANH = sp.Lambda(t, sp.tanh(t))
f = sp.Function("f")

CASES = [
    ("one-minus-sigmoid", 1 - sigmoid(s), r"1 - \phi\left(s\right)"),
    ("quarter-minus-slope", sp.Rational(1, 4) - sigmoid(s) * (1 - sigmoid(s)), r"\frac{1}{4} - \phi\left(s\right) \left(1 - \phi\left(s\right)\right)"),
    ("sigmoid-minus-half", sigmoid(s) - sp.Rational(1, 2), r"\phi\left(s\right) - \frac{1}{2}"),
    ("delta-first", sp.KroneckerDelta(i, j) + W_entry[j, i] * sigmoid(s), r"\delta_{ij} + W_{ji} \phi\left(s\right)"),
    ("polynomial-order-kept", s**2 + 2 * s + 1, r"s^{2} + 2 s + 1"),
    ("negative-product", -2 * s * sigmoid(s), r"- 2 s \phi\left(s\right)"),
    ("numbers-get-cdot", sp.Mul(2, 3, evaluate=False), r"2 \cdot 3"),
    ("fraction-left-to-sympy", s / (1 + s), r"\frac{s}{s + 1}"),
    ("sigmoid-prime", sp.Subs(sp.Derivative(sigmoid(u), u), u, s), r"\phi'\left(s\right)"),
    ("second-derivative-primes", sp.Subs(sp.Derivative(f(u), (u, 2)), u, s), r"f''\left(s\right)"),
    ("fourth-derivative-order", sp.Subs(sp.Derivative(f(u), (u, 4)), u, s), r"f^{(4)}\left(s\right)"),
    ("partial-of-entry", sp.Derivative(x_entry[j], x_entry[i]), r"\frac{\partial x_{j}}{\partial x_{i}}"),
    ("sigmoid-of-sum-unbracketed", W_entry[j, i] * sigmoid(z_j), r"W_{ji} \phi\left(\sum_{k=1}^{n} W_{jk} x_{k}\right)"),
    ("sympy-constants", sp.log(2 * sp.pi * s) + sp.E + sp.oo * s, r"\infty s + e + \log{\left(2 \pi s \right)}"),
    ("vector-bold-italic", x, r"\boldsymbol{x}"),
    ("matrix-upright-bold", W, r"\mathbf{W}"),
    ("transpose-sans-serif", W.T * x, r"\mathbf{W}^{\mathsf{T}} \boldsymbol{x}"),
    ("layer-superscript", sp.MatrixSymbol("W^{(l)}", n, n).T * sp.MatrixSymbol("h^{(l-1)}", n, 1), r"{\mathbf{W}^{(l)}}^{\mathsf{T}} \boldsymbol{h}^{(l-1)}"),
    ("subscript-and-layer", sp.MatrixSymbol("W_g^{(2)}", n, n), r"\mathbf{W}_{g}^{(2)}"),
    ("greek-matrix", sp.MatrixSymbol("Lambda", n, n), r"\mathbf{\Lambda}"),
    ("identity-plus", sp.Identity(n) + W.T, r"\mathbf{I} + \mathbf{W}^{\mathsf{T}}"),
    ("negative-scalar-matrix-term-last", z - s * sp.OneMatrix(n, 1), r"\boldsymbol{z} - s \boldsymbol{1}"),
    ("ones-minus-vector", sp.OneMatrix(n, 1) - z, r"\boldsymbol{1} - \boldsymbol{z}"),
    ("elementwise-sigmoid", ElementwiseApplyFunction(PHI, W * x), r"\boldsymbol{\phi}\left(\mathbf{W} \boldsymbol{x}\right)"),
    ("elementwise-tanh", ElementwiseApplyFunction(TANH, z), r"\boldsymbol{\tanh}\left(\boldsymbol{z}\right)"),
    ("elementwise-prime-outside-bold", ElementwiseApplyFunction(sp.Lambda(t, sp.Function("f'")(t)), z), r"\boldsymbol{f}'\left(\boldsymbol{z}\right)"),
    ("elementwise-long-name-upright", ElementwiseApplyFunction(sp.Lambda(t, sp.Function("relu")(t)), z), r"\operatorname{relu}\left(\boldsymbol{z}\right)"),
    (
        "hadamard-odot-diag",
        sp.DiagMatrix(sp.HadamardProduct(ElementwiseApplyFunction(PHI, z), sp.OneMatrix(n, 1) - ElementwiseApplyFunction(PHI, z))),
        r"\operatorname{diag}\left(\boldsymbol{\phi}\left(\boldsymbol{z}\right) \odot \left(\boldsymbol{1} - \boldsymbol{\phi}\left(\boldsymbol{z}\right)\right)\right)",
    ),
]


@pytest.mark.parametrize(("expr", "expected"), [case[1:] for case in CASES], ids=[case[0] for case in CASES])
def test_printer_notation(expr: object, expected: str) -> None:
    assert to_latex(expr) == expected


NAMES = {z_j: sp.Symbol("z_j")}
NAMED_CASES = [
    ("sigmoid-of-name", sigmoid(z_j), r"\phi\left(z_{j}\right)"),
    ("prime-at-name", sp.Subs(sp.Derivative(sigmoid(u), u), u, z_j), r"\phi'\left(z_{j}\right)"),
    ("partial-of-name", sp.Derivative(z_j, x_entry[i], evaluate=False), r"\frac{\partial z_{j}}{\partial x_{i}}"),
    ("name-not-bracketed", z_j * sigmoid(s), r"\phi\left(s\right) z_{j}"),
    ("name-to-a-power", z_j**2, r"z_{j}^{2}"),
    ("untouched-without-match", sp.Sum(x_entry[k], (k, 1, n)), r"\sum_{k=1}^{n} x_{k}"),
]


@pytest.mark.parametrize(("expr", "expected"), [case[1:] for case in NAMED_CASES], ids=[case[0] for case in NAMED_CASES])
def test_display_names(expr: object, expected: str) -> None:
    assert to_latex(expr, names=NAMES) == expected


def test_display_name_as_latex_string() -> None:
    assert to_latex(sigmoid(z_j), names={z_j: r"\hat{z}"}) == r"\phi\left(\hat{z}\right)"


def test_sigmoid_symbol_sigma() -> None:
    assert to_latex(sigmoid(s) * (1 - sigmoid(s)), sigmoid_symbol=r"\sigma") == r"\sigma\left(s\right) \left(1 - \sigma\left(s\right)\right)"
    assert to_latex(ElementwiseApplyFunction(PHI, z), sigmoid_symbol=r"\sigma") == r"\boldsymbol{\sigma}\left(\boldsymbol{z}\right)"


def test_names_do_not_leak() -> None:
    # A named print must not leak into a later plain print through shared state.
    to_latex(sigmoid(z_j), names=NAMES)
    assert to_latex(sigmoid(z_j)) == r"\phi\left(\sum_{k=1}^{n} W_{jk} x_{k}\right)"


def _residual_steps() -> list[object]:
    """The steps of the residual Jacobian in index form, as answer 1(a) derives it."""
    slope = sigmoid(z_j) * (1 - sigmoid(z_j))
    return [
        sp.Derivative(x_entry[j] + sigmoid(z_j), x_entry[i], evaluate=False),
        sp.Derivative(x_entry[j], x_entry[i], evaluate=False) + sp.Derivative(sigmoid(z_j), x_entry[i], evaluate=False),
        sp.KroneckerDelta(i, j)
        + sp.Derivative(z_j, x_entry[i], evaluate=False) * sp.Subs(sp.Derivative(sigmoid(u), u), u, z_j),
        sp.KroneckerDelta(i, j) + sp.Derivative(z_j, x_entry[i], evaluate=False) * slope,
        sp.KroneckerDelta(i, j) + W_entry[j, i] * slope,
        sp.Identity(n) + W.T * sp.DiagMatrix(
            sp.HadamardProduct(ElementwiseApplyFunction(PHI, z), sp.OneMatrix(n, 1) - ElementwiseApplyFunction(PHI, z))
        ),
    ]


@pytest.mark.parametrize("names", [{}, NAMES], ids=["full-sums", "named-z"])
def test_residual_steps_golden(names: dict) -> None:
    printed = "".join(to_latex(step, names=names) + "\n" for step in _residual_steps())
    golden = GOLDEN / f"residual-steps-{'named' if names else 'full'}.tex"
    if UPDATE_GOLDEN:
        golden.write_text(printed, encoding="utf-8")
    assert printed == golden.read_text(encoding="utf-8")


_PRINT_SCRIPT = """
import sys
sys.path.insert(0, {tests!r})
from test_latex import _residual_steps, NAMES
from derive.latex import to_latex
for step in _residual_steps():
    print(to_latex(step))
    print(to_latex(step, names=NAMES))
"""


def test_printer_ignores_hash_seed() -> None:
    script = _PRINT_SCRIPT.format(tests=str(Path(__file__).parent))
    outputs = []
    for seed in ("0", "4242"):
        environment = dict(os.environ, PYTHONHASHSEED=seed)
        completed = subprocess.run(
            [sys.executable, "-c", script], env=environment, capture_output=True, text=True, timeout=120, check=True
        )
        outputs.append(completed.stdout)
    assert outputs[0] == outputs[1]
    assert outputs[0].count("\n") == 2 * len(_residual_steps())


def test_matrix_single_brackets() -> None:
    assert HousePrinter().doprint(sp.Matrix([[1, s]])) == r"\begin{bmatrix}1 & s\end{bmatrix}"
