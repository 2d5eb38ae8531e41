"""Answer 9: Gaussian-mixture score space, its derivatives and dimension, and wrong forms that must be rejected."""

from __future__ import annotations

import pytest
import sympy as sp

from derive.check import check_parts
from derive.claims import Claim
from derive.latex import to_latex
from derive.papers.ep2 import q9
from derive.papers.ep2.q9 import INDEX_RANGES, M_SYMBOL, c_i, gaussian, i, j, m, mu_i, responsibility, sigma_i, t, x_i
from derive.registry import get_paper, select_parts
from derive.rewrites import EXPAND_SUMS, RewriteContext
from derive.verdict import Method
from derive.verify import CheckSettings

M = M_SYMBOL
P_i = responsibility(i, x_i[t])
P_j = responsibility(j, x_i[t])
T = q9.T_SYMBOL


def _u(k: sp.Symbol) -> sp.Expr:
    return (x_i[t] - mu_i[k]) / sigma_i[k] ** 2


@pytest.fixture(scope="module")
def results():
    return check_parts(select_parts(get_paper("ep2"), ["9"]))


@pytest.fixture(scope="module")
def claims() -> dict[str, Claim]:
    return {claim.id: claim for part in q9.build() for claim in part.all_claims()}


# --- the true claims -------------------------------------------------------------------------


@pytest.mark.parametrize("part_id", ["9a", "9b", "9c"])
def test_every_claim_of_part_holds(results, part_id: str) -> None:
    own = [result for result in results if result.part.id == part_id]
    assert own, f"part {part_id} has no claims"
    failing = [result.failure() for result in own if not result.holds]
    assert not failing, "\n\n".join(failing)


def test_only_distinctness_is_numeric(results) -> None:
    numeric = {result.claim.id for result in results if result.verdict.method is Method.NUMERIC}
    proved = {result.claim.id for result in results if result.verdict.method is Method.PROVED}
    assert numeric == {f"9a/entries-distinct-M{size}" for size in range(1, 6)}
    assert proved | numeric == {result.claim.id for result in results}


@pytest.mark.parametrize(
    "claim_id",
    ["9b/index-direct", "9b/index/stated", "9c/index-direct", "9c/index-diagonal", "9a/hessian-symmetric-index"],
)
def test_symbolic_size_claims_use_sum_rewrite(results, claim_id: str) -> None:
    verdict = next(result.verdict for result in results if result.claim.id == claim_id)
    assert "expand_sums" in verdict.rewrites


@pytest.mark.parametrize("size", [1, 2, 3, 4, 5])
def test_score_vector_length(size: int) -> None:
    assert len(q9.score_vector(size, 2)) == size + size * (size + 1) // 2


@pytest.mark.parametrize("size", [1, 2, 3, 4, 5])
def test_raw_entries_before_symmetry(size: int) -> None:
    assert len(q9.score_entries(size, 2)) == size + size**2


def test_log_likelihood_single_component() -> None:
    symbols = q9.mixture_symbols(1, 1)
    expected = sp.log(symbols.c[0] * gaussian(symbols.x[0], symbols.mu[0], symbols.sigma[0]))
    assert q9.log_likelihood(1, 1) == expected


def test_mixture_symbols_reject_empty() -> None:
    with pytest.raises(ValueError, match=r"^a mixture needs M >= 1 components and T >= 1 observations, got M = 0, T = 2$"):
        q9.mixture_symbols(0, 2)


def test_elementary_density() -> None:
    x, mu = sp.symbols("x mu", real=True)
    s = sp.Symbol("s", positive=True)
    expected = sp.exp(-((x - mu) ** 2) / (2 * s**2)) / (sp.sqrt(2 * sp.pi) * s)
    assert q9.elementary(gaussian(x, mu, s)) == expected


def test_gaussian_evaluates_numerically() -> None:
    value = gaussian(sp.Integer(0), sp.Integer(0), sp.Integer(1)).evalf(30)
    assert abs(value - 1 / sp.sqrt(2 * sp.pi)).evalf(30) < sp.Float("1e-25")


def test_second_derivatives_symmetric_as_objects() -> None:
    hessian = q9.second_derivatives(3, 2)
    assert hessian == hessian.T


def test_dimension_closed_form_sums() -> None:
    counted, formula = q9.dimension_closed_form()
    assert sp.expand(counted - formula) == 0


# --- wrong forms the engine must reject --------------------------------------------------------

