"""Answer 8: the exact hard-margin SVM, its multiplier family, and wrong values that must be rejected."""

from __future__ import annotations

import re
import shutil
import subprocess
from fractions import Fraction

import pytest
import sympy as sp

from derive.check import check_parts
from derive.claims import Claim
from derive.errors import MalformedClaim
from derive.papers.ep2 import q8
from derive.registry import get_paper, select_parts
from derive.verdict import Method

PARAM = q8.LAMBDA


@pytest.fixture(scope="module")
def results():
    return check_parts(select_parts(get_paper("ep2"), ["8"]))


@pytest.fixture(scope="module")
def claims() -> dict[str, Claim]:
    return {claim.id: claim for part in q8.build() for claim in part.all_claims()}


# --- the true claims -------------------------------------------------------------------------


@pytest.mark.parametrize("part_id", ["8a", "8b", "8c"])
def test_every_claim_of_part_holds(results, part_id: str) -> None:
    own = [result for result in results if result.part.id == part_id]
    assert own, f"part {part_id} has no claims"
    failing = [result.failure() for result in own if not result.holds]
    assert not failing, "\n\n".join(failing)


def test_every_claim_is_proved(results) -> None:
    weak = [result.claim.id for result in results if result.verdict.method is not Method.PROVED]
    assert weak == []


def test_parts_in_order() -> None:
    assert [part.id for part in q8.build()] == ["8a", "8b", "8c"]


def test_data_is_reconstruction() -> None:
    points, labels = q8.data()
    assert [tuple(point) for point in points] == [(1, 1), (2, 2), (2, 0), (0, 0), (1, 0), (0, 1)]
    assert labels == (1, 1, 1, -1, -1, -1)


def test_primal_solution_exact() -> None:
    w, b = q8.primal_solution()
    assert w == sp.Matrix([2, 2])
    assert b == -3
    assert all(isinstance(value, sp.Integer) for value in (*w, b))


def test_support_vectors() -> None:
    assert q8.support_vectors() == (1, 3, 5, 6)


def test_kkt_points_agree_on_primal() -> None:
    points = q8.kkt_points()
    assert points, "the active-set enumeration found no KKT point"
    assert {(tuple(point.w), point.b) for point in points} == {((2, 2), -3)}


def test_reference_active_set_multipliers() -> None:
    point = q8._solve_active_set((0, 4, 5))
    assert point is not None
    assert point.multipliers == sp.Matrix([4, 0, 0, 0, 2, 2])


def test_infeasible_active_set_rejected() -> None:
    # Holding x2 and x4 on the margin needs w = (1/2)(1, 1) and b = -1, which violates x5's constraint.
    assert q8._solve_active_set((1, 3)) is None


def test_multiplier_family_and_interval() -> None:
    parameter, family, (low, high) = q8.multiplier_family()
    assert parameter == PARAM
    assert family == sp.Matrix([PARAM, 0, 4 - PARAM, 0, 6 - PARAM, PARAM - 2])
    assert (low, high) == (2, 4)


@pytest.mark.parametrize("value", [sp.Integer(2), sp.Rational(5, 2), sp.Integer(3), sp.Integer(4)], ids=str)
def test_family_member_dual_value(value: sp.Rational) -> None:
    _, family, _ = q8.multiplier_family()
    assert q8.lagrangian_dual(family.xreplace({PARAM: value})) == 4


# --- wrong values the engine must reject -------------------------------------------------------

