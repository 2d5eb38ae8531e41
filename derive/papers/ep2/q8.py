"""Answer 8: a hard-margin linear SVM on six points, solved exactly, and its KKT conditions.

The question's data set is not in the reference solutions, which list only the four
support vectors. The six points below are the data set consistent with its answer
(w = (2, 2), b = -3, support vectors x1, x3, x5, x6); the sheet says so.

Everything is exact: the primal problem is solved by enumerating active sets and
solving each KKT system in rational arithmetic, and every inequality is decided
on exact rationals. The public functions `data`, `primal_solution`,
`support_vectors` and `multiplier_family` return plain SymPy values for
comparisons with numerical solvers.
"""

from __future__ import annotations

import itertools
import time
from dataclasses import dataclass
from fractions import Fraction

import sympy as sp

from derive.claims import Claim
from derive.errors import MalformedClaim
from derive.paper import Equation, Erratum, Figure, ItemList, Math, Paragraph, Part, TeX
from derive.verdict import Method, Verdict
from derive.verify import CheckSettings, decide

# --- the data and the exact solution ----------------------------------------------------------

# Reconstructed data set: points 1-3 have label +1, points 4-6 label -1.
_POINTS = ((1, 1), (2, 2), (2, 0), (0, 0), (1, 0), (0, 1))
_LABELS = (1, 1, 1, -1, -1, -1)


def data() -> tuple[tuple[sp.Matrix, ...], tuple[int, ...]]:
    """Return the six training inputs as 2x1 integer column vectors, and their labels (+1 or -1)."""
    return tuple(sp.Matrix(point) for point in _POINTS), _LABELS


def functional_margins(w: sp.Matrix, b: sp.Expr) -> sp.Matrix:
    """Return the column of t_n (w^T x_n + b), one entry per training point."""
    points, labels = data()
    return sp.Matrix([label * ((w.T * point)[0, 0] + b) for point, label in zip(points, labels)])


@dataclass(frozen=True)
class KKTPoint:
    """A primal-dual pair satisfying the KKT conditions, found from the active set `active` (0-based)."""

    w: sp.Matrix
    b: sp.Rational
    multipliers: sp.Matrix
    active: tuple[int, ...]


def _solve_active_set(active: tuple[int, ...]) -> KKTPoint | None:
    """Solve the KKT equations with the constraints in `active` held at equality; None unless unique and valid.

    Unknowns are w1, w2, b and one multiplier per active constraint. The equations are
    stationarity in w (w = sum a_n t_n x_n), stationarity in b (sum a_n t_n = 0) and
    t_n (w^T x_n + b) = 1 on the active set. The solution is a KKT point when it is
    unique, every multiplier is non-negative and every constraint holds.
    """
    points, labels = data()
    w1, w2, b = sp.symbols("w1 w2 b")
    a = sp.symbols(f"a0:{len(active)}")
    w = sp.Matrix([w1, w2])
    combination = sp.zeros(2, 1)
    for multiplier, index in zip(a, active):
        combination += multiplier * labels[index] * points[index]
    equations = list(w - combination)
    equations.append(sum(multiplier * labels[index] for multiplier, index in zip(a, active)))
    equations += [labels[index] * ((w.T * points[index])[0, 0] + b) - 1 for index in active]
    unknowns = [w1, w2, b, *a]
    solutions = sp.linsolve(equations, unknowns)
    if not solutions:
        return None
    (solution,) = solutions
    if any(value.free_symbols for value in solution):
        return None  # not unique; a smaller active set describes the same point
    w_value = sp.Matrix(solution[:2])
    b_value = solution[2]
    multipliers = sp.zeros(len(points), 1)
    for value, index in zip(solution[3:], active):
        multipliers[index] = value
    if any(value < 0 for value in multipliers):
        return None
    if any(value < 1 for value in functional_margins(w_value, b_value)):
        return None
    return KKTPoint(w_value, b_value, multipliers, active)


def kkt_points() -> list[KKTPoint]:
    """Return every KKT point whose multipliers are supported on at most three constraints.

    Three is enough: the multipliers solve three linear equations (two for w, one for b),
    so a basic non-negative solution has at most three non-zero entries (Caratheodory).
    """
    found = []
    for size in range(1, 4):
        for active in itertools.combinations(range(len(_POINTS)), size):
            point = _solve_active_set(active)
            if point is not None:
                found.append(point)
    return found


