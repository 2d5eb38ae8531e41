"""Answer 9: the score space of a one-dimensional Gaussian mixture, in the component means.

Model: M components with weights c_m > 0, means mu_m and standard deviations sigma_m > 0;
T observations x_t; log p(X) = sum_t log sum_m c_m N(x_t; mu_m, sigma_m^2). The
responsibility of component i for x_t is P(i|x_t) = c_i N(x_t; mu_i, sigma_i^2) / p(x_t).

Explicit sizes use plain symbols c_1, mu_1, sigma_1, x_1, ...; the symbolic size uses
IndexedBase objects c[m], mu[m], sigma[m], x[t] with sums over m in 1..M and t in 1..T.
The Gaussian density is the function `gaussian`, whose derivative rules are claims of
their own; the explicit-size claims are also checked with the density written out in exp.
The public functions `log_likelihood`, `score_vector` and `second_derivatives` return
expressions in `gaussian`; `elementary` rewrites them in exp for numerical comparisons.
"""

from __future__ import annotations

import itertools
import random
import time
from dataclasses import dataclass

import sympy as sp

from derive.claims import Claim, Derivation, Step
from derive.paper import Equation, Erratum, ItemList, Math, Paragraph, Part, ShowDerivation, TeX
from derive.rewrites import DELTA_IDEMPOTENT, EXPAND_LOG, EXPAND_SUMS, Rewrite, RewriteContext
from derive.verdict import Method, Verdict
from derive.verify import CheckSettings

# --- the Gaussian density -----------------------------------------------------------------------


class gaussian(sp.Function):
    """The normal density N(x; mu, sigma^2) = exp(-(x - mu)^2 / (2 sigma^2)) / (sqrt(2 pi) sigma).

    Arguments are (x, mu, sigma), the standard deviation rather than the variance, so
    that derivatives stay free of square roots. It is kept unevaluated so derivatives come
    out as multiples of the density, the form the sheet prints.
    """

    nargs = 3

    def fdiff(self, argindex: int = 1) -> sp.Expr:
        x, mu, sigma = self.args
        if argindex == 1:
            return -self * (x - mu) / sigma**2
        if argindex == 2:
            return self * (x - mu) / sigma**2
        if argindex == 3:
            return self * ((x - mu) ** 2 / sigma**3 - 1 / sigma)
        raise sp.ArgumentIndexError(self, argindex)

    def _eval_rewrite_as_exp(self, x: sp.Expr, mu: sp.Expr, sigma: sp.Expr, **kwargs: object) -> sp.Expr:
        return sp.exp(-((x - mu) ** 2) / (2 * sigma**2)) / (sp.sqrt(2 * sp.pi) * sigma)

    def _eval_evalf(self, prec: int) -> sp.Expr:
        return self.rewrite(sp.exp)._eval_evalf(prec)

    def _eval_is_positive(self) -> bool | None:
        x, mu, sigma = self.args
        return True if (x.is_real and mu.is_real and sigma.is_positive) else None

    def _house_latex(self, printer: sp.printing.latex.LatexPrinter) -> str:
        x, mu, sigma = (printer._print(arg) for arg in self.args)
        return rf"\mathcal{{N}}\left({x}; {mu}, {sigma}^{{2}}\right)"

    _latex = _house_latex


def elementary(value: sp.Basic) -> sp.Basic:
    """Return `value` with every `gaussian` written out with exp and sqrt."""
    return value.replace(lambda node: isinstance(node, gaussian), lambda node: node.rewrite(sp.exp))


# --- explicit sizes ------------------------------------------------------------------------------


@dataclass(frozen=True)
class MixtureSymbols:
    """The symbols of a mixture with explicit M components and T observations (1-based names)."""

    x: tuple[sp.Symbol, ...]
    c: tuple[sp.Symbol, ...]
    mu: tuple[sp.Symbol, ...]
    sigma: tuple[sp.Symbol, ...]


