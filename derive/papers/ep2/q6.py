"""Answer 6: non-linear feature maps make labelled point sets linearly separable.

A labelled set {(z_n, t_n)} with t_n in {-1, +1} is linearly separable when
some (w, b) gives t_n (w^T z_n + b) >= 1 for every n. For a finite set this is
the same as strict separation, because (w, b) can be scaled.

Separability is certified by an explicit plane whose margins are checked in
exact rational arithmetic. Non-separability is certified by Farkas'
lemma: multipliers y_n >= 0 with sum_n y_n t_n z_n = 0, sum_n y_n t_n = 0 and
sum_n y_n > 0. For any (w, b) these give
0 = sum_n y_n t_n (w^T z_n + b) >= sum_n y_n > 0, a contradiction.

SymPy 1.14's simplex solver (`sympy.solvers.simplex.lpmin`) returns a point
that violates the constraints on the XOR problem instead of reporting it
infeasible, so certificates are found here by enumerating basic solutions
exactly, and every certificate is checked on its own.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass

import sympy as sp

from derive.claims import Claim
from derive.paper import Equation, Erratum, Figure, ItemList, Math, Paragraph, Part, TeX
from derive.papers.ep2.q7 import xor_data
from derive.rewrites import EXPAND_SUMS, Rewrite, RewriteContext
from derive.verdict import Counterexample, Method, Verdict

X1, X2 = sp.symbols("x_1 x_2", real=True)


@dataclass(frozen=True)
class LabelledSet:
    """Feature vectors (columns of equal length) with labels in {-1, +1}."""

    features: tuple[sp.Matrix, ...]
    labels: tuple[int, ...]

    def __post_init__(self) -> None:
        if len(self.features) != len(self.labels):
            raise ValueError(f"{len(self.features)} feature vectors but {len(self.labels)} labels; give one label per point")
        if not self.features:
            raise ValueError("the labelled set is empty; give at least one point")
        bad = [label for label in self.labels if label not in (-1, 1)]
        if bad:
            raise ValueError(f"labels must be -1 or +1, got {bad}")
        shapes = {vector.shape for vector in self.features}
        if len(shapes) != 1 or next(iter(shapes))[1] != 1:
            raise ValueError(f"feature vectors must be columns of one length, got shapes {sorted(shapes)}")

    def mapped(self, feature_map) -> LabelledSet:
        """Return the set with every feature vector z replaced by feature_map(z)."""
        return LabelledSet(tuple(feature_map(vector) for vector in self.features), self.labels)


def labelled(points: Sequence[Sequence[int]], labels: Sequence[int]) -> LabelledSet:
    """Return a labelled set from integer coordinates, one tuple per point."""
    return LabelledSet(tuple(sp.Matrix(point) for point in points), tuple(labels))


def xor_set() -> LabelledSet:
    """Return the four XOR points of answer 7 as a labelled set."""
    inputs, labels = xor_data()
    return LabelledSet(tuple(inputs[row, :].T for row in range(inputs.shape[0])), tuple(int(t) for t in labels))


def xor_feature_map(x: sp.Matrix) -> sp.Matrix:
    """Return phi(x) = (x_1, x_2, x_1 x_2)."""
    return sp.Matrix([x[0], x[1], x[0] * x[1]])


# --- certificates ---------------------------------------------------------------------------


def _is_exact_number(value: sp.Expr) -> bool:
    return bool(value.is_Rational)


def margin_verdict(data: LabelledSet, weights: sp.Matrix, bias: sp.Expr) -> Verdict:
    """Decide that the plane (weights, bias) separates `data` with every margin t_n (w^T z_n + b) >= 1.

    Margins must come out as exact rationals. A symbolic margin raises
    ValueError, because an inequality on it would need assumptions.
    """
    margins = []
    for index, (vector, label) in enumerate(zip(data.features, data.labels), start=1):
        margin = sp.expand(label * ((weights.T * vector)[0, 0] + bias))
        if not _is_exact_number(margin):
            raise ValueError(f"the margin of point {index} is {margin}, not an exact rational; give numeric features and weights")
        margins.append(margin)
        if margin < 1:
            return Verdict(
                Method.FALSE,
                f"point {index} has margin {margin} < 1",
                counterexample=Counterexample(point=(("n", str(index)),), obtained=f"t_n (w^T z_n + b) = {margin}", stated=">= 1"),
            )
    return Verdict(
        Method.PROVED,
        "every margin t_n (w^T z_n + b) is at least 1 in exact rational arithmetic (" + ", ".join(map(str, margins)) + ")",
    )


def certificate_verdict(data: LabelledSet, multipliers: Sequence[sp.Expr]) -> Verdict:
    """Decide that `multipliers` are a Farkas certificate that no plane separates `data`.

    The multipliers must be exact non-negative rationals. The feature vectors
    may be symbolic: the two sums are then expanded and must vanish
    identically, which proves the certificate for every value of the symbols.
    """
    if len(multipliers) != len(data.labels):
        raise ValueError(f"{len(multipliers)} multipliers for {len(data.labels)} points; give one per point")
    values = [sp.sympify(value) for value in multipliers]
    for index, value in enumerate(values, start=1):
        if not _is_exact_number(value):
            raise ValueError(f"multiplier {index} is {value}, not an exact rational number")

    def failed(detail: str, obtained: str, stated: str) -> Verdict:
        return Verdict(
            Method.FALSE,
            detail,
            counterexample=Counterexample(point=(("y", str(tuple(values))),), obtained=obtained, stated=stated),
        )

    for index, value in enumerate(values, start=1):
        if value < 0:
            return failed(f"multiplier {index} is negative", f"y_{index} = {value}", ">= 0")
    signed_sum = sp.zeros(*data.features[0].shape)
    for value, vector, label in zip(values, data.features, data.labels):
        signed_sum += value * label * vector
    signed_sum = signed_sum.applyfunc(sp.expand)
    if any(entry != 0 for entry in signed_sum):
        return failed("sum_n y_n t_n z_n is not the zero vector", str(list(signed_sum)), "0")
    label_sum = sum(value * label for value, label in zip(values, data.labels))
    if label_sum != 0:
        return failed("sum_n y_n t_n is not 0", str(label_sum), "0")
    total = sum(values)
    if total <= 0:
        return failed("the multipliers sum to 0, so they certify nothing", str(total), "> 0")
    kind = "identically in the feature symbols" if signed_sum.free_symbols or any(
        vector.free_symbols for vector in data.features
    ) else "in exact rational arithmetic"
    return Verdict(
        Method.PROVED,
        f"Farkas certificate y = {tuple(values)} checked {kind}: y >= 0, sum y_n t_n z_n = 0, "
        f"sum y_n t_n = 0 and sum y_n = {total} > 0",
    )


def infeasibility_certificate(data: LabelledSet) -> tuple[sp.Rational, ...] | None:
    """Return Farkas multipliers showing `data` is not linearly separable, or None if it is separable.

    The certificates with sum_n y_n = 1 form a polytope {y >= 0 : A y = e}.
    A non-empty polytope has a vertex, and a vertex is supported on linearly
    independent columns of A, so trying every such support and solving
    exactly finds a certificate whenever one exists. The cost is exponential
    in the number of points, which is fine for the handful used here.
    """
    symbolic = [index for index, vector in enumerate(data.features, start=1) if any(not entry.is_Rational for entry in vector)]
    if symbolic:
        raise ValueError(f"points {symbolic} have non-rational features; the certificate search needs exact numbers")
    count = len(data.labels)
    columns = [
        sp.Matrix([*(label * vector), label, 1]) for vector, label in zip(data.features, data.labels)
    ]
    system = sp.Matrix.hstack(*columns)
    target = sp.Matrix([0] * (system.rows - 1) + [1])
    for size in range(1, min(count, system.rank()) + 1):
        for support in itertools.combinations(range(count), size):
            restricted = system[:, list(support)]
            if restricted.rank() < size:
                continue
            try:
                solution, free = restricted.gauss_jordan_solve(target)
            except ValueError:
                continue  # this support admits no solution of A y = e
            if free.shape[0] or any(value < 0 for value in solution):
                continue
            multipliers = [sp.Integer(0)] * count
            for position, value in zip(support, solution):
                multipliers[position] = value
            return tuple(multipliers)
    return None


# --- feature maps that separate any consistently labelled set ------------------------------


def indicator_map(distinct_points: Sequence[sp.Matrix]):
    """Return the map x -> (1[x = p_1], ..., 1[x = p_M]) for the given distinct points p_m."""
    keys = [tuple(point) for point in distinct_points]
    if len(set(keys)) != len(keys):
        raise ValueError("the points of an indicator map must be distinct; remove repeated points first")

    def features(x: sp.Matrix) -> sp.Matrix:
        return sp.Matrix([1 if tuple(x) == key else 0 for key in keys])

    return features


def indicator_separation(data: LabelledSet) -> tuple[LabelledSet, sp.Matrix, sp.Integer]:
    """Return (mapped set, w, b) for the indicator features of the distinct inputs of `data`.

    w_m is the label of the m-th distinct input and b = 0, so w^T phi(x_n) = t_n.
    Raises ValueError when one input carries both labels, since then no map can separate the set.
    """
    label_of: dict[tuple, int] = {}
    for vector, label in zip(data.features, data.labels):
        key = tuple(vector)
        if label_of.setdefault(key, label) != label:
            raise ValueError(f"the input {key} has both labels, so no feature map can separate this set")
    distinct = [sp.Matrix(key) for key in label_of]
    weights = sp.Matrix(list(label_of.values()))
    return data.mapped(indicator_map(distinct)), weights, sp.Integer(0)


def distinct_projection(data: LabelledSet) -> sp.Matrix:
    """Return u = (1, c, c^2, ...) with the smallest positive integer c giving distinct projections u^T x_n.

    Distinct points always have such a c, because u^T (x_n - x_m) is a non-zero
    polynomial in c for each pair and has finitely many roots.
    """
    dimension = data.features[0].rows
    keys = {tuple(vector) for vector in data.features}
    if len(keys) != len(data.features):
        raise ValueError("the inputs repeat a point; distinct projections need distinct points")
    for c in itertools.count(1):
        direction = sp.Matrix([sp.Integer(c) ** power for power in range(dimension)])
        projections = [(direction.T * vector)[0, 0] for vector in data.features]
        if len(set(projections)) == len(projections):
            return direction


S = sp.Symbol("s", real=True)


def interpolating_polynomial(data: LabelledSet, direction: sp.Matrix) -> sp.Poly:
    """Return the Lagrange polynomial p of degree <= N - 1 with p(u^T x_n) = t_n."""
    projections = [(direction.T * vector)[0, 0] for vector in data.features]
    total = sp.Integer(0)
    for n, (s_n, label) in enumerate(zip(projections, data.labels)):
        basis = sp.Integer(1)
        for m, s_m in enumerate(projections):
            if m != n:
                basis *= (S - s_m) / (s_n - s_m)
        total += label * basis
    return sp.Poly(sp.expand(total), S)


def power_map(direction: sp.Matrix, degree: int):
    """Return x -> (s, s^2, ..., s^degree) with s = u^T x: polynomial features of one projection."""

    def features(x: sp.Matrix) -> sp.Matrix:
        s = (direction.T * x)[0, 0]
        return sp.Matrix([s**power for power in range(1, degree + 1)])

    return features


# --- counting polynomial features ----------------------------------------------------------


def monomials(dimension: int, degree: int) -> frozenset[sp.Expr]:
    """Return every monomial of total degree <= `degree` in x_1..x_dimension, built from exponent vectors."""
    variables = sp.symbols(f"x_1:{dimension + 1}", real=True) if dimension else ()
    result = set()
    for exponents in itertools.product(range(degree + 1), repeat=dimension):
        if sum(exponents) <= degree:
            result.add(sp.Mul(*[variable**power for variable, power in zip(variables, exponents)]))
    return frozenset(result)


def split_verdict(dimensions: Sequence[int], degrees: Sequence[int]) -> Verdict:
    """Check exhaustively that monomials(D, d) is the disjoint union of monomials(D-1, d) and x_D monomials(D, d-1)."""
    for dimension in dimensions:
        for degree in degrees:
            whole = monomials(dimension, degree)
            without_last = monomials(dimension - 1, degree)
            last = sp.Symbol(f"x_{dimension}", real=True)
            with_last = frozenset(sp.expand(last * monomial) for monomial in monomials(dimension, degree - 1))
            if without_last & with_last or (without_last | with_last) != whole:
                return Verdict(
                    Method.FALSE,
                    f"the split fails for D = {dimension}, d = {degree}",
                    counterexample=Counterexample(
                        point=(("D", str(dimension)), ("d", str(degree))),
                        obtained=f"{len(without_last)} + {len(with_last)} monomials",
                        stated=f"{len(whole)}",
                    ),
                )
    return Verdict(
        Method.PROVED,
        f"the monomial sets were built and compared exhaustively for D in {list(dimensions)}, d in {list(degrees)}",
    )


def _binomial_as_gamma(expr: sp.Expr, context: RewriteContext) -> sp.Expr:
    return sp.expand_func(expr.rewrite(sp.gamma))


# `expand_func` leaves binomial(D + d, d) unchanged in SymPy 1.14, so binomials are first
# written in gamma functions, whose integer shifts expand_func does pull out.
BINOMIAL_AS_GAMMA = Rewrite(
    "binomial_as_gamma",
    "binomial(n, k) = gamma(n + 1) / (gamma(k + 1) gamma(n - k + 1)) and gamma(z + 1) = z gamma(z); "
    "valid for integers n >= k >= 0 with the gamma arguments away from the poles",
    _binomial_as_gamma,
)

DIMENSION, DEGREE = sp.symbols("D d", integer=True, positive=True)
TABLE_DIMENSIONS = range(1, 6)
TABLE_DEGREES = range(0, 6)


def feature_count_table() -> sp.Matrix:
    """Return the counts len(monomials(D, d)) for D in 1..5 (rows) and d in 0..5 (columns)."""
    return sp.Matrix(
        len(TABLE_DIMENSIONS),
        len(TABLE_DEGREES),
        lambda row, column: len(monomials(TABLE_DIMENSIONS[row], TABLE_DEGREES[column])),
    )


def _table_figure(counts: sp.Matrix) -> Figure:
    """Return a TikZ grid of the checked feature counts: one row per D, one column per d."""
    column_step, row_step = 1.3, 0.6
    nodes = [rf"\node at (0, 0) {{$D \backslash d$}};"]
    for column, degree in enumerate(TABLE_DEGREES, start=1):
        nodes.append(rf"\node at ({column * column_step:g}, 0) {{${degree}$}};")
    for row, dimension in enumerate(TABLE_DIMENSIONS, start=1):
        nodes.append(rf"\node at (0, {-row * row_step:g}) {{${dimension}$}};")
        for column in range(1, counts.cols + 1):
            value = counts[row - 1, column - 1]
            nodes.append(rf"\node at ({column * column_step:g}, {-row * row_step:g}) {{${value}$}};")
    width = counts.cols * column_step + 0.5
    rules = [
        rf"\draw (-0.6, {-row_step / 2:g}) -- ({width:g}, {-row_step / 2:g});",
        rf"\draw ({column_step / 2:g}, 0.3) -- ({column_step / 2:g}, {-(counts.rows + 0.5) * row_step:g});",
    ]
    source = "\n".join([r"\begin{tikzpicture}", *nodes, *rules, r"\end{tikzpicture}"])
    return Figure(
        source,
        "Number of polynomial features of total degree at most d in D inputs, constant included: "
        "the monomials were constructed and counted, and each count equals binomial(D + d, d).",
    )


# --- the example sets -----------------------------------------------------------------------


def ring_set() -> LabelledSet:
    """Return six distinct points, two inside a ring of four, that no line separates."""
    return labelled(
        [(0, 0), (1, 0), (2, 0), (0, 2), (-2, 0), (0, -2)],
        [1, 1, -1, -1, -1, -1],
    )


def repeated_same_label_set() -> LabelledSet:
    """Return the XOR points with (1, 1) listed twice, both times with label +1."""
    xor = xor_set()
    return LabelledSet(xor.features + (xor.features[0],), xor.labels + (1,))


def conflicting_set() -> LabelledSet:
    """Return the XOR points with (1, 1) listed a second time with the label -1."""
    xor = xor_set()
    return LabelledSet(xor.features + (xor.features[0],), xor.labels + (-1,))


def conflicting_features() -> LabelledSet:
    """Return two points with one symbolic feature coordinate phi_j and labels +1, -1.

    Any map sends the two copies of one input to the same vector, so the
    Farkas conditions can be checked one coordinate at a time. One symbolic
    coordinate therefore stands for every coordinate of every map.
    """
    coordinate = sp.Symbol("phi_j", real=True)
    return LabelledSet((sp.Matrix([coordinate]), sp.Matrix([coordinate])), (1, -1))


# --- the part -------------------------------------------------------------------------------


XOR_PLANE_WEIGHTS = sp.Matrix([0, 0, 1])
XOR_PLANE_BIAS = sp.Integer(0)


def _certificate_claim(claim_id: str, statement: str, data: LabelledSet) -> tuple[Claim, tuple | None]:
    certificate = infeasibility_certificate(data)

    def decide(settings) -> Verdict:
        if certificate is None:
            return Verdict(Method.FALSE, "no Farkas certificate exists: the set is linearly separable")
        return certificate_verdict(data, certificate)

    return Claim(id=claim_id, statement=statement, decide_with=decide), certificate


def _claims() -> tuple[list[Claim], dict]:
    xor = xor_set()
    facts: dict = {}
    claims: list[Claim] = []

    claim, facts["xor_certificate"] = _certificate_claim(
        "6/xor-not-separable", "no (w, b) gives t_n (w^T x_n + b) >= 1 on the XOR points (Farkas certificate)", xor
    )
    claims.append(claim)
    mapped_xor = xor.mapped(xor_feature_map)
    claims.append(
        Claim(
            id="6/xor-separable-after-map",
            statement="after phi(x) = (x_1, x_2, x_1 x_2) the plane w = (0, 0, 1), b = 0 has every margin >= 1",
            decide_with=lambda settings: margin_verdict(mapped_xor, XOR_PLANE_WEIGHTS, XOR_PLANE_BIAS),
        )
    )
    claims.append(
        Claim(
            id="6/xor-plane-in-input-space",
            statement="the plane w^T phi(x) + b = 0 is x_1 x_2 = 0 in the input space",
            obtained=(XOR_PLANE_WEIGHTS.T * xor_feature_map(sp.Matrix([X1, X2])))[0, 0] + XOR_PLANE_BIAS,
            stated=X1 * X2,
        )
    )

    ring = ring_set()
    claim, facts["ring_certificate"] = _certificate_claim(
        "6/ring-not-separable", "no line separates the two inner points from the ring of four", ring
    )
    claims.append(claim)
    for name, data in (("ring", ring), ("repeated-same-label", repeated_same_label_set())):
        mapped, weights, bias = indicator_separation(data)
        claims.append(
            Claim(
                id=f"6/indicator-separates-{name}",
                statement=f"indicator features of the distinct inputs with w = labels, b = 0 separate the {name} set",
                decide_with=lambda settings, mapped=mapped, weights=weights, bias=bias: margin_verdict(mapped, weights, bias),
            )
        )

    n, m = sp.symbols("n m", integer=True, positive=True)
    size = sp.Symbol("N", integer=True, positive=True)
    labels = sp.IndexedBase("t")
    claims.append(
        Claim(
            id="6/indicator-output-any-N",
            statement="for N distinct inputs, w^T phi(x_n) = sum_m t_m delta_mn = t_n, for every n in 1..N",
            obtained=sp.Sum(labels[m] * sp.KroneckerDelta(m, n), (m, 1, size)),
            stated=labels[n],
            index_ranges={n: (sp.Integer(1), size)},
            rewrites=(EXPAND_SUMS,),
        )
    )

    direction = distinct_projection(ring)
    polynomial = interpolating_polynomial(ring, direction)
    degree = len(ring.labels) - 1
    coefficients = [polynomial.coeff_monomial(S**power) for power in range(degree + 1)]
    facts.update(direction=direction, polynomial=polynomial)
    claims.append(
        Claim(
            id="6/interpolation-values",
            statement="the Lagrange polynomial p takes the value t_n at s_n = u^T x_n for the ring set",
            obtained=sp.Matrix([polynomial.eval((direction.T * vector)[0, 0]) for vector in ring.features]),
            stated=sp.Matrix(ring.labels),
        )
    )
    powered = ring.mapped(power_map(direction, degree))
    claims.append(
        Claim(
            id="6/interpolation-separates-ring",
            statement=f"the features (s, ..., s^{degree}) of s = u^T x separate the ring set with w and b from p",
            decide_with=lambda settings: margin_verdict(powered, sp.Matrix(coefficients[1:]), coefficients[0]),
        )
    )

    conflicting = conflicting_set()
    pair = _pair(conflicting)
    facts["pair"] = pair
    claims.append(
        Claim(
            id="6/conflicting-pair-certificate",
            statement="the XOR set with (1, 1) also labelled -1: multipliers 1 on the two copies of (1, 1) are a Farkas certificate",
            decide_with=lambda settings: certificate_verdict(conflicting, pair),
        )
    )
    symbolic = conflicting_features()
    claims.append(
        Claim(
            id="6/conflicting-labels-any-map",
            statement="two copies of one input with labels +1 and -1 defeat every feature map: y = (1, 1) is a certificate "
            "for any feature coordinate phi_j",
            decide_with=lambda settings: certificate_verdict(symbolic, [1, 1]),
        )
    )

    counts = feature_count_table()
    facts["counts"] = counts
    claims.append(
        Claim(
            id="6/feature-count-table",
            statement="the number of monomials of degree <= d in D inputs is binomial(D + d, d), D in 1..5, d in 0..5",
            obtained=counts,
            stated=sp.Matrix(
                len(TABLE_DIMENSIONS),
                len(TABLE_DEGREES),
                lambda row, column: sp.binomial(TABLE_DIMENSIONS[row] + TABLE_DEGREES[column], TABLE_DEGREES[column]),
            ),
        )
    )
    claims.append(
        Claim(
            id="6/monomial-split",
            statement="monomials(D, d) = monomials(D-1, d) disjoint-union x_D monomials(D, d-1), for D, d in 1..4",
            decide_with=lambda settings: split_verdict(range(1, 5), range(1, 5)),
        )
    )
    claims.append(
        Claim(
            id="6/pascal-rule",
            statement="binomial(D + d, d) = binomial(D - 1 + d, d) + binomial(D + d - 1, d - 1) for positive integers D, d",
            obtained=sp.binomial(DIMENSION + DEGREE, DEGREE),
            stated=sp.binomial(DIMENSION - 1 + DEGREE, DEGREE) + sp.binomial(DIMENSION + DEGREE - 1, DEGREE - 1),
            assumptions=("D and d are positive integers",),
            rewrites=(BINOMIAL_AS_GAMMA,),
        )
    )
    claims.append(
        Claim(
            id="6/count-boundaries",
            statement="binomial(0 + d, d) = 1 and binomial(D + 0, 0) = 1: only the constant when D = 0 or d = 0",
            obtained=sp.Matrix([sp.binomial(DEGREE, DEGREE), sp.binomial(DIMENSION, 0)]),
            stated=sp.Matrix([len(monomials(0, 3)), len(monomials(3, 0))]),
        )
    )
    return claims, facts


def _pair(data: LabelledSet) -> list[int]:
    """Return the multipliers 1 on the first two points that repeat one input with different labels, 0 elsewhere."""
    keys = [tuple(vector) for vector in data.features]
    for first, second in itertools.combinations(range(len(keys)), 2):
        if keys[first] == keys[second] and data.labels[first] != data.labels[second]:
            return [1 if index in (first, second) else 0 for index in range(len(keys))]
    raise ValueError("no input carries two labels, so there is no conflicting pair")


def _body(facts: dict) -> list:
    xor = xor_set()
    ring = ring_set()
    x = sp.Matrix([X1, X2])
    certificate = sp.Matrix(facts["xor_certificate"]).T
    ring_certificate = sp.Matrix(facts["ring_certificate"]).T
    direction = facts["direction"]
    return [
        Paragraph(
            "A linear classifier labels x by the sign of ",
            TeX(r"\boldsymbol{w}^{\mathsf{T}}\boldsymbol{x} + b"),
            ", so its decision boundary is a hyperplane. A fixed non-linear map ",
            TeX(r"\boldsymbol{\phi}"),
            " applied first keeps the classifier linear in the parameters while the boundary ",
            TeX(r"\boldsymbol{w}^{\mathsf{T}}\boldsymbol{\phi}(\boldsymbol{x}) + b = 0"),
            " becomes curved in the input space.",
        ),
        Paragraph(
            "The XOR points, labelled ",
            Math(sp.Matrix(xor.labels).T),
            " at the columns of ",
            Math(sp.Matrix.hstack(*xor.features)),
            ", cannot be separated by a line. Multiplying the four constraints ",
            TeX(r"t_n(\boldsymbol{w}^{\mathsf{T}}\boldsymbol{x}_n + b) \ge 1"),
            " by the non-negative weights ",
            Math(certificate),
            " and adding them makes the left side vanish for every w and b, because the weighted sums of ",
            TeX(r"t_n\boldsymbol{x}_n"),
            " and of ",
            TeX(r"t_n"),
            " are zero, while the right side is positive: 0 would have to be at least "
            f"{sum(facts['xor_certificate'])}. This is Farkas' lemma, and the certificate is checked in exact arithmetic.",
        ),
        Paragraph("With the product of the inputs as an extra feature,"),
        Equation(TeX(r"\boldsymbol{\phi}(\boldsymbol{x})"), xor_feature_map(x)),
        Paragraph(
            "the plane with ",
            Math(sp.Eq(sp.MatrixSymbol("w", 3, 1), XOR_PLANE_WEIGHTS, evaluate=False)),
            " and b = 0 gives every point margin exactly 1. In the input space its boundary is ",
            Math(sp.Eq((XOR_PLANE_WEIGHTS.T * xor_feature_map(x))[0, 0] + XOR_PLANE_BIAS, 0)),
            ", the two coordinate axes.",
        ),
        Paragraph(
            "The same holds for any finite set in which no input carries two labels. Take one indicator feature "
            "per distinct input, ",
            TeX(r"\phi_m(\boldsymbol{x}) = 1"),
            " if x equals the m-th distinct input and 0 otherwise, weights equal to the labels and b = 0. "
            "Then ",
            TeX(r"\boldsymbol{w}^{\mathsf{T}}\boldsymbol{\phi}(\boldsymbol{x}_n) = \sum_m t_m \delta_{mn} = t_n"),
            ", so every margin is 1. The sheet checks this for N distinct inputs in index notation, and on the "
            "six points of a ring example, which no line separates (certificate ",
            Math(ring_certificate),
            "). Repeating a point with the same label changes nothing.",
        ),
        Paragraph(
            "A polynomial map works too. Projected onto ",
            Math(direction.T),
            ", the six ring points have distinct coordinates s, and the Lagrange polynomial through the points ",
            TeX(r"(s_n, t_n)"),
            " is",
        ),
        Equation(TeX("p(s)"), facts["polynomial"].as_expr()),
        Paragraph(
            "Its coefficients are the weights and bias of a plane in the features ",
            TeX(r"(s, s^2, \dots, s^{5})"),
            " that meets every label exactly.",
        ),
        Paragraph(
            "The one real obstruction is an input that appears with both labels. Any map sends the two copies to "
            "the same feature vector, so their constraints demand ",
            TeX(r"\boldsymbol{w}^{\mathsf{T}}\boldsymbol{\phi} + b \ge 1"),
            " and ",
            TeX(r"-(\boldsymbol{w}^{\mathsf{T}}\boldsymbol{\phi} + b) \ge 1"),
            " at once; weight 1 on each is a certificate whatever ",
            TeX(r"\boldsymbol{\phi}"),
            " is.",
        ),
        Paragraph(
            "The price is the number of weights. Polynomial features of total degree at most d in D inputs, "
            "constant included, number ",
            Math(sp.binomial(DIMENSION + DEGREE, DEGREE)),
            ". The monomials without ",
            TeX(r"x_D"),
            " are those in D - 1 inputs, and those with it are ",
            TeX(r"x_D"),
            " times a monomial of degree at most d - 1, so the count obeys Pascal's rule",
        ),
        Equation(
            Math(sp.binomial(DIMENSION + DEGREE, DEGREE)),
            sp.binomial(DIMENSION - 1 + DEGREE, DEGREE) + sp.binomial(DIMENSION + DEGREE - 1, DEGREE - 1),
        ),
        Paragraph(
            "with the value 1 when D = 0 or d = 0, which fixes it as the binomial coefficient. "
            "For fixed d the count grows like ",
            TeX(r"D^d / d!"),
            ":",
        ),
        _table_figure(facts["counts"]),
    ]


def build() -> list[Part]:
    claims, facts = _claims()
    erratum = Erratum(
        question="6",
        reference_says="a mapping will exist if the points have distinct labels (no point has several class labels)",
        what_holds=(
            "a feature map that makes a finite labelled set linearly separable exists if and only if no input "
            "occurs with both labels; different inputs may share a label, and a repeated input with one label is harmless"
        ),
        why=(
            "indicator features of the distinct inputs with w = labels and b = 0 give every margin 1, while two "
            "copies of one input labelled +1 and -1 map to one feature vector, and weight 1 on each of their "
            "constraints is a Farkas certificate for every map"
        ),
    )
    return [Part(id="6", title="Non-linear feature maps", body=_body(facts), claims=claims, errata=[erratum])]