def primal_solution() -> tuple[sp.Matrix, sp.Rational]:
    """Return (w, b) of the hard-margin SVM, solved exactly.

    The problem is convex, so any KKT point is optimal. Raises `MalformedClaim` if
    the enumeration finds no KKT point, or KKT points with different (w, b), which
    would contradict the uniqueness proved in part (b).
    """
    points = kkt_points()
    if not points:
        raise MalformedClaim("no KKT point found: the data set is not linearly separable")
    distinct = {(tuple(point.w), point.b) for point in points}
    if len(distinct) > 1:
        raise MalformedClaim(f"KKT points disagree on (w, b): {sorted(distinct, key=str)}; expected one optimum")
    return points[0].w, points[0].b


def support_vectors() -> tuple[int, ...]:
    """Return the 1-based indices of the points on the margin, t_n (w^T x_n + b) = 1."""
    w, b = primal_solution()
    return tuple(number + 1 for number, value in enumerate(functional_margins(w, b)) if value == 1)


# The parameter of the multiplier family is a1, the multiplier of x1.
LAMBDA = sp.Symbol("lambda", real=True)


def multiplier_family() -> tuple[sp.Symbol, sp.Matrix, tuple[sp.Rational, sp.Rational]]:
    """Return (parameter, a(parameter), (low, high)): every optimal multiplier vector.

    Complementary slackness makes the multipliers vanish off the support vectors, and
    on them they solve stationarity in w and in b. The solutions form a line, which is
    parametrised by a1. Non-negativity cuts it to the closed interval [low, high].
    """
    w, _ = primal_solution()
    points, labels = data()
    on_margin = [number - 1 for number in support_vectors()]
    unknowns = sp.symbols(f"a1:{len(points) + 1}")
    multipliers = sp.Matrix([unknowns[index] if index in on_margin else 0 for index in range(len(points))])
    equations = list(w - sum((multipliers[n] * labels[n] * points[n] for n in range(len(points))), sp.zeros(2, 1)))
    equations.append(sum(multipliers[n] * labels[n] for n in range(len(points))))
    free = [unknowns[index] for index in on_margin if index != 0]
    (solution,) = sp.linsolve(equations, free)
    family = multipliers.xreplace(dict(zip(free, solution))).xreplace({unknowns[0]: LAMBDA})
    return LAMBDA, family, _nonnegative_interval(family, LAMBDA)


def _nonnegative_interval(family: sp.Matrix, parameter: sp.Symbol) -> tuple[sp.Rational, sp.Rational]:
    """Return the closed interval of `parameter` on which every affine entry of `family` is >= 0."""
    low, high = -sp.oo, sp.oo
    for entry in family:
        polynomial = sp.Poly(entry, parameter)
        if polynomial.degree() > 1:
            raise MalformedClaim(
                f"multiplier {entry} is not affine in {parameter}, so its sign cannot be read off the endpoints; "
                "parametrise the family linearly"
            )
        slope, offset = polynomial.coeff_monomial(parameter), polynomial.coeff_monomial(1)
        if slope > 0:
            low = sp.Max(low, -offset / slope)
        elif slope < 0:
            high = sp.Min(high, -offset / slope)
        elif offset < 0:
            raise MalformedClaim(f"multiplier {entry} is negative for every {parameter}")
    return low, high


def lagrangian_dual(multipliers: sp.Matrix) -> sp.Expr:
    """Return the dual objective sum a_n - 1/2 ||sum a_n t_n x_n||^2."""
    points, labels = data()
    combination = sum((multipliers[n] * labels[n] * points[n] for n in range(len(points))), sp.zeros(2, 1))
    return sum(multipliers) - sp.Rational(1, 2) * (combination.T * combination)[0, 0]


# --- exact decisions for the inequality claims ------------------------------------------------


def _exact(value: sp.Expr) -> Fraction:
    if not value.is_Rational:
        raise MalformedClaim(
            f"expected an exact rational, got {value}: inequalities are decided in exact arithmetic only, "
            "so build the value from Integer and Rational"
        )
    return Fraction(int(value.p), int(value.q))