def mixture_symbols(M: int, T: int) -> MixtureSymbols:
    """Return x_1..x_T (real), c_1..c_M (positive), mu_1..mu_M (real) and sigma_1..sigma_M (positive)."""
    if M < 1 or T < 1:
        raise ValueError(f"a mixture needs M >= 1 components and T >= 1 observations, got M = {M}, T = {T}")
    return MixtureSymbols(
        x=sp.symbols(f"x_1:{T + 1}", real=True),
        c=sp.symbols(f"c_1:{M + 1}", positive=True),
        mu=sp.symbols(f"mu_1:{M + 1}", real=True),
        sigma=sp.symbols(f"sigma_1:{M + 1}", positive=True),
    )


def _density(symbols: MixtureSymbols, t: int) -> sp.Expr:
    """Return p(x_t) = sum_m c_m N(x_t; mu_m, sigma_m^2) (0-based t)."""
    return sp.Add(*[c * gaussian(symbols.x[t], mu, sigma) for c, mu, sigma in zip(symbols.c, symbols.mu, symbols.sigma)])


def log_likelihood(M: int, T: int) -> sp.Expr:
    """Return log p(X) = sum_t log sum_m c_m N(x_t; mu_m, sigma_m^2) in the symbols of `mixture_symbols(M, T)`."""
    symbols = mixture_symbols(M, T)
    return sp.Add(*[sp.log(_density(symbols, t)) for t in range(T)])


def responsibilities(M: int, T: int) -> sp.Matrix:
    """Return the M x T matrix of P(i|x_t) = c_i N(x_t; mu_i, sigma_i^2) / p(x_t)."""
    symbols = mixture_symbols(M, T)
    return sp.Matrix(
        M,
        T,
        lambda i, t: symbols.c[i] * gaussian(symbols.x[t], symbols.mu[i], symbols.sigma[i]) / _density(symbols, t),
    )


def first_derivatives(M: int, T: int) -> sp.Matrix:
    """Return the column of d log p(X) / d mu_i, i = 1..M, by differentiation."""
    symbols = mixture_symbols(M, T)
    total = log_likelihood(M, T)
    return sp.Matrix([sp.diff(total, mu) for mu in symbols.mu])


def second_derivatives(M: int, T: int) -> sp.Matrix:
    """Return the M x M matrix of d^2 log p(X) / (d mu_i d mu_j), differentiating in mu_i first."""
    symbols = mixture_symbols(M, T)
    first = first_derivatives(M, T)
    return sp.Matrix(M, M, lambda i, j: sp.diff(first[i], symbols.mu[j]))


def score_entries(M: int, T: int) -> list[sp.Expr]:
    """Return every derivative the score space is built from: M first and M^2 second derivatives."""
    hessian = second_derivatives(M, T)
    return list(first_derivatives(M, T)) + list(hessian)


def score_vector(M: int, T: int) -> sp.Matrix:
    """Return the score vector: the distinct entries of `score_entries`, first derivatives first.

    Entries that are the same SymPy object are kept once. The mixed partials
    d^2/(d mu_i d mu_j) and d^2/(d mu_j d mu_i) are the same object after SymPy's
    canonical ordering of derivatives, and claims 9a/hessian-symmetric-M* prove them equal.
    """
    distinct: list[sp.Expr] = []
    seen: set[sp.Expr] = set()
    for entry in score_entries(M, T):
        if entry not in seen:
            seen.add(entry)
            distinct.append(entry)
    return sp.Matrix(distinct)


def stated_first_derivatives(M: int, T: int) -> sp.Matrix:
    """Return sum_t P(i|x_t) (x_t - mu_i) / sigma_i^2 for i = 1..M."""
    symbols = mixture_symbols(M, T)
    weights = responsibilities(M, T)
    return sp.Matrix(
        [
            sp.Add(*[weights[i, t] * (symbols.x[t] - symbols.mu[i]) / symbols.sigma[i] ** 2 for t in range(T)])
            for i in range(M)
        ]
    )


