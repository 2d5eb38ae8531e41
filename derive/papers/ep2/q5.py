"""Answer 5: the variational lower bound, when it is tight, and its gap to the log-likelihood.

For one observation x with latent variable z, the bound with densities q1 (inside the log)
and q2 (the expectation) is B(q1, q2) = E_{q2}[log p(x, z) - log q1(z)]. Two models are used:

* a discrete latent variable with K states: prior pi_k, likelihood l_k = p(x | z = k), all
  positive symbols; explicit K = 2, 3 and a symbolic K with IndexedBase objects and sums;
* a linear-Gaussian model, z ~ N(0, 1) and x | z ~ N(a z + b, s^2), whose posterior and
  evidence are Gaussian in closed form.

Distributions q are normalised by construction: q_K = 1 - (q_1 + ... + q_{K-1}) at explicit
K, and q_k = rho_k / sum_m rho_m at symbolic K.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence

import sympy as sp

from derive.claims import Claim
from derive.paper import Equation, Erratum, ItemList, Math, Paragraph, Part, TeX
from derive.rewrites import EXPAND_LOG, EXPAND_SUMS
from derive.verdict import Method, Verdict
from derive.verify import CheckSettings

EXPLICIT_STATES = (2, 3)
POSITIVE = ("every probability and density value is positive, so log(a b) = log a + log b",)


# --- the discrete model, explicit K ----------------------------------------------------------------


def _positive_symbols(name: str, count: int) -> list[sp.Symbol]:
    return [sp.Symbol(f"{name}_{{{index + 1}}}", positive=True) for index in range(count)]


def prior(states: int) -> list[sp.Symbol]:
    return _positive_symbols("pi", states)


def likelihood(states: int, name: str = "l") -> list[sp.Symbol]:
    """Return p(x | z = k) for k = 1..states, one positive symbol each."""
    return _positive_symbols(name, states)


def normalised(name: str, states: int) -> list[sp.Expr]:
    """Return a distribution over `states` values: free positive q_1..q_{K-1} and q_K = 1 - their sum."""
    free = _positive_symbols(name, states - 1)
    return [*free, 1 - sum(free, sp.Integer(0))]


def joint(priors: Sequence[sp.Expr], likelihoods: Sequence[sp.Expr]) -> list[sp.Expr]:
    """Return p(x, z = k) = pi_k l_k."""
    return [weight * value for weight, value in zip(priors, likelihoods)]


def evidence(joints: Sequence[sp.Expr]) -> sp.Expr:
    """Return p(x) = sum_k p(x, z = k)."""
    return sum(joints, sp.Integer(0))


def posterior(joints: Sequence[sp.Expr]) -> list[sp.Expr]:
    """Return p(z = k | x) = p(x, z = k) / p(x)."""
    total = evidence(joints)
    return [value / total for value in joints]


def bound(joints: Sequence[sp.Expr], inner: Sequence[sp.Expr], outer: Sequence[sp.Expr]) -> sp.Expr:
    """Return E_{outer}[log(p(x, z) / inner(z))], the bound with q1 = inner and q2 = outer."""
    return sum((weight * sp.log(value / density) for weight, value, density in zip(outer, joints, inner)), sp.Integer(0))


def kl_divergence(first: Sequence[sp.Expr], second: Sequence[sp.Expr]) -> sp.Expr:
    """Return KL(first || second) = sum_k first_k log(first_k / second_k)."""
    return sum((p * sp.log(p / q) for p, q in zip(first, second)), sp.Integer(0))


def log_gap(u: sp.Expr) -> sp.Expr:
    """Return f(u) = u - 1 - log u, which is >= 0 for u > 0, with equality only at u = 1."""
    return u - 1 - sp.log(u)


# --- the discrete model, symbolic K --------------------------------------------------------------------

K = sp.Symbol("K", integer=True, positive=True)
k, m = sp.symbols("k m", integer=True, positive=True)
STATE_RANGES = {k: (sp.Integer(1), K)}
pi_i = sp.IndexedBase("pi", positive=True)
l_i = sp.IndexedBase("l", positive=True)
rho_i = sp.IndexedBase("rho", positive=True)


def _sum(body: sp.Expr) -> sp.Sum:
    return sp.Sum(body, (k, 1, K))


def symbolic_evidence() -> sp.Expr:
    return sp.Sum(pi_i[m] * l_i[m], (m, 1, K))


def symbolic_posterior(index: sp.Symbol) -> sp.Expr:
    return pi_i[index] * l_i[index] / symbolic_evidence()


def symbolic_q(index: sp.Symbol) -> sp.Expr:
    """Return q_index = rho_index / sum_m rho_m, a normalised distribution for any positive rho."""
    return rho_i[index] / sp.Sum(rho_i[m], (m, 1, K))


def symbolic_bound(inner: Callable[[sp.Symbol], sp.Expr], outer: Callable[[sp.Symbol], sp.Expr]) -> sp.Expr:
    return _sum(outer(k) * sp.log(pi_i[k] * l_i[k] / inner(k)))


def symbolic_kl(first: Callable[[sp.Symbol], sp.Expr], second: Callable[[sp.Symbol], sp.Expr]) -> sp.Expr:
    return _sum(first(k) * sp.log(first(k) / second(k)))


SYMBOLIC_REWRITES = (EXPAND_LOG, EXPAND_SUMS)

# Printed forms in terms of q_k and p_k = p(z = k | x). They are checked by substituting the
# normalised q and the posterior (`_substituted`), so the sheet prints what was proved.
q_i = sp.IndexedBase("q", positive=True)
p_i = sp.IndexedBase("p", positive=True)
BOUND_DISPLAY = _sum(q_i[k] * sp.log(pi_i[k] * l_i[k] / q_i[k]))
KL_DISPLAY = _sum(q_i[k] * sp.log(q_i[k] / p_i[k]))
IDENTITY_DISPLAY = sp.log(symbolic_evidence()) - KL_DISPLAY
GAPS_DISPLAY = _sum(q_i[k] * log_gap(p_i[k] / q_i[k]))


def _substituted(display: sp.Expr) -> sp.Expr:
    """Replace q_k by rho_k / sum_m rho_m and p_k by the posterior in a printed form."""
    return display.xreplace({q_i[k]: symbolic_q(k), p_i[k]: symbolic_posterior(k)})


# --- the linear-Gaussian model -----------------------------------------------------------------------

z, x, a, b, c = sp.symbols("z x a b c", real=True)
s, d = sp.symbols("s d", positive=True)


def log_normal(value: sp.Expr, mean: sp.Expr, variance: sp.Expr) -> sp.Expr:
    """Return log N(value; mean, variance)."""
    return -sp.log(2 * sp.pi * variance) / 2 - (value - mean) ** 2 / (2 * variance)


POSTERIOR_VARIANCE = s**2 / (a**2 + s**2)
POSTERIOR_MEAN = a * (x - b) / (a**2 + s**2)
LOG_JOINT = log_normal(z, 0, 1) + log_normal(x, a * z + b, s**2)
LOG_POSTERIOR = log_normal(z, POSTERIOR_MEAN, POSTERIOR_VARIANCE)
LOG_EVIDENCE = log_normal(x, b, a**2 + s**2)
# q = N(c, d^2), a Gaussian with free mean and standard deviation.
LOG_Q = log_normal(z, c, d**2)


def gaussian_moment(power: int) -> sp.Expr:
    """Return E_q[z^power] for q = N(c, d^2), by SymPy's integral over the real line."""
    return sp.integrate(sp.exp(LOG_Q) * z**power, (z, -sp.oo, sp.oo))