def decide_at_least(value: sp.Expr, bound: sp.Expr, what: str):
    """Return a decide function for `value >= bound`, both exact rationals."""

    def decide_inequality(settings: CheckSettings) -> Verdict:
        started = time.perf_counter()
        left, right = _exact(value), _exact(bound)
        method = Method.PROVED if left >= right else Method.FALSE
        return Verdict(method, f"exact rational arithmetic: {what} = {left}, bound {right}", seconds=time.perf_counter() - started)

    return decide_inequality


def decide_nonnegative_on(family: sp.Matrix, parameter: sp.Symbol, low: sp.Expr, high: sp.Expr):
    """Return a decide function for: every entry of `family` is >= 0 for parameter in [low, high].

    Each entry must be affine in the parameter. It is then non-negative on the interval
    exactly when it is non-negative at both endpoints, which are checked in rational arithmetic.
    """

    def decide_family(settings: CheckSettings) -> Verdict:
        started = time.perf_counter()
        for number, entry in enumerate(family, start=1):
            if sp.Poly(entry, parameter).degree() > 1:
                return Verdict(Method.UNDECIDED, f"entry {number} = {entry} is not affine in {parameter}")
            for endpoint in (low, high):
                value = _exact(entry.xreplace({parameter: endpoint}))
                if value < 0:
                    return Verdict(
                        Method.FALSE,
                        f"entry {number} = {entry} is {value} at {parameter} = {endpoint}",
                        seconds=time.perf_counter() - started,
                    )
        return Verdict(
            Method.PROVED,
            f"every entry is affine in {parameter} and non-negative at {parameter} = {low} and {high} (exact)",
            seconds=time.perf_counter() - started,
        )

    return decide_family


# --- the optimality certificate ---------------------------------------------------------------

W1, W2, B = sp.symbols("w_1 w_2 b", real=True)


def optimality_gap_identity(family: sp.Matrix) -> tuple[sp.Expr, sp.Expr, sp.Expr]:
    """Return 1/2||w||^2 - D(a), 1/2||w - w*||^2 and sum a_n g_n(w, b) for free w, b; the first is the sum of the others.

    g_n(w, b) = t_n (w^T x_n + b) - 1 is the constraint slack and D the dual objective. For
    a feasible (w, b) every g_n >= 0, so with a >= 0 the right side is >= 1/2||w - w*||^2.
    """
    w_star, _ = primal_solution()
    w = sp.Matrix([W1, W2])
    slack = functional_margins(w, B) - sp.ones(len(_POINTS), 1)
    gap = (w - w_star).T * (w - w_star)
    left = sp.Rational(1, 2) * (w.T * w)[0, 0] - lagrangian_dual(family)
    return left, sp.Rational(1, 2) * gap[0, 0], (family.T * slack)[0, 0]


def decide_optimal_and_unique(settings: CheckSettings) -> Verdict:
    """Decide: (w*, b*) is the unique minimiser of 1/2||w||^2 over the feasible set.

    The certificate is one member a of the multiplier family with every support-vector
    multiplier strictly positive. The identity of `optimality_gap_identity` (decided by
    the engine), a >= 0, and D(a) = 1/2||w*||^2 give 1/2||w||^2 - 1/2||w*||^2 >= 1/2||w - w*||^2
    for every feasible (w, b), so w* is optimal and the only optimal w. Equality also forces
    g_n(w*, b) = 0 where a_n > 0, and that fixes b.
    """
    started = time.perf_counter()
    parameter, family, (low, high) = multiplier_family()
    middle = (low + high) / 2
    certificate = family.xreplace({parameter: middle})
    w_star, b_star = primal_solution()
    left, distance, slack = optimality_gap_identity(certificate)
    right = distance + slack
    identity = decide(right, left, label="8b/optimality-identity", settings=settings)
    if not identity.holds:
        return Verdict(identity.method, f"the optimality identity is not established: {identity.detail}")
    positive = [number + 1 for number, value in enumerate(certificate) if value > 0]
    if tuple(positive) != support_vectors():
        return Verdict(Method.FALSE, f"the certificate at {parameter} = {middle} is positive on {positive} only")
    if lagrangian_dual(certificate) != sp.Rational(1, 2) * (w_star.T * w_star)[0, 0]:
        return Verdict(Method.FALSE, "the dual value of the certificate differs from the primal value")
    if any(value < 1 for value in functional_margins(w_star, b_star)):
        return Verdict(Method.FALSE, "(w*, b*) is not feasible")
    fixed = sp.solve(functional_margins(w_star, B)[positive[0] - 1] - 1, B)
    if fixed != [b_star]:
        return Verdict(Method.FALSE, f"the active constraint of x{positive[0]} gives b = {fixed}, not {b_star}")
    method = Method.PROVED if identity.method is Method.PROVED else identity.method
    return Verdict(
        method,
        f"certificate a({parameter} = {middle}) = {list(certificate)} > 0 on the support vectors, "
        f"gap identity {identity.method.value}, D(a) = 1/2||w*||^2, b fixed by x{positive[0]}",
        seconds=time.perf_counter() - started,
    )