def stated_second_derivatives(M: int, T: int) -> sp.Matrix:
    """Return the stated Hessian: sum_t [delta_ij P_i ((x_t - mu_i)^2/sigma_i^4 - 1/sigma_i^2) - P_i P_j u_i u_j].

    Here u_i = (x_t - mu_i) / sigma_i^2 and P_i = P(i|x_t); it covers i = j and i != j.
    """
    symbols = mixture_symbols(M, T)
    weights = responsibilities(M, T)

    def entry(i: int, j: int) -> sp.Expr:
        total = sp.Integer(0)
        for t in range(T):
            u_i = (symbols.x[t] - symbols.mu[i]) / symbols.sigma[i] ** 2
            u_j = (symbols.x[t] - symbols.mu[j]) / symbols.sigma[j] ** 2
            diagonal = sp.KroneckerDelta(i, j) * weights[i, t] * ((symbols.x[t] - symbols.mu[i]) ** 2 / symbols.sigma[i] ** 4 - 1 / symbols.sigma[i] ** 2)
            total += diagonal - weights[i, t] * weights[j, t] * u_i * u_j
        return total

    return sp.Matrix(M, M, entry)


# --- symbolic size ------------------------------------------------------------------------------

M_SYMBOL = sp.Symbol("M", integer=True, positive=True)
T_SYMBOL = sp.Symbol("T", integer=True, positive=True)
i, j, m, t = sp.symbols("i j m t", integer=True, positive=True)
INDEX_RANGES = {i: (sp.Integer(1), M_SYMBOL), j: (sp.Integer(1), M_SYMBOL)}
c_i = sp.IndexedBase("c", positive=True)
mu_i = sp.IndexedBase("mu", real=True)
sigma_i = sp.IndexedBase("sigma", positive=True)
x_i = sp.IndexedBase("x", real=True)


def _indexed_density(observation: sp.Expr) -> sp.Sum:
    return sp.Sum(c_i[m] * gaussian(observation, mu_i[m], sigma_i[m]), (m, 1, M_SYMBOL))


INDEXED_LOG_LIKELIHOOD = sp.Sum(sp.log(_indexed_density(x_i[t])), (t, 1, T_SYMBOL))


class responsibility(sp.Function):
    """P(k|x_t), printed as such; the rewrite RESPONSIBILITY replaces it by its definition."""

    nargs = 2

    def _house_latex(self, printer: sp.printing.latex.LatexPrinter) -> str:
        component, observation = (printer._print(arg) for arg in self.args)
        return rf"P\left({component} \mid {observation}\right)"

    _latex = _house_latex


def _expand_responsibility(expr: sp.Expr, context: RewriteContext) -> sp.Expr:
    return expr.replace(
        lambda node: isinstance(node, responsibility),
        lambda node: c_i[node.args[0]] * gaussian(node.args[1], mu_i[node.args[0]], sigma_i[node.args[0]])
        / _indexed_density(node.args[1]),
    )


RESPONSIBILITY = Rewrite(
    "responsibility",
    "P(k|x_t) = c_k N(x_t; mu_k, sigma_k^2) / sum_m c_m N(x_t; mu_m, sigma_m^2), the definition",
    _expand_responsibility,
)


def _differentiate(expr: sp.Expr, context: RewriteContext) -> sp.Expr:
    # Only derivatives are evaluated. Sum.doit would look for a closed form, and it turns a sum
    # over a Kronecker delta into a Piecewise that EXPAND_SUMS does not need.
    return expr.replace(lambda node: isinstance(node, sp.Derivative), lambda node: node.doit())


DIFFERENTIATE = Rewrite("differentiate", "evaluate unevaluated derivatives, leaving sums unevaluated", _differentiate)

INDEX_REWRITES = (RESPONSIBILITY, DIFFERENTIATE, EXPAND_SUMS, DELTA_IDEMPOTENT)