WRONG_FORMS = [
    ("9a/dimension-closed-form", M + M**2, "no-symmetry"),
    ("9a/dimension-closed-form", M * (M + 1) / 2, "no-first-derivatives"),
    ("9a/dimension-closed-form", M + M * (M - 1) / 2, "no-diagonal"),
    ("9a/dimension-M3", sp.Integer(12), "M3-no-symmetry"),
    ("9a/dimension-M5", sp.Integer(15), "M5-no-first"),
    ("9b/index-direct", sp.Sum(P_i * (x_i[t] - mu_i[i]) / sigma_i[i], (t, 1, T)), "sigma-not-squared"),
    ("9b/index-direct", sp.Sum(P_i * (mu_i[i] - x_i[t]) / sigma_i[i] ** 2, (t, 1, T)), "sign-flip"),
    ("9b/index-direct", sp.Sum(c_i[i] * _u(i), (t, 1, T)), "weight-for-responsibility"),
    ("9b/index-direct", sp.Sum(_u(i), (t, 1, T)), "no-responsibility"),
    ("9c/index-direct", q9.INDEXED_OFF_DIAGONAL, "reference-i-ne-j-only"),
    (
        "9c/index-direct",
        sp.Sum(sp.KroneckerDelta(i, j) * P_i * (x_i[t] - mu_i[i]) ** 2 / sigma_i[i] ** 4 - P_i * P_j * _u(i) * _u(j), (t, 1, T)),
        "missing-minus-one-over-variance",
    ),
    ("9c/index-diagonal", sp.Sum(-P_i**2 * _u(i) ** 2, (t, 1, T)), "reference-form-at-j-equals-i"),
    (
        "9c/index-diagonal",
        sp.Sum(P_i * (1 + P_i) * (x_i[t] - mu_i[i]) ** 2 / sigma_i[i] ** 4 - P_i / sigma_i[i] ** 2, (t, 1, T)),
        "one-plus-P",
    ),
    ("9c/index-diagonal", sp.Sum(P_i * (1 - P_i) * (x_i[t] - mu_i[i]) ** 2 / sigma_i[i] ** 4, (t, 1, T)), "no-variance-term"),
    ("9c/responsibility-derivative", -P_i * P_j * _u(j), "reference-i-ne-j-only"),
    ("9c/responsibility-derivative", P_i * (sp.KroneckerDelta(i, j) * _u(i) + P_j * _u(j)), "sign-of-cross-term"),
]


@pytest.mark.parametrize(("claim_id", "wrong", "name"), WRONG_FORMS, ids=[f"{c}-{n}" for c, _, n in WRONG_FORMS])
def test_wrong_form_rejected(claims, claim_id: str, wrong: sp.Expr, name: str) -> None:
    verdict = claims[claim_id].restate(wrong).check()
    assert verdict.method is Method.FALSE, f"{claim_id} accepted {name}: {verdict.summary()}"


def _explicit_without_delta(size: int) -> sp.Matrix:
    """The reference's i != j formula used for every entry, diagonal included."""
    symbols = q9.mixture_symbols(size, 2)
    weights = q9.responsibilities(size, 2)
    return sp.Matrix(
        size,
        size,
        lambda a, b: sum(
            -weights[a, s] * weights[b, s] * (symbols.x[s] - symbols.mu[a]) * (symbols.x[s] - symbols.mu[b])
            / (symbols.sigma[a] ** 2 * symbols.sigma[b] ** 2)
            for s in range(2)
        ),
    )


def _explicit_sigma_cubed(size: int) -> sp.Matrix:
    symbols = q9.mixture_symbols(size, 2)
    weights = q9.responsibilities(size, 2)
    return sp.Matrix(
        [sum(weights[a, s] * (symbols.x[s] - symbols.mu[a]) / symbols.sigma[a] ** 3 for s in range(2)) for a in range(size)]
    )


@pytest.mark.parametrize("size", [2, 3])
def test_explicit_hessian_without_delta_rejected(claims, size: int) -> None:
    claim = claims[f"9c/explicit-M{size}-T2"]
    verdict = claim.restate(q9.elementary(_explicit_without_delta(size))).check()
    assert verdict.method is Method.FALSE


@pytest.mark.parametrize("size", [2, 3])
def test_explicit_gradient_sigma_cubed_rejected(claims, size: int) -> None:
    claim = claims[f"9b/explicit-M{size}-T2"]
    verdict = claim.restate(q9.elementary(_explicit_sigma_cubed(size))).check()
    assert verdict.method is Method.FALSE