# --- the figure -------------------------------------------------------------------------------

WINDOW = (sp.Rational(-1, 2), sp.Rational(5, 2))


def _line_in_window(w: sp.Matrix, b: sp.Expr, level: sp.Expr) -> tuple[tuple[sp.Rational, sp.Rational], ...]:
    """Return the two ends of the segment {x : w^T x + b = level} inside the square WINDOW x WINDOW."""
    low, high = WINDOW
    w1, w2 = w
    ends: list[tuple[sp.Rational, sp.Rational]] = []
    if w2 != 0:
        for first in (low, high):
            second = (level - b - w1 * first) / w2
            if low <= second <= high:
                ends.append((first, second))
    if w1 != 0:
        for second in (low, high):
            first = (level - b - w2 * second) / w1
            if low <= first <= high:
                ends.append((first, second))
    unique = sorted(set(ends))
    if len(unique) < 2:
        raise MalformedClaim(f"the line w^T x + b = {level} misses the plotting window {WINDOW}; widen WINDOW")
    return unique[0], unique[-1]


def _coordinate(point: tuple[sp.Expr, sp.Expr]) -> str:
    # TikZ evaluates "{p/q}" with its math parser, so the ends stay exact in the source.
    return "(" + ",".join(f"{{{sp.Rational(value).p}/{sp.Rational(value).q}}}" for value in point) + ")"


def figure_source(w: sp.Matrix, b: sp.Expr) -> str:
    """Return TikZ code for the data, the decision boundary w^T x + b = 0 and the margins w^T x + b = +-1."""
    points, labels = data()
    low, high = WINDOW
    lines = [
        r"\begin{tikzpicture}[scale=1.6]",
        rf"\draw[->] ({low},0) -- ({high},0) node[right] {{$x_1$}};",
        rf"\draw[->] (0,{low}) -- (0,{high}) node[above] {{$x_2$}};",
    ]
    styles = {0: "thick", 1: "dashed", -1: "dashed"}
    for level in (0, 1, -1):
        start, end = _line_in_window(w, b, sp.Integer(level))
        lines.append(rf"\draw[{styles[level]}] {_coordinate(start)} -- {_coordinate(end)};")
    for number, (point, label) in enumerate(zip(points, labels), start=1):
        fill = "fill=black" if label > 0 else "fill=white"
        position = _coordinate((point[0], point[1]))
        lines.append(rf"\draw[{fill}] {position} circle (2pt) node[above right] {{$\boldsymbol{{x}}_{{{number}}}$}};")
    lines.append(r"\end{tikzpicture}")
    return "\n".join(lines)


# --- the parts --------------------------------------------------------------------------------

DATA_ERRATUM = Erratum(
    question="8",
    reference_says="the answer lists only the four support vectors x1, x3, x5, x6; x2 and x4 are never given",
    what_holds=(
        "the data set consistent with the answer is x1 = (1,1), x2 = (2,2), x3 = (2,0) with label +1 and "
        "x4 = (0,0), x5 = (1,0), x6 = (0,1) with label -1; this sheet uses that reconstruction"
    ),
    why="with these six points the hard-margin solution is w = (2,2), b = -3 with exactly those four support vectors",
)