def _u(k: sp.Symbol) -> sp.Expr:
    return (x_i[t] - mu_i[k]) / sigma_i[k] ** 2


INDEXED_FIRST = sp.Sum(responsibility(i, x_i[t]) * _u(i), (t, 1, T_SYMBOL))
INDEXED_SECOND = sp.Sum(
    sp.KroneckerDelta(i, j) * responsibility(i, x_i[t]) * ((x_i[t] - mu_i[i]) ** 2 / sigma_i[i] ** 4 - 1 / sigma_i[i] ** 2)
    - responsibility(i, x_i[t]) * responsibility(j, x_i[t]) * _u(i) * _u(j),
    (t, 1, T_SYMBOL),
)
INDEXED_OFF_DIAGONAL = sp.Sum(
    -responsibility(i, x_i[t]) * responsibility(j, x_i[t]) * _u(i) * _u(j), (t, 1, T_SYMBOL)
)
INDEXED_DIAGONAL = sp.Sum(
    responsibility(i, x_i[t])
    * ((1 - responsibility(i, x_i[t])) * (x_i[t] - mu_i[i]) ** 2 / sigma_i[i] ** 4 - 1 / sigma_i[i] ** 2),
    (t, 1, T_SYMBOL),
)


def first_derivative_derivation() -> Derivation:
    """Derive d log p(X) / d mu_i = sum_t P(i|x_t)(x_t - mu_i)/sigma_i^2 for symbolic M and T."""
    density = _indexed_density(x_i[t])
    component = gaussian(x_i[t], mu_i[i], sigma_i[i])
    steps = [
        Step(
            sp.Sum(sp.Derivative(sp.log(density), mu_i[i], evaluate=False), (t, 1, T_SYMBOL)),
            "the log of a product is the sum of the logs",
        ),
        Step(
            sp.Sum(sp.Derivative(density, mu_i[i], evaluate=False) / density, (t, 1, T_SYMBOL)),
            "derivative of the log",
        ),
        Step(
            sp.Sum(c_i[i] * sp.Derivative(component, mu_i[i], evaluate=False) / density, (t, 1, T_SYMBOL)),
            "only component i depends on its own mean",
        ),
        Step(
            sp.Sum(c_i[i] * component * _u(i) / density, (t, 1, T_SYMBOL)),
            "derivative of the Gaussian in its mean",
        ),
        Step(INDEXED_FIRST, "recognise the responsibility of component i"),
    ]
    return Derivation(
        id="9b/index",
        title="the first derivative in the means",
        lhs=TeX(r"\frac{\partial}{\partial \mu_{i}} \log p(X)"),
        steps=steps,
        stated=INDEXED_FIRST,
        index_ranges=INDEX_RANGES,
        rewrites=INDEX_REWRITES,
    )


def responsibility_derivative() -> tuple[sp.Expr, sp.Expr]:
    """Return (d P(i|x_t) / d mu_j, P(i|x_t)(delta_ij u_i - P(j|x_t) u_j)) with u_k = (x_t - mu_k)/sigma_k^2."""
    obtained = sp.Derivative(responsibility(i, x_i[t]), mu_i[j], evaluate=False)
    stated = responsibility(i, x_i[t]) * (sp.KroneckerDelta(i, j) * _u(i) - responsibility(j, x_i[t]) * _u(j))
    return obtained, stated