def test_asymmetric_hessian_rejected(claims) -> None:
    hessian = q9.second_derivatives(2, 2)
    tampered = hessian.T.copy()
    tampered[0, 1] = 2 * tampered[0, 1]
    verdict = claims["9a/hessian-symmetric-M2"].restate(tampered).check()
    assert verdict.method is Method.FALSE


def test_gaussian_mean_rule_sign_rejected() -> None:
    x, mu = sp.symbols("x mu", real=True)
    s = sp.Symbol("s", positive=True)
    density = gaussian(x, mu, s)
    claim = Claim(
        id="gaussian-wrong",
        statement="wrong sign of the mean derivative",
        obtained=sp.diff(q9.elementary(density), mu),
        stated=q9.elementary(-density * (x - mu) / s**2),
    )
    assert claim.check().method is Method.FALSE


def test_repeated_entries_leave_distinctness_undecided(monkeypatch) -> None:
    entry = q9.first_derivatives(2, 2)[0]
    monkeypatch.setattr(q9, "score_vector", lambda size, count: sp.Matrix([entry, entry]))
    verdict = q9.decide_entries_distinct(2, 2)(CheckSettings())
    assert verdict.method is Method.UNDECIDED


# --- SymPy pitfalls the answer avoids ---------------------------------------------------------


def test_sum_doit_leaves_piecewise_for_delta() -> None:
    # SymPy 1.14: Sum(g(m) delta(m, i), (m, 1, M)).doit() keeps a Piecewise on 1 <= i <= M.
    body = c_i[m] * sp.KroneckerDelta(m, i)
    assert sp.Sum(body, (m, 1, M)).doit().has(sp.Piecewise)


def test_expand_sums_resolves_delta_without_piecewise() -> None:
    body = c_i[m] * sp.KroneckerDelta(m, i)
    reduced = EXPAND_SUMS(sp.Sum(body, (m, 1, M)), RewriteContext(INDEX_RANGES))
    assert reduced == c_i[i]


def test_index_claims_do_not_use_doit() -> None:
    names = {rewrite.name for rewrite in q9.INDEX_REWRITES}
    assert "doit" not in names


def test_differentiate_leaves_symbolic_sum() -> None:
    expr = sp.Derivative(sp.Sum(mu_i[m] ** 2, (m, 1, M)), mu_i[i], evaluate=False)
    reduced = q9.DIFFERENTIATE(expr, RewriteContext(INDEX_RANGES))
    assert not reduced.has(sp.Derivative)
    assert reduced.has(sp.Sum)
    assert not reduced.has(sp.Piecewise)


# --- printing and errata ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "latex"),
    [
        (mu_i[i], r"\mu_{i}"),
        (sigma_i[j], r"\sigma_{j}"),
        (x_i[t], r"x_{t}"),
        (P_i, r"P\left(i \mid x_{t}\right)"),
        (gaussian(x_i[t], mu_i[i], sigma_i[i]), r"\mathcal{N}\left(x_{t}; \mu_{i}, \sigma_{i}^{2}\right)"),
    ],
    ids=["mu", "sigma", "x", "responsibility", "gaussian"],
)
def test_house_latex(value: sp.Expr, latex: str) -> None:
    assert to_latex(value) == latex


def test_erratum_gives_diagonal_form() -> None:
    part = next(part for part in q9.build() if part.id == "9c")
    assert any("assumed i != j" in erratum.reference_says and "1 - P(i|x_t)" in erratum.what_holds for erratum in part.errata)


# A difference that only shows when i = j: the engine's counterexample search tries equal
# indices on purpose, so it must find it.
def test_delta_only_difference_rejected(claims) -> None:
    claim = claims["9a/hessian-symmetric-index"]
    inner = claim.stated.function
    # Drop the term that carries delta(i, m) delta(j, m): it is non-zero only when i = j.
    double_delta = next(term for term in sp.Add.make_args(sp.expand(inner)) if term.has(sp.KroneckerDelta(j, m)) and term.has(sp.KroneckerDelta(i, m)) and len(term.atoms(sp.Sum)) == 2)
    mutant = claim.restate(sp.Sum(inner - double_delta, *claim.stated.limits))
    assert mutant.check().method is Method.FALSE