def part_a() -> Part:
    w, b = primal_solution()
    source = figure_source(w, b)
    points, labels = data()
    claims = []
    for level in (0, 1, -1):
        start, end = _line_in_window(w, b, sp.Integer(level))
        claims.append(
            Claim(
                id=f"8a/figure-line-{'boundary' if level == 0 else ('plus' if level > 0 else 'minus')}",
                statement=f"both ends of the drawn line satisfy w^T x + b = {level}",
                obtained=sp.Matrix([(w.T * sp.Matrix(end))[0, 0] + b, (w.T * sp.Matrix(start))[0, 0] + b]),
                stated=sp.Matrix([level, level]),
            )
        )
    claims.append(
        Claim(
            id="8a/sides",
            statement="every point lies on the side of the boundary given by its label: sign(w^T x_n + b) = t_n",
            obtained=sp.Matrix([sp.sign((w.T * point)[0, 0] + b) for point in points]),
            stated=sp.Matrix(labels),
        )
    )
    body = [
        Paragraph(
            "The reference solutions do not list the question's data. The six points below are reconstructed "
            "from the answer: they are the only data set used on this sheet, and part (b) shows they give the "
            "reference's boundary. Filled circles have label +1, open circles label -1."
        ),
        ItemList(
            tuple(
                Paragraph(TeX(rf"\boldsymbol{{x}}_{{{number}}} = "), Math(sp.Tuple(*point)), f", label {label:+d}")
                for number, (point, label) in enumerate(zip(points, labels), start=1)
            )
        ),
        Figure(
            source,
            "The data, the decision boundary w^T x + b = 0 (solid) and the margins w^T x + b = +1 and -1 (dashed), "
            "drawn from the verified w and b of part (b).",
        ),
    ]
    errata = [
        DATA_ERRATUM,
        Erratum(
            question="8a",
            reference_says="the decision boundary and margins are shown below (no figure follows)",
            what_holds="the figure above, generated from the verified w = (2,2) and b = -3",
            why="the figure was lost from the reference",
        ),
    ]
    return Part(id="8a", title="Data, decision boundary and margins", body=body, claims=claims, errata=errata)


def _feasibility_claim(number: int, value: sp.Expr, bound: sp.Expr) -> Claim:
    """Return the claim t_n (w^T x_n + b) >= bound; restating it changes the bound."""
    return Claim(
        id=f"8b/feasible-x{number}",
        statement=f"constraint {number} holds: t_{number} (w^T x_{number} + b) >= {bound}",
        decide_with=decide_at_least(value, bound, f"t_{number} (w^T x_{number} + b)"),
        restate_with=lambda other: _feasibility_claim(number, value, _as_expr(other)),
    )


def _as_expr(value: object) -> sp.Expr:
    if isinstance(value, int):
        return sp.Integer(value)
    if isinstance(value, sp.Expr):
        return value
    raise MalformedClaim(f"a restated bound must be an int or a SymPy expression, got {type(value).__name__}")


def _dual_feasibility_claim(family: sp.Matrix, parameter: sp.Symbol, interval: tuple[sp.Expr, sp.Expr]) -> Claim:
    """Return the claim a(parameter) >= 0 on `interval`; restating it changes the interval."""
    low, high = interval
    return Claim(
        id="8c/dual-feasibility",
        statement=f"a_n >= 0 for n = 1..6 and every {parameter} in [{low}, {high}]",
        decide_with=decide_nonnegative_on(family, parameter, low, high),
        restate_with=lambda other: _dual_feasibility_claim(family, parameter, tuple(other)),
    )