def second_derivative_derivation() -> Derivation:
    """Derive the second derivative in mu_i then mu_j, for every i and j, for symbolic M and T."""
    weight = responsibility(i, x_i[t])
    _, weight_slope = responsibility_derivative()
    steps = [
        Step(
            sp.Sum(sp.Derivative(weight * _u(i), mu_i[j], evaluate=False), (t, 1, T_SYMBOL)),
            "differentiate part (b) term by term",
        ),
        Step(
            sp.Sum(
                sp.Derivative(weight, mu_i[j], evaluate=False) * _u(i) - sp.KroneckerDelta(i, j) * weight / sigma_i[i] ** 2,
                (t, 1, T_SYMBOL),
            ),
            "product rule; the centred observation of component i depends on mean j only when j = i",
        ),
        Step(
            sp.Sum(weight_slope * _u(i) - sp.KroneckerDelta(i, j) * weight / sigma_i[i] ** 2, (t, 1, T_SYMBOL)),
            "derivative of the responsibility",
        ),
        Step(INDEXED_SECOND, "collect the delta terms"),
    ]
    return Derivation(
        id="9c/index",
        title="the second derivative in the means",
        lhs=TeX(r"\frac{\partial^{2}}{\partial \mu_{j} \partial \mu_{i}} \log p(X)"),
        steps=steps,
        stated=INDEXED_SECOND,
        index_ranges=INDEX_RANGES,
        rewrites=INDEX_REWRITES,
    )


# --- decisions that are not equalities ------------------------------------------------------------


def decide_entries_distinct(M: int, T: int):
    """Return a decide function: the entries of score_vector(M, T) are pairwise different functions.

    The entries are evaluated at one random point (exact rationals, density in exp) to 100
    digits; two entries whose values differ there are different functions. Equal values
    would leave the claim undecided, since a coincidence at one point proves nothing.
    """

    def decide_distinct(settings: CheckSettings) -> Verdict:
        started = time.perf_counter()
        rng = random.Random(f"{settings.seed}:9a/distinct-M{M}")
        symbols = mixture_symbols(M, T)
        point = {}
        for symbol in (*symbols.x, *symbols.mu):
            point[symbol] = sp.Rational(rng.randint(-300, 300), 97)
        for symbol in (*symbols.c, *symbols.sigma):
            point[symbol] = sp.Rational(rng.randint(30, 300), 97)
        values = [sp.N(elementary(entry).xreplace(point), 100) for entry in score_vector(M, T)]
        smallest = None
        for first, second in itertools.combinations(range(len(values)), 2):
            gap = abs(values[first] - values[second])
            scale = 1 + abs(values[first]) + abs(values[second])
            if gap <= sp.Float("1e-80", 110) * scale:
                return Verdict(
                    Method.UNDECIDED,
                    f"entries {first + 1} and {second + 1} agree to 80 digits at the test point",
                    seconds=time.perf_counter() - started,
                )
            smallest = gap if smallest is None else min(smallest, gap)
        return Verdict(
            Method.NUMERIC,
            f"the {len(values)} entries differ pairwise at one random point, smallest gap {sp.N(smallest, 3) if smallest is not None else 'n/a'} at 100 digits",
            points=1,
            seconds=time.perf_counter() - started,
        )

    return decide_distinct


# --- the parts ----------------------------------------------------------------------------------

EXPLICIT_T = 2
EXPLICIT_MS = (2, 3)
COUNTED_MS = range(1, 6)


# One first derivative per mean, one second derivative per pair i <= j of means.
DIMENSION_COUNT = M_SYMBOL + sp.Sum(sp.Sum(1, (j, i, M_SYMBOL)), (i, 1, M_SYMBOL))


def dimension_closed_form() -> tuple[sp.Expr, sp.Expr]:
    """Return (DIMENSION_COUNT with its sums evaluated by SymPy, M + M(M+1)/2)."""
    return DIMENSION_COUNT.doit(), M_SYMBOL + M_SYMBOL * (M_SYMBOL + 1) / 2