def expectation_under_q(integrand: sp.Expr) -> sp.Expr:
    """Return E_q[integrand] for q = N(c, d^2) and an integrand that is a quadratic in z once logs are expanded.

    The integrand is expanded into c0 + c1 z + c2 z^2, and the expectation is c0 M0 + c1 M1 + c2 M2
    with the moments M integrated by SymPy. Raises ValueError for a higher degree in z.
    """
    polynomial = sp.Poly(sp.expand(sp.expand_log(integrand, force=True)), z)
    if polynomial.degree() > 2:
        raise ValueError(f"the integrand has degree {polynomial.degree()} in z; only quadratics are supported")
    return sum(
        (coefficient * gaussian_moment(power) for (power,), coefficient in polynomial.terms()),
        sp.Integer(0),
    )


# --- claims that are not equalities ---------------------------------------------------------------------


def _weakest(verdicts: Sequence[Verdict]) -> Method:
    order = [Method.FALSE, Method.UNDECIDED, Method.NUMERIC, Method.IDENTITY_TESTED, Method.PROVED]
    return min((verdict.method for verdict in verdicts), key=order.index)


def log_inequality_claim(function: Callable[[sp.Expr], sp.Expr] = log_gap) -> Claim:
    """Return the claim f(u) >= 0 for u > 0 with equality only at u = 1, for f = `function`.

    The argument: f(1) = 0 and f'(1) = 0, and f''(u) > 0 for u > 0, so f is strictly convex on
    u > 0 and u = 1 is its only minimum. Each fact is computed by SymPy, and the sign of f''
    comes from SymPy's assumption system with u declared positive. The verdict is false when
    a fact is definitely false, and undecided when SymPy cannot tell.
    """
    u = sp.Symbol("u", positive=True)
    f = function(u)

    def decide(settings: CheckSettings) -> Verdict:
        started = time.perf_counter()
        first, second = sp.diff(f, u), sp.diff(f, u, 2)
        # Each fact is True, False or None (unknown), in SymPy's three-valued logic.
        facts = {
            "f(1) = 0": sp.simplify(f.subs(u, 1)).is_zero,
            "f'(1) = 0": sp.simplify(first.subs(u, 1)).is_zero,
            "f''(u) > 0 for u > 0": second.is_positive,
        }
        false = [name for name, value in facts.items() if value is False]
        unknown = [name for name, value in facts.items() if value is None]
        if false or unknown:
            method = Method.FALSE if false else Method.UNDECIDED
            failed = ", ".join(false or unknown)
            return Verdict(
                method,
                f"{'not true' if false else 'could not establish'}: {failed} (f = {f}, f'' = {second})",
                seconds=time.perf_counter() - started,
            )
        return Verdict(
            Method.PROVED,
            f"f(1) = 0, f'(1) = 0 and f''(u) = {second} > 0 for u > 0 (SymPy's assumptions), "
            "so f is strictly convex with its only minimum 0 at u = 1",
            seconds=time.perf_counter() - started,
        )

    return Claim(
        id="5b/log-inequality",
        statement="u - 1 - log u >= 0 for every u > 0, with equality only at u = 1; so log u <= u - 1",
        decide_with=decide,
    )