def part_b() -> Part:
    w, b = primal_solution()
    points, labels = data()
    margins = functional_margins(w, b)
    norm = sp.sqrt((w.T * w)[0, 0])
    geometric_margin = min(margins) / norm
    parameter, family, (low, high) = multiplier_family()
    identity_left, distance_term, slack_term = optimality_gap_identity(family)

    claims = [
        Claim(id="8b/w", statement="the optimal weight vector is w = (2, 2)", obtained=w, stated=sp.Matrix([2, 2])),
        Claim(id="8b/b", statement="the optimal bias is b = -3", obtained=b, stated=sp.Integer(-3)),
        Claim(
            id="8b/functional-margins",
            statement="t_n (w^T x_n + b) = (1, 5, 1, 3, 1, 1): x1, x3, x5, x6 lie on the margin",
            obtained=margins,
            stated=sp.Matrix([1, 5, 1, 3, 1, 1]),
        ),
    ]
    for number, value in enumerate(margins, start=1):
        claims.append(_feasibility_claim(number, value, sp.Integer(1)))
    claims += [
        Claim(
            id="8b/support-vectors",
            statement="the support vectors are x1, x3, x5 and x6",
            obtained=sp.Matrix(support_vectors()),
            stated=sp.Matrix([1, 3, 5, 6]),
        ),
        Claim(
            id="8b/strictly-convex",
            statement="the Hessian of 1/2||w||^2 in w is the identity, so the objective is strictly convex in w",
            obtained=sp.hessian(sp.Rational(1, 2) * (W1**2 + W2**2), (W1, W2)),
            stated=sp.eye(2),
        ),
        Claim(
            id="8b/gap-identity",
            statement="1/2||w - w*||^2 + sum_n a_n g_n(w, b) = 1/2||w||^2 - D(a) for all w, b and every member a",
            obtained=distance_term + slack_term,
            stated=identity_left,
        ),
        Claim(
            id="8b/slack-term",
            statement="sum_n a_n g_n(w, b) = 2 w_1 + 2 w_2 - 8 for every member: b and lambda drop out",
            obtained=slack_term,
            stated=sp.expand(slack_term),
        ),
        Claim(
            id="8b/optimal-unique",
            statement="(w*, b*) is the unique minimiser of 1/2||w||^2 subject to t_n (w^T x_n + b) >= 1",
            decide_with=decide_optimal_and_unique,
        ),
        Claim(
            id="8b/b-from-each-support-vector",
            statement="t_n - w^T x_n = -3 at every support vector, so each active constraint fixes the same b",
            obtained=sp.Matrix([labels[n - 1] - (w.T * points[n - 1])[0, 0] for n in support_vectors()]),
            stated=sp.Matrix([-3, -3, -3, -3]),
        ),
        Claim(
            id="8b/geometric-margin",
            statement="the geometric margin min_n t_n (w^T x_n + b) / ||w|| is 1/(2 sqrt 2)",
            obtained=geometric_margin,
            stated=1 / (2 * sp.sqrt(2)),
        ),
        Claim(
            id="8b/margin-width",
            statement="the two margin lines are 2/||w|| = 1/sqrt 2 apart",
            obtained=2 / norm,
            stated=1 / sp.sqrt(2),
        ),
    ]
    body = [
        Paragraph(
            "The hard-margin SVM minimises ",
            TeX(r"\tfrac{1}{2}\|\boldsymbol{w}\|^{2}"),
            " subject to ",
            TeX(r"g_n(\boldsymbol{w}, b) = t_n(\boldsymbol{w}^{\mathsf{T}}\boldsymbol{x}_n + b) - 1 \ge 0"),
            " for every point. It is a convex quadratic programme with linear constraints, so any point that "
            "satisfies the KKT conditions is optimal. Solving the KKT equations exactly for each candidate set of "
            "active constraints gives",
        ),
        Equation(TeX(r"\boldsymbol{w}"), w),
        Equation(TeX("b"), b),
        Paragraph("The functional margins of the six points, in order, are"),
        Equation(TeX(r"\left(t_n(\boldsymbol{w}^{\mathsf{T}}\boldsymbol{x}_n + b)\right)_{n=1}^{6}"), margins.T),
        Paragraph(
            "so every constraint holds and the support vectors, the points with functional margin exactly 1, are ",
            TeX(r"\boldsymbol{x}_1, \boldsymbol{x}_3, \boldsymbol{x}_5, \boldsymbol{x}_6"),
            ". The geometric margin, the distance from the boundary to the nearest point, is",
        ),
        Equation(TeX(r"\frac{1}{\|\boldsymbol{w}\|}"), geometric_margin),
        Paragraph(
            "and the two dashed margin lines are twice that, ",
            Math(2 / norm),
            ", apart.",
        ),
        Paragraph(
            "Optimality and uniqueness follow from one identity. Take any multipliers a from part (c) and write D(a) "
            "for the dual objective. For all w and b, the left side below is the sum of the two right sides that follow it:",
        ),
        Equation(TeX(r"\tfrac{1}{2}\|\boldsymbol{w}\|^{2} - D(\boldsymbol{a})"), identity_left),
        Equation(TeX(r"\tfrac{1}{2}\|\boldsymbol{w} - \boldsymbol{w}^{*}\|^{2}"), distance_term),
        Equation(TeX(r"\sum_{n} a_n g_n(\boldsymbol{w}, b)"), sp.expand(slack_term)),
        Paragraph(
            "Here ",
            TeX(r"D(\boldsymbol{a})"),
            " = ",
            Math(lagrangian_dual(family)),
            " for every member of the family, and at a feasible (w, b) every slack ",
            TeX("g_n"),
            " is non-negative. With a non-negative, the sum of the slack terms is non-negative too, so ",
            Math(
                sp.GreaterThan(
                    sp.Rational(1, 2) * (W1**2 + W2**2),
                    lagrangian_dual(family) + distance_term,
                    evaluate=False,
                )
            ),
            ". The bound is reached by the solution above and by no other w. Choosing the member with ",
            TeX("a_n > 0"),
            " on all four support vectors, equality also forces each of their constraints to be active, and the "
            "active constraint of any one of them fixes ",
            Math(sp.Eq(B, b)),
            ".",
        ),
    ]
    errata = [
        Erratum(
            question="8b",
            reference_says="w is a scalar times the unit vector (1,1); b and the scalar follow from y(x1) = 1, y(x5) = y(x6) = -1",
            what_holds=(
                "(1,1) is not a unit vector (its norm is sqrt 2); the direction of w is a result, not an assumption: "
                "the exact KKT solution is w = (2,2), b = -3, and it is the unique optimum"
            ),
            why=(
                "the reference reads the direction off the figure and never shows optimality; the identity "
                "1/2||w||^2 - 4 = 1/2||w - w*||^2 + sum a_n g_n(w, b) with a >= 0 proves it"
            ),
        ),
        Erratum(
            question="8b",
            reference_says="the margin is not stated",
            what_holds="the geometric margin is 1/||w|| = 1/(2 sqrt 2); the functional margin of each support vector is 1",
            why="min_n t_n (w^T x_n + b) = 1 and ||w|| = 2 sqrt 2",
        ),
    ]
    return Part(id="8b", title="The maximum-margin solution", body=body, claims=claims, errata=errata)