def _as_list(numbers: list[int]) -> str:
    """Return "1, 2 and 3" for [1, 2, 3]."""
    words = [str(number) for number in numbers]
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def part_a() -> Part:
    counted, formula = dimension_closed_form()
    claims = []
    counts = []
    for size in COUNTED_MS:
        counts.append(len(score_vector(size, EXPLICIT_T)))
        hessian = second_derivatives(size, EXPLICIT_T)
        claims.append(
            Claim(
                id=f"9a/hessian-symmetric-M{size}",
                statement=f"d^2/(d mu_i d mu_j) = d^2/(d mu_j d mu_i) for all i, j at M = {size}, T = {EXPLICIT_T}",
                obtained=hessian,
                stated=hessian.T,
            )
        )
        claims.append(
            Claim(
                id=f"9a/entries-distinct-M{size}",
                statement=f"the {len(score_vector(size, EXPLICIT_T))} entries of the score vector are different functions at M = {size}",
                decide_with=decide_entries_distinct(size, EXPLICIT_T),
            )
        )
        claims.append(
            Claim(
                id=f"9a/dimension-M{size}",
                statement=f"the score vector built for M = {size} has M + M(M+1)/2 = {formula.subs(M_SYMBOL, size)} distinct entries",
                obtained=sp.Integer(len(score_vector(size, EXPLICIT_T))),
                stated=formula.subs(M_SYMBOL, size),
            )
        )
    claims.append(
        Claim(
            id="9a/dimension-closed-form",
            statement="M first derivatives plus one second derivative per pair i <= j is M + M(M+1)/2, for symbolic M",
            obtained=counted,
            stated=formula,
        )
    )
    claims.append(
        Claim(
            id="9a/hessian-symmetric-index",
            statement="the mixed second derivatives in mu_i and mu_j agree in either order, for symbolic M and T",
            obtained=sp.diff(INDEXED_LOG_LIKELIHOOD, mu_i[i], mu_i[j]),
            stated=sp.diff(INDEXED_LOG_LIKELIHOOD, mu_i[j], mu_i[i]),
            index_ranges=INDEX_RANGES,
            rewrites=(EXPAND_SUMS, DELTA_IDEMPOTENT),
        )
    )
    body = [
        Paragraph(
            "A score space maps a sequence of any length T to a vector of fixed length: the derivatives of its "
            "log-likelihood under a generative model. Here the vector holds the first derivatives of ",
            TeX(r"\log p(X)"),
            " in the M means and its second derivatives in pairs of means. A kernel machine such as an SVM can then "
            "classify sequences of different lengths, and it tends to generalise well in such high-dimensional "
            "feature spaces, which grow quickly with M.",
        ),
        Paragraph(
            "The Hessian in the means is symmetric, so only the pairs with ",
            TeX(r"i \le j"),
            " give distinct entries, and the dimension is",
        ),
        Equation(TeX(r"\dim"), [DIMENSION_COUNT, formula, sp.factor(formula)]),
        Paragraph("The count rests on these conditions:"),
        ItemList(
            (
                Paragraph(
                    "Only the means are differentiated. Derivatives in the weights or variances, or the "
                    "log-likelihood itself, would add entries."
                ),
                Paragraph(
                    "The log-likelihood has continuous second partial derivatives, so by Schwarz's theorem the "
                    "mixed derivatives agree. It does wherever every ",
                    TeX(r"p(x_t) > 0"),
                    ", which holds for positive weights and standard deviations, because each Gaussian density is "
                    "positive.",
                ),
                Paragraph(
                    f"No further entries coincide: for M = {COUNTED_MS[0]} to {COUNTED_MS[-1]} the remaining entries "
                    "take different values at a random point, so they are different functions."
                ),
            )
        ),
        Paragraph(
            f"The engine builds the vector for M = {COUNTED_MS[0]} to {COUNTED_MS[-1]} by differentiation, proves the "
            f"Hessian symmetric, keeps each distinct entry once and counts {_as_list(counts)} entries, as the "
            "closed form gives."
        ),
    ]
    erratum = Erratum(
        question="9a",
        reference_says="the second derivative is symmetric because the function is twice differentiable and continuous",
        what_holds=(
            "the mixed derivatives agree because the second partial derivatives are continuous (Schwarz's theorem); "
            "the log-likelihood is smooth wherever p(x_t) > 0"
        ),
        why="twice differentiable with a continuous function is not enough for symmetric mixed partials in general",
    )
    return Part(id="9a", title="Dimension of the score space", body=body, claims=claims, errata=[erratum])