WRONG_VALUES = [
    ("8b/w", sp.Matrix([1, 1]), "direction-only"),
    ("8b/w", sp.Matrix([4, 4]), "doubled"),
    ("8b/w", sp.Matrix([2, -2]), "sign-flip"),
    ("8b/b", sp.Integer(3), "b-sign"),
    ("8b/b", sp.Integer(-2), "b-off-by-one"),
    ("8b/b", sp.Rational(-3, 2), "b-halved"),
    ("8b/functional-margins", sp.Matrix([1, 1, 1, 3, 1, 1]), "x2-on-margin"),
    ("8b/support-vectors", sp.Matrix([1, 2, 5, 6]), "x2-for-x3"),
    ("8b/geometric-margin", sp.Rational(1, 8), "one-over-norm-squared"),
    ("8b/geometric-margin", 1 / sp.sqrt(2), "full-width"),
    ("8b/geometric-margin", sp.Rational(1, 4), "no-root"),
    ("8b/geometric-margin", 2 * sp.sqrt(2), "norm-itself"),
    ("8b/margin-width", 1 / (2 * sp.sqrt(2)), "half-width"),
    ("8b/slack-term", 2 * q8.W1 + 2 * q8.W2 - 4, "constant"),
    ("8b/b-from-each-support-vector", sp.Matrix([-3, -3, -3, -1]), "x6-gives-other-b"),
    ("8c/family", sp.Matrix([PARAM, 0, 4 - PARAM, 0, 6 - PARAM, 2 - PARAM]), "a6-sign"),
    ("8c/family", sp.Matrix([PARAM, 0, PARAM - 4, 0, 6 - PARAM, PARAM - 2]), "a3-sign"),
    ("8c/family", sp.Matrix([PARAM, 0, 0, 0, 6 - PARAM, PARAM - 2]), "a3-zero"),
    ("8c/interval", sp.Matrix([0, 4]), "from-zero"),
    ("8c/interval", sp.Matrix([2, 6]), "to-six"),
    ("8c/stationarity-w", sp.Matrix([2, -2]), "w-sign"),
    ("8c/stationarity-b", sp.Integer(1), "nonzero"),
    ("8c/dual-objective", sp.Integer(8), "norm-without-half"),
    ("8c/dual-objective", sp.Integer(2), "halved"),
    ("8c/no-duality-gap", sp.Integer(8), "primal-without-half"),
    ("8c/reference-member", sp.Matrix([4, 0, 2, 0, 2, 2]), "a3-nonzero"),
    ("8c/reference-member", sp.Matrix([2, 0, 2, 0, 4, 0]), "other-end"),
    ("8c/rank", sp.Integer(4), "full-rank"),
    ("8c/complementary-slackness", sp.Matrix([0, 0, 0, 0, 0, PARAM]), "nonzero-entry"),
    ("8a/sides", sp.Matrix([1, 1, -1, -1, -1, -1]), "x3-wrong-side"),
]


@pytest.mark.parametrize(("claim_id", "wrong", "name"), WRONG_VALUES, ids=[f"{c}-{n}" for c, _, n in WRONG_VALUES])
def test_wrong_value_rejected(claims, claim_id: str, wrong: object, name: str) -> None:
    verdict = claims[claim_id].restate(wrong).check()
    assert verdict.method is Method.FALSE, f"{claim_id} accepted the wrong value {wrong}: {verdict.summary()}"


@pytest.mark.parametrize(
    ("value", "bound", "expected"),
    [(sp.Integer(1), sp.Integer(1), Method.PROVED), (sp.Integer(5), sp.Integer(1), Method.PROVED), (sp.Integer(0), sp.Integer(1), Method.FALSE)],
    ids=["on-margin", "inside", "violated"],
)
def test_inequality_decided_exactly(value, bound, expected: Method) -> None:
    verdict = q8.decide_at_least(value, bound, "value")(q8.CheckSettings())
    assert verdict.method is expected


def test_inequality_rejects_irrational() -> None:
    with pytest.raises(MalformedClaim, match=r"^expected an exact rational, got sqrt\(2\)"):
        q8.decide_at_least(sp.sqrt(2), sp.Integer(1), "value")(q8.CheckSettings())


@pytest.mark.parametrize(("low", "high"), [(0, 4), (2, 6), (1, 5)], ids=["below", "above", "both"])
def test_dual_feasibility_rejects_wider_interval(low: int, high: int) -> None:
    _, family, _ = q8.multiplier_family()
    verdict = q8.decide_nonnegative_on(family, PARAM, sp.Integer(low), sp.Integer(high))(q8.CheckSettings())
    assert verdict.method is Method.FALSE


def test_dual_feasibility_rejects_nonaffine() -> None:
    family = sp.Matrix([PARAM**2 - 1])
    verdict = q8.decide_nonnegative_on(family, PARAM, sp.Integer(0), sp.Integer(2))(q8.CheckSettings())
    assert verdict.method is Method.UNDECIDED


def test_gap_identity_rejects_wrong_multipliers() -> None:
    # (4, 0, 0, 0, 2, 3) breaks stationarity, so the identity fails somewhere.
    wrong = sp.Matrix([4, 0, 0, 0, 2, 3])
    left, distance, slack = q8.optimality_gap_identity(wrong)
    verdict = Claim(id="gap-wrong", statement="gap identity", obtained=distance + slack, stated=left).check()
    assert verdict.method is Method.FALSE


# --- the figure -------------------------------------------------------------------------------