def combined_claim(claim_id: str, statement: str, premises: Sequence[Claim], conclusion: str) -> Claim:
    """Return a claim that follows from `premises` by the argument in `conclusion`.

    Its method is the weakest method among the premises' verdicts, and it fails when any
    premise fails, so it is never stronger than the evidence it rests on.
    """

    def decide(settings: CheckSettings) -> Verdict:
        started = time.perf_counter()
        verdicts = [premise.check(settings) for premise in premises]
        method = _weakest(verdicts)
        detail = "; ".join(f"{premise.id}: {verdict.method.value}" for premise, verdict in zip(premises, verdicts))
        if method.holds:
            return Verdict(method, f"{conclusion} (from {detail})", seconds=time.perf_counter() - started)
        return Verdict(method, f"a premise does not hold: {detail}", seconds=time.perf_counter() - started)

    return Claim(id=claim_id, statement=statement, decide_with=decide)


def hessian_negative_claim(claim_id: str, states: int) -> Claim:
    """Return the claim that the Hessian of B(q, q) in q_1..q_K is diagonal with entries -1/q_k < 0."""
    weights = _positive_symbols("q", states)
    joints = joint(prior(states), likelihood(states))
    value = bound(joints, weights, weights)
    return Claim(
        id=claim_id,
        statement=f"for K = {states}, B(q, q) is strictly concave in q: its Hessian is diag(-1/q_k)",
        decide_with=lambda settings: concavity_verdict(value, weights),
    )


def concavity_verdict(value: sp.Expr, weights: Sequence[sp.Symbol]) -> Verdict:
    """Decide whether the Hessian of `value` in `weights` is diag(-1/w_k), negative for positive weights."""
    started = time.perf_counter()
    size = len(weights)
    hessian = sp.hessian(value, weights)
    off_diagonal_zero = all(hessian[r, col] == 0 for r in range(size) for col in range(size) if r != col)
    diagonal = [hessian[r, r] for r in range(size)]
    expected = all(sp.expand(entry + 1 / weight) == 0 for entry, weight in zip(diagonal, weights))
    negative = all(entry.is_negative is True for entry in diagonal)
    if off_diagonal_zero and expected and negative:
        return Verdict(
            Method.PROVED,
            f"Hessian diag({', '.join(str(entry) for entry in diagonal)}), negative for positive q "
            "(SymPy's assumptions), so the bound is strictly concave in q",
            seconds=time.perf_counter() - started,
        )
    return Verdict(Method.FALSE, f"the Hessian is {hessian.tolist()}", seconds=time.perf_counter() - started)