def part_b() -> Part:
    derivation = first_derivative_derivation()
    x, mu, sigma = sp.symbols("x mu sigma", real=True)
    s = sp.Symbol("s", positive=True)
    density = gaussian(x, mu, s)
    claims = [
        Claim(
            id="9b/gaussian-derivatives",
            statement="the derivative rules of N(x; mu, s^2) in x, mu and s agree with the density written in exp",
            obtained=elementary(sp.Matrix([sp.diff(density, x), sp.diff(density, mu), sp.diff(density, s)])),
            stated=sp.Matrix([sp.diff(elementary(density), variable) for variable in (x, mu, s)]),
        ),
        Claim(
            id="9b/log-of-product",
            statement="log(p(x_1) p(x_2)) = log p(x_1) + log p(x_2), for M = 2",
            obtained=sp.log(sp.Mul(*[_density(mixture_symbols(2, 2), t_) for t_ in range(2)])),
            stated=log_likelihood(2, 2),
            assumptions=("p(x_t) > 0",),
            rewrites=(EXPAND_LOG,),
        ),
        Claim(
            id="9b/index-direct",
            statement="differentiating log p(X) in mu_i gives sum_t P(i|x_t)(x_t - mu_i)/sigma_i^2, for symbolic M and T",
            obtained=sp.diff(INDEXED_LOG_LIKELIHOOD, mu_i[i]),
            stated=INDEXED_FIRST,
            index_ranges=INDEX_RANGES,
            rewrites=INDEX_REWRITES,
        ),
    ]
    for size in EXPLICIT_MS:
        symbols = mixture_symbols(size, EXPLICIT_T)
        claims.append(
            Claim(
                id=f"9b/explicit-M{size}-T{EXPLICIT_T}",
                statement=f"d log p(X)/d mu_i = sum_t P(i|x_t)(x_t - mu_i)/sigma_i^2 for M = {size}, T = {EXPLICIT_T}, density in exp",
                obtained=sp.Matrix([sp.diff(elementary(log_likelihood(size, EXPLICIT_T)), mu) for mu in symbols.mu]),
                stated=elementary(stated_first_derivatives(size, EXPLICIT_T)),
            )
        )
    body = [
        Paragraph(
            "The observations are independent given the model, so ",
            TeX(r"p(X) = \prod_{t=1}^{T} p(x_t)"),
            " and the log turns the product into a sum. With ",
            Math(sp.Eq(responsibility(i, x_i[t]), c_i[i] * gaussian(x_i[t], mu_i[i], sigma_i[i]) / _indexed_density(x_i[t]))),
            ", the posterior probability of component i given ",
            TeX("x_t"),
            ":",
        ),
        ShowDerivation(derivation),
        Paragraph(
            "Each observation pulls the mean towards itself, weighted by how much component i is responsible for it "
            "and scaled by the component's precision."
        ),
    ]
    return Part(
        id="9b", title="First derivatives in the means", body=body, claims=claims, derivations=[derivation]
    )