_DRAWN_LINE = re.compile(
    r"^\\draw\[(thick|dashed)\] \(\{(-?\d+)/(\d+)\},\{(-?\d+)/(\d+)\}\) -- \(\{(-?\d+)/(\d+)\},\{(-?\d+)/(\d+)\}\);$"
)


def _drawn_lines(source: str) -> list[tuple[str, tuple[Fraction, Fraction], tuple[Fraction, Fraction]]]:
    lines = []
    for line in source.splitlines():
        match = _DRAWN_LINE.match(line)
        if match:
            style, *numbers = match.groups()
            values = [Fraction(int(numbers[k]), int(numbers[k + 1])) for k in range(0, 8, 2)]
            lines.append((style, (values[0], values[1]), (values[2], values[3])))
    return lines


@pytest.mark.parametrize(
    ("w", "b"),
    [((2, 2), -3), ((1, 3), -2), ((3, -1), Fraction(-1, 2)), ((0, 2), -1)],
    ids=["solution", "steep", "negative-slope", "horizontal"],
)
def test_figure_lines_follow_w_and_b(w: tuple[int, int], b) -> None:
    source = q8.figure_source(sp.Matrix(w), sp.Rational(b.numerator, b.denominator) if isinstance(b, Fraction) else sp.Integer(b))
    lines = _drawn_lines(source)
    assert [style for style, _, _ in lines] == ["thick", "dashed", "dashed"]
    for (style, start, end), level in zip(lines, (0, 1, -1)):
        for x1, x2 in (start, end):
            assert w[0] * x1 + w[1] * x2 + Fraction(b) == level, f"{style} line end ({x1}, {x2}) is off w^T x + b = {level}"


def test_figure_changes_with_w() -> None:
    assert q8.figure_source(sp.Matrix([2, 2]), sp.Integer(-3)) != q8.figure_source(sp.Matrix([2, 3]), sp.Integer(-3))


def test_figure_draws_every_point() -> None:
    source = q8.figure_source(*q8.primal_solution())
    assert source.count("circle (2pt)") == 6
    assert source.count("fill=black") == 3


def test_figure_rejects_line_outside_window() -> None:
    with pytest.raises(MalformedClaim, match=r"^the line w\^T x \+ b = 0 misses the plotting window"):
        q8.figure_source(sp.Matrix([1, 1]), sp.Integer(-100))


def test_part_a_holds_the_figure() -> None:
    part = q8.part_a()
    figures = [block for block in part.body if isinstance(block, q8.Figure)]
    assert len(figures) == 1
    assert figures[0].source == q8.figure_source(*q8.primal_solution())


@pytest.mark.skipif(shutil.which("pdflatex") is None, reason="pdflatex is not installed")
def test_figure_compiles_with_plain_tikz(tmp_path) -> None:
    source = q8.figure_source(*q8.primal_solution())
    document = "\\documentclass{article}\n\\usepackage{amsmath,bm}\n\\usepackage{tikz}\n\\begin{document}\n" + source + "\n\\end{document}\n"
    (tmp_path / "figure.tex").write_text(document)
    completed = subprocess.run(
        ["pdflatex", "-interaction=nonstopmode", "-halt-on-error", "figure.tex"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert completed.returncode == 0, completed.stdout[-2000:]


# --- errata ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("part_id", "phrase"),
    [("8a", "x2 and x4 are never given"), ("8b", "unit vector"), ("8c", "a_t"), ("8c", "a3 is assumed to be zero")],
    ids=["missing-data", "unit-vector", "typo", "a3-choice"],
)
def test_erratum_recorded(part_id: str, phrase: str) -> None:
    part = next(part for part in q8.build() if part.id == part_id)
    assert any(phrase in erratum.reference_says for erratum in part.errata)


# --- restating the decide_with claims -------------------------------------------------------------


@pytest.mark.parametrize(
    ("claim_id", "wrong"),
    [("8b/feasible-x1", sp.Integer(2)), ("8b/feasible-x2", sp.Integer(6)), ("8c/dual-feasibility", (sp.Integer(1), sp.Integer(4)))],
    ids=["x1-margin-two", "x2-margin-six", "interval-from-one"],
)
def test_restated_inequality_rejected(claims, claim_id: str, wrong: object) -> None:
    verdict = claims[claim_id].restate(wrong).check()
    assert verdict.method is Method.FALSE


def test_restated_bound_rejects_text(claims) -> None:
    with pytest.raises(MalformedClaim, match=r"^a restated bound must be an int or a SymPy expression, got str$"):
        claims["8b/feasible-x1"].restate("1")