# --- 5(a) ----------------------------------------------------------------------------------------------


def part_a() -> Part:
    claims: list[Claim] = []
    for states in EXPLICIT_STATES:
        joints = joint(prior(states), likelihood(states))
        claims.append(
            Claim(
                id=f"5a/discrete-K{states}",
                statement=f"with q1 = p(z | x), B(q1, q2) = log p(x) for any normalised q2, K = {states}",
                obtained=bound(joints, posterior(joints), normalised("r", states)),
                stated=sp.log(evidence(joints)),
                assumptions=POSITIVE,
                rewrites=(EXPAND_LOG,),
            )
        )
    claims.append(
        Claim(
            id="5a/discrete-symbolic-K",
            statement="with q1 = p(z | x), B(q1, q2) = log p(x) for any normalised q2, symbolic K",
            obtained=symbolic_bound(symbolic_posterior, symbolic_q),
            stated=sp.log(symbolic_evidence()),
            assumptions=POSITIVE,
            rewrites=SYMBOLIC_REWRITES,
        )
    )

    integrand = LOG_JOINT - LOG_POSTERIOR
    claims += [
        Claim(
            id="5a/gaussian-bayes",
            statement="log p(z) + log p(x | z) = log p(z | x) + log p(x) with the Gaussian posterior and evidence",
            obtained=LOG_JOINT,
            stated=LOG_POSTERIOR + LOG_EVIDENCE,
            assumptions=POSITIVE,
            rewrites=(EXPAND_LOG,),
        ),
        Claim(
            id="5a/gaussian-integrand-constant",
            statement="log p(x, z) - log p(z | x) does not depend on z, so its expectation under any density is itself",
            obtained=sp.diff(integrand, z),
            stated=sp.Integer(0),
        ),
        Claim(
            id="5a/gaussian-bound",
            statement="with q1 = p(z | x) and q2 = N(c, d^2), the bound integrates to log p(x)",
            obtained=expectation_under_q(integrand),
            stated=LOG_EVIDENCE,
            assumptions=POSITIVE,
            rewrites=(EXPAND_LOG,),
        ),
    ]
    for power, moment in enumerate((sp.Integer(1), c, c**2 + d**2)):
        claims.append(
            Claim(
                id=f"5a/gaussian-moment{power}",
                statement=f"SymPy's integral of z^{power} N(z; c, d^2) over the real line is the known moment",
                obtained=gaussian_moment(power),
                stated=moment,
            )
        )

    body = [
        Paragraph(
            "For one observation the bound is ",
            TeX(r"\mathcal{B}(q_1, q_2) = \left\langle \log \frac{p(x, z)}{q_1(z)} \right\rangle_{q_2(z)}"),
            ". If ",
            TeX(r"q_1(z) = p(z \mid x)"),
            ", Bayes' rule turns the ratio inside the logarithm into ",
            TeX(r"p(x)"),
            ", which does not depend on z, and the expectation of a constant under a normalised density is "
            "that constant. So the bound equals the log-likelihood whatever q2 is.",
        ),
        Paragraph(
            "For a discrete latent variable with K states, prior ",
            TeX(r"\pi_k"),
            " and likelihood ",
            TeX(r"l_k = p(x \mid z = k)"),
            ", the evidence is",
        ),
        Equation(TeX("p(x)"), symbolic_evidence()),
        Paragraph(
            "and the identity is proved for K = 2, 3 and for symbolic K. For the linear-Gaussian model ",
            TeX(r"z \sim \mathcal{N}(0, 1)"),
            ", ",
            TeX(r"x \mid z \sim \mathcal{N}(a z + b, s^2)"),
            ", the posterior is Gaussian with mean ",
            Math(POSTERIOR_MEAN),
            " and variance ",
            Math(POSTERIOR_VARIANCE),
            ", the evidence is ",
            TeX(r"\mathcal{N}(x; b, a^2 + s^2)"),
            ", and the bound under any Gaussian q2 integrates to",
        ),
        Equation(TeX(r"\log p(x)"), LOG_EVIDENCE),
        Paragraph(
            "The Gaussian expectations use the moments of ",
            TeX(r"\mathcal{N}(c, d^2)"),
            ", which SymPy integrates in closed form and which are checked against 1, c and ",
            Math(c**2 + d**2),
            ".",
        ),
    ]
    errata = [
        Erratum(
            question="5a",
            reference_says="sum over data points i of E_{q2}[log p(x_i, z)/p(z | x)], with one q1 = p(z | x) for all i",
            what_holds=(
                "the posterior depends on the data point, so each term needs its own q1 = p(z | x_i); "
                "then the sum is sum_i log p(x_i)"
            ),
            why=(
                "a single q1 can equal p(z | x_i) for one i only; with q1 = p(z | x_1) the term for x_2 falls "
                "short of log p(x_2) by KL(p(z | x_1) || p(z | x_2)) (claim 5b/shared-q-gap)"
            ),
        ),
    ]
    return Part(id="5a", title="The bound with the true posterior", body=body, claims=claims, errata=errata)