def part_c() -> Part:
    derivation = second_derivative_derivation()
    slope_obtained, slope_stated = responsibility_derivative()
    claims = [
        Claim(
            id="9c/responsibility-derivative",
            statement="d P(i|x_t)/d mu_j = P(i|x_t)(delta_ij u_i - P(j|x_t) u_j), u_k = (x_t - mu_k)/sigma_k^2",
            # The definition is substituted here so the obtained side shows every symbol the stated side uses.
            obtained=RESPONSIBILITY(slope_obtained, RewriteContext(INDEX_RANGES)),
            stated=slope_stated,
            index_ranges=INDEX_RANGES,
            rewrites=INDEX_REWRITES,
        ),
        Claim(
            id="9c/index-direct",
            statement="differentiating log p(X) in mu_i then mu_j gives the stated form with delta_ij, for symbolic M and T",
            obtained=sp.diff(INDEXED_LOG_LIKELIHOOD, mu_i[i], mu_i[j]),
            stated=INDEXED_SECOND,
            index_ranges=INDEX_RANGES,
            rewrites=INDEX_REWRITES,
        ),
        Claim(
            id="9c/index-diagonal",
            statement="d^2 log p(X)/d mu_i^2 = sum_t P(i|x_t)[(1 - P(i|x_t))(x_t - mu_i)^2/sigma_i^4 - 1/sigma_i^2]",
            obtained=sp.diff(INDEXED_LOG_LIKELIHOOD, mu_i[i], mu_i[i]),
            stated=INDEXED_DIAGONAL,
            index_ranges=INDEX_RANGES,
            rewrites=INDEX_REWRITES,
        ),
        Claim(
            id="9c/off-diagonal-form",
            statement="for i != j the delta term vanishes and the stated form is the reference's",
            obtained=INDEXED_SECOND.xreplace({sp.KroneckerDelta(i, j): sp.Integer(0)}),
            stated=INDEXED_OFF_DIAGONAL,
            index_ranges=INDEX_RANGES,
            rewrites=INDEX_REWRITES,
        ),
    ]
    for size in EXPLICIT_MS:
        claims.append(
            Claim(
                id=f"9c/explicit-M{size}-T{EXPLICIT_T}",
                statement=f"the Hessian in the means has the stated delta_ij form for M = {size}, T = {EXPLICIT_T}, density in exp",
                obtained=elementary(second_derivatives(size, EXPLICIT_T)),
                stated=elementary(stated_second_derivatives(size, EXPLICIT_T)),
            )
        )
    body = [
        Paragraph(
            "Differentiate part (b) once more. Both the responsibility and, when j = i, the factor ",
            TeX(r"x_t - \mu_i"),
            " depend on the mean of component j. With ",
            TeX(r"u_k = (x_t - \mu_k)/\sigma_k^{2}"),
            ", the responsibility changes as",
        ),
        Equation(slope_obtained, slope_stated),
        Paragraph("and the second derivative, for any i and j, is"),
        ShowDerivation(derivation),
        Paragraph("For i ≠ j only the product of responsibilities remains,"),
        Equation(TeX(r"\frac{\partial^{2}}{\partial \mu_{j} \partial \mu_{i}} \log p(X)"), INDEXED_OFF_DIAGONAL),
        Paragraph("and for j = i the delta term adds a second piece:"),
        Equation(TeX(r"\frac{\partial^{2}}{\partial \mu_{i}^{2}} \log p(X)"), INDEXED_DIAGONAL),
    ]
    erratum = Erratum(
        question="9c",
        reference_says="the second derivative is -sum_t P(i|x_t) P(j|x_t)(x_t - mu_j)(x_t - mu_i)/(sigma_i^2 sigma_j^2), noting that it assumed i != j",
        what_holds=(
            "that form holds for i != j only; for i = j the derivative is "
            "sum_t P(i|x_t)[(1 - P(i|x_t))(x_t - mu_i)^2/sigma_i^4 - 1/sigma_i^2], and both are "
            "sum_t [delta_ij P(i|x_t)((x_t - mu_i)^2/sigma_i^4 - 1/sigma_i^2) - P(i|x_t) P(j|x_t) u_i u_j]"
        ),
        why=(
            "for j = i the factor (x_t - mu_i) also depends on mu_i, and dP(i|x_t)/dmu_i has the extra term "
            "P(i|x_t) u_i; the score space needs the diagonal entries too"
        ),
    )
    return Part(
        id="9c", title="Second derivatives in the means", body=body, claims=claims, derivations=[derivation], errata=[erratum]
    )


def build() -> list[Part]:
    return [part_a(), part_b(), part_c()]