def part_c() -> Part:
    w, b = primal_solution()
    points, labels = data()
    parameter, family, (low, high) = multiplier_family()
    stationarity = sum((family[n] * labels[n] * points[n] for n in range(len(points))), sp.zeros(2, 1))
    slack = functional_margins(w, b) - sp.ones(len(points), 1)
    on_margin = [number - 1 for number in support_vectors()]
    system = sp.Matrix(
        [[labels[n] * points[n][row] for n in on_margin] for row in range(2)] + [[labels[n] for n in on_margin]]
    )
    direction = sp.diff(family, parameter)
    reference_member = sp.Matrix([4, 0, 0, 0, 2, 2])
    primal_value = sp.Rational(1, 2) * (w.T * w)[0, 0]

    claims = [
        Claim(
            id="8c/rank",
            statement="stationarity in w and b is 3 independent equations in the 4 support-vector multipliers",
            obtained=sp.Integer(system.rank()),
            stated=sp.Integer(3),
        ),
        Claim(
            id="8c/direction-in-kernel",
            statement="the family's direction d a / d lambda solves the homogeneous system, so the family is that whole line",
            obtained=system * sp.Matrix([direction[n] for n in on_margin]),
            stated=sp.zeros(3, 1),
        ),
        Claim(
            id="8c/interval",
            statement="the multipliers are all non-negative exactly for 2 <= lambda <= 4",
            obtained=sp.Matrix([low, high]),
            stated=sp.Matrix([2, 4]),
        ),
        Claim(
            id="8c/family",
            statement="a = (lambda, 0, 4 - lambda, 0, 6 - lambda, lambda - 2)",
            obtained=family,
            stated=sp.Matrix([parameter, 0, 4 - parameter, 0, 6 - parameter, parameter - 2]),
        ),
        Claim(
            id="8c/stationarity-w",
            statement="w = sum_n a_n t_n x_n for every member of the family",
            obtained=stationarity,
            stated=w,
        ),
        Claim(
            id="8c/stationarity-b",
            statement="sum_n a_n t_n = 0 for every member of the family",
            obtained=sum(family[n] * labels[n] for n in range(len(points))),
            stated=sp.Integer(0),
        ),
        Claim(
            id="8c/primal-feasibility",
            statement="t_n (w^T x_n + b) - 1 >= 0 for n = 1..6",
            decide_with=decide_nonnegative_on(slack, parameter, low, high),
        ),
        _dual_feasibility_claim(family, parameter, (low, high)),
        Claim(
            id="8c/complementary-slackness",
            statement="a_n (t_n (w^T x_n + b) - 1) = 0 for n = 1..6 and every member",
            obtained=family.multiply_elementwise(slack),
            stated=sp.zeros(len(points), 1),
        ),
        Claim(
            id="8c/dual-objective",
            statement="the dual objective sum a_n - 1/2||sum a_n t_n x_n||^2 is 4 for every member",
            obtained=lagrangian_dual(family),
            stated=sp.Integer(4),
        ),
        Claim(
            id="8c/no-duality-gap",
            statement="the dual objective equals the primal objective 1/2||w||^2 for every member",
            obtained=lagrangian_dual(family),
            stated=primal_value,
        ),
        Claim(
            id="8c/reference-member",
            statement="the reference's multipliers (4, 0, 0, 0, 2, 2) are the member lambda = 4",
            obtained=family.xreplace({parameter: high}),
            stated=reference_member,
        ),
    ]
    body = [
        Paragraph(
            "Because the primal problem has a unique solution and linear constraints, a multiplier vector is "
            "optimal for the dual exactly when it satisfies the KKT conditions together with that solution. "
            "Complementary slackness sets ",
            TeX("a_2 = a_4 = 0"),
            ", since those constraints are not active. Stationarity in w gives two equations and stationarity in b "
            "one more, in the four remaining multipliers; the three equations are independent, so the solutions form "
            "a line. Taking ",
            Math(parameter),
            " = a_1 as its parameter:",
        ),
        Equation(TeX(r"\boldsymbol{a}^{\mathsf{T}}"), family.T),
        Paragraph(
            "Every entry is affine in the parameter, and all are non-negative exactly on ",
            Math(sp.Interval(low, high)),
            ". At the lower end the multiplier of x6 vanishes, at the upper end that of x3. "
            "For every member of the family:",
        ),
        Equation(TeX(r"\sum_{n} a_n t_n \boldsymbol{x}_n"), [stationarity, w]),
        Equation(TeX(r"\sum_{n} a_n t_n"), sum(family[n] * labels[n] for n in range(len(points)))),
        Equation(TeX(r"\left(a_n g_n(\boldsymbol{w}, b)\right)_{n=1}^{6}"), family.multiply_elementwise(slack).T),
        Equation(
            TeX(r"\sum_n a_n - \tfrac{1}{2}\Big\|\sum_n a_n t_n \boldsymbol{x}_n\Big\|^{2}"),
            [lagrangian_dual(family), primal_value],
        ),
        Paragraph(
            "Primal feasibility was shown in part (b), dual feasibility is the interval above, and the dual "
            "objective equals the primal objective for every member, so there is no duality gap. The reference's "
            "choice is the member at the upper end,",
        ),
        Equation(TeX(r"\boldsymbol{a}^{\mathsf{T}}\big|_{\lambda = 4}"), family.xreplace({parameter: high}).T),
    ]
    errata = [
        Erratum(
            question="8c",
            reference_says="the training constraint is sum_n t_n a_t = 0",
            what_holds="sum_n a_n t_n = 0",
            why="the constraint is stationarity of the Lagrangian in b; a_t is a typo for a_n",
        ),
        Erratum(
            question="8c",
            reference_says=(
                "a2, a3, a4 = 0 because x2 and x4 are not support vectors and a3 is assumed to be zero, "
                "giving a1 = 4, a5 = 2, a6 = 2"
            ),
            what_holds=(
                "a2 = a4 = 0 is forced by complementary slackness, but a3 = 0 is a choice: the optimal multipliers are "
                "exactly a = (lambda, 0, 4 - lambda, 0, 6 - lambda, lambda - 2) for 2 <= lambda <= 4, and the "
                "reference's vector is the member lambda = 4"
            ),
            why="stationarity gives three independent equations in four unknowns, and a >= 0 bounds the free parameter",
        ),
    ]
    return Part(id="8c", title="The Lagrange multipliers and the KKT conditions", body=body, claims=claims, errata=errata)


def build() -> list[Part]:
    return [part_a(), part_b(), part_c()]