# --- 5(b) ----------------------------------------------------------------------------------------------


def part_b() -> Part:
    claims: list[Claim] = []
    identity_claims: list[Claim] = []
    kl_claims: list[Claim] = []
    for states in EXPLICIT_STATES:
        joints = joint(prior(states), likelihood(states))
        q = normalised("q", states)
        posteriors = posterior(joints)
        identity_claims.append(
            Claim(
                id=f"5b/identity-K{states}",
                statement=f"B(q, q) = log p(x) - KL(q || p(z | x)) for K = {states}",
                obtained=bound(joints, q, q),
                stated=sp.log(evidence(joints)) - kl_divergence(q, posteriors),
                assumptions=POSITIVE,
                rewrites=(EXPAND_LOG,),
            )
        )
        kl_claims.append(
            Claim(
                id=f"5b/kl-as-gaps-K{states}",
                statement=f"KL(q || p) = sum_k q_k f(p_k / q_k) with f(u) = u - 1 - log u, for K = {states}",
                obtained=kl_divergence(q, posteriors),
                stated=sum((weight * log_gap(p / weight) for weight, p in zip(q, posteriors)), sp.Integer(0)),
                assumptions=POSITIVE,
                rewrites=(EXPAND_LOG,),
            )
        )
    identity_claims.append(
        Claim(
            id="5b/identity-symbolic-K",
            statement="B(q, q) = log p(x) - KL(q || p(z | x)) for symbolic K, the printed form",
            obtained=_substituted(BOUND_DISPLAY),
            stated=_substituted(IDENTITY_DISPLAY),
            assumptions=POSITIVE,
            rewrites=SYMBOLIC_REWRITES,
        )
    )
    kl_claims.append(
        Claim(
            id="5b/kl-as-gaps-symbolic-K",
            statement="KL(q || p) = sum_k q_k f(p_k / q_k) for symbolic K, the printed form",
            obtained=_substituted(KL_DISPLAY),
            stated=_substituted(GAPS_DISPLAY),
            assumptions=POSITIVE,
            rewrites=SYMBOLIC_REWRITES,
        )
    )
    u = sp.Symbol("u", positive=True)
    lemma = [
        Claim(id="5b/f-at-1", statement="f(1) = 0", obtained=log_gap(u).subs(u, 1), stated=sp.Integer(0)),
        Claim(id="5b/f-slope", statement="f'(u) = 1 - 1/u", obtained=sp.diff(log_gap(u), u), stated=1 - 1 / u),
        Claim(id="5b/f-curvature", statement="f''(u) = 1/u^2", obtained=sp.diff(log_gap(u), u, 2), stated=1 / u**2),
    ]
    inequality = log_inequality_claim()
    kl_nonnegative = combined_claim(
        "5b/kl-nonnegative",
        "KL(q || p(z | x)) >= 0, with equality only when q = p(z | x)",
        [inequality, *kl_claims],
        "KL = sum_k q_k f(p_k/q_k) with q_k > 0 and f >= 0, zero only when every p_k/q_k = 1",
    )
    below = combined_claim(
        "5b/bound-below-likelihood",
        "B(q, q) <= log p(x), with equality only at q = p(z | x)",
        [kl_nonnegative, *identity_claims],
        "B(q, q) = log p(x) - KL and KL >= 0",
    )

    # Two data points sharing q = p(z | x_1): the second term misses its log-likelihood by a KL.
    joints_1 = joint(prior(2), likelihood(2, "l"))
    joints_2 = joint(prior(2), likelihood(2, "h"))
    shared = posterior(joints_1)
    shared_gap = Claim(
        id="5b/shared-q-gap",
        statement="with one q = p(z | x_1) for two data points, the sum of bounds is "
        "log p(x_1) + log p(x_2) - KL(p(z | x_1) || p(z | x_2))",
        obtained=bound(joints_1, shared, shared) + bound(joints_2, shared, shared),
        stated=sp.log(evidence(joints_1)) + sp.log(evidence(joints_2)) - kl_divergence(shared, posterior(joints_2)),
        assumptions=POSITIVE,
        rewrites=(EXPAND_LOG,),
    )

    # The same identity for the linear-Gaussian model, with the closed-form Gaussian KL.
    gaussian_kl = sp.log(sp.sqrt(POSTERIOR_VARIANCE) / d) + (d**2 + (c - POSTERIOR_MEAN) ** 2) / (2 * POSTERIOR_VARIANCE) - sp.Rational(1, 2)
    gaussian = [
        Claim(
            id="5b/gaussian-kl",
            statement="E_q[log q - log p(z | x)] for q = N(c, d^2) is the closed-form Gaussian KL",
            obtained=expectation_under_q(LOG_Q - LOG_POSTERIOR),
            stated=gaussian_kl,
            assumptions=POSITIVE,
            rewrites=(EXPAND_LOG,),
        ),
        Claim(
            id="5b/gaussian-identity",
            statement="for the linear-Gaussian model, B(q, q) = log p(x) - KL(q || p(z | x)) with q = N(c, d^2)",
            obtained=expectation_under_q(LOG_JOINT - LOG_Q),
            stated=LOG_EVIDENCE - gaussian_kl,
            assumptions=POSITIVE,
            rewrites=(EXPAND_LOG,),
        ),
    ]
    claims = [*identity_claims, *kl_claims, *lemma, inequality, kl_nonnegative, below, shared_gap, *gaussian]

    body = [
        Paragraph(
            "With the same q in both places, split the ratio inside the logarithm with Bayes' rule, ",
            TeX(r"p(x, z) = p(z \mid x)\, p(x)"),
            ":",
        ),
        Equation(TeX(r"\mathcal{B}(q, q)"), [BOUND_DISPLAY, IDENTITY_DISPLAY]),
        Paragraph(
            "that is, the log-likelihood minus ",
            TeX(r"\mathrm{KL}\left(q(z) \,\|\, p(z \mid x)\right)"),
            ", with ",
            TeX(r"p_k = p(z = k \mid x)"),
            ".",
        ),
        Paragraph(
            "This is proved for the discrete model (K = 2, 3 and symbolic K) and for the linear-Gaussian model, "
            "where the Gaussian KL divergence is",
        ),
        Equation(TeX(r"\mathrm{KL}\left(\mathcal{N}(c, d^2) \,\|\, p(z \mid x)\right)"), gaussian_kl),
        Paragraph(
            "The KL divergence is never negative. The function ",
            Math(log_gap(u)),
            " vanishes at u = 1 together with its slope, and its second derivative ",
            Math(sp.diff(log_gap(u), u, 2)),
            " is positive, so it is non-negative with a single zero at u = 1. Writing",
        ),
        Equation(TeX(r"\mathrm{KL}(q \,\|\, p)"), [KL_DISPLAY, GAPS_DISPLAY]),
        Paragraph(
            "which holds because both distributions sum to one, shows that the divergence is a sum of "
            "non-negative terms and is zero only when every ratio is 1, that is when q is the posterior. Hence "
            "the bound never exceeds the log-likelihood and touches it only at the posterior. For n data points "
            "the same holds term by term, with one q per data point.",
        ),
    ]
    errata = [
        Erratum(
            question="5b",
            reference_says="the KL step uses p(z | x) while the sum runs over data points x_i; equality needs "
            "q1 = p(z | x) for all values of x and z",
            what_holds=(
                "each term i needs p(z | x_i) and its own q_i; the sum of bounds equals sum_i log p(x_i) exactly "
                "when q_i(z) = p(z | x_i) for every i and every z with positive probability"
            ),
            why=(
                "with one shared q the sum falls short by sum_i KL(q || p(z | x_i)), which is positive as soon "
                "as two posteriors differ (claims 5b/shared-q-gap and 5b/kl-nonnegative)"
            ),
        ),
    ]
    return Part(id="5b", title="The bound and the KL divergence", body=body, claims=claims, errata=errata)


# --- 5(c) ----------------------------------------------------------------------------------------------


def part_c() -> Part:
    claims: list[Claim] = []
    for states in EXPLICIT_STATES:
        weights = _positive_symbols("q", states)
        joints = joint(prior(states), likelihood(states))
        value = bound(joints, weights, weights)
        at_posterior = dict(zip(weights, posterior(joints)))
        gradient = sp.Matrix([sp.diff(value, weight).xreplace(at_posterior) for weight in weights])
        claims.append(
            Claim(
                id=f"5c/stationary-at-posterior-K{states}",
                statement=f"at q = p(z | x) every partial derivative of B(q, q) is log p(x) - 1, a multiple of the "
                f"constraint normal (1, ..., 1): the posterior is stationary on the simplex, K = {states}",
                obtained=gradient,
                stated=sp.ones(states, 1) * (sp.log(evidence(joints)) - 1),
                assumptions=POSITIVE,
                rewrites=(EXPAND_LOG,),
            )
        )
        claims.append(hessian_negative_claim(f"5c/concave-K{states}", states))

    # The linear-Gaussian model: over q = N(c, d^2) the bound is largest at the posterior. The
    # scale is varied through the variance t = d^2, because at d = sqrt(v) the derivative in d
    # mixes sqrt(a^2 + s^2) with a^2 + s^2 in sums, where atom abstraction cannot relate them.
    gaussian_bound = expectation_under_q(LOG_JOINT - LOG_Q)
    variance = sp.Symbol("t", positive=True)
    by_variance = sp.expand_log(gaussian_bound.xreplace({d: sp.sqrt(variance)}), force=True)
    at_posterior = {c: POSTERIOR_MEAN, d: sp.sqrt(POSTERIOR_VARIANCE)}
    claims += [
        Claim(
            id="5c/gaussian-optimum-mean",
            statement="the derivative of the Gaussian bound in the mean c vanishes at the posterior mean",
            obtained=sp.diff(gaussian_bound, c).xreplace(at_posterior),
            stated=sp.Integer(0),
            rewrites=(EXPAND_LOG,),
        ),
        Claim(
            id="5c/gaussian-optimum-variance",
            statement="the derivative of the Gaussian bound in the variance d^2 vanishes at the posterior variance",
            obtained=sp.diff(by_variance, variance).xreplace({c: POSTERIOR_MEAN, variance: POSTERIOR_VARIANCE}),
            stated=sp.Integer(0),
            rewrites=(EXPAND_LOG,),
        ),
        Claim(
            id="5c/gaussian-optimum-value",
            statement="at the posterior the Gaussian bound equals log p(x)",
            obtained=gaussian_bound.xreplace(at_posterior),
            stated=LOG_EVIDENCE,
            assumptions=POSITIVE,
            rewrites=(EXPAND_LOG,),
        ),
    ]

    body = [
        Paragraph(
            "Maximum likelihood needs log p(x), and the EM algorithm needs the posterior p(z | x). For many "
            "models neither is available in closed form: the evidence is an integral over z that cannot be "
            "done, as in a variational autoencoder whose decoder is a neural network, and without it neither "
            "the log-likelihood nor its gradient can be evaluated. The bound replaces the intractable quantity "
            "by an expectation under a distribution q that we choose to be tractable.",
        ),
        ItemList(
            (
                Paragraph(
                    "Variational autoencoders maximise the bound jointly over the model parameters and the "
                    "parameters of an encoder network that outputs q(z | x); the expectation is estimated by "
                    "sampling, with the reparameterisation trick for its gradient.",
                ),
                Paragraph(
                    "Variational EM alternates: the E-step maximises the bound over q inside a tractable family "
                    "in place of computing the exact posterior, and the M-step maximises it over the model "
                    "parameters with q fixed.",
                ),
            )
        ),
        Paragraph(
            "Maximising over an unrestricted q gives back the exact posterior: in the discrete case the bound "
            "is strictly concave in q and its gradient at the posterior is parallel to the normalisation "
            "constraint, and in the linear-Gaussian case its derivatives in the mean and the variance "
            "of q vanish at the posterior's. The gap that remains for a restricted family is the KL divergence "
            "from part (b), so a better family gives a tighter bound.",
        ),
    ]
    return Part(id="5c", title="Where the bound is used", body=body, claims=claims)


def build() -> list[Part]:
    return [part_a(), part_b(), part_c()]
