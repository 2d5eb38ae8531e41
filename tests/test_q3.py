"""Answer 3: the gate, one GRU cell in both reset placements, a two-layer stack, and wrong forms to reject."""

from __future__ import annotations

import pytest
import sympy as sp

from derive.calculus import jacobian, vector
from derive.claims import Claim
from derive.functions import sigmoid
from derive.latex import to_latex
from derive.limits import limit_claim
from derive.papers.ep2 import q3
from derive.registry import get_paper, select_parts
from derive.show import show_parts
from derive.verdict import Method

# SymPy's limit takes 1 to 3 s on each slope entry of ∂a/∂h_{t-1}. One entry per reset
# placement is checked in test_reset_slope_limit_holds, and all of them by `derive check 3b`.
SLOW_CLAIMS = {
    f"3b/reset-closes-{reset}-slope{row}{column}" for reset in q3.RESET_PLACEMENTS for row in (1, 2) for column in (1, 2)
}


@pytest.fixture(scope="module")
def parts():
    return {part.id: (answer, part) for answer, part in select_parts(get_paper("ep2"), ["3"])}


@pytest.fixture(scope="module")
def results(parts):
    checked = []
    for _, part in parts.values():
        fast = [claim for claim in part.all_claims() if claim.id not in SLOW_CLAIMS]
        checked += [(part.id, claim, claim.check()) for claim in fast]
    return checked


@pytest.mark.parametrize("part_id", ["3a", "3b", "3c"])
def test_every_claim_of_part_holds(results, part_id: str) -> None:
    own = [(claim, verdict) for owner, claim, verdict in results if owner == part_id]
    assert own, f"part {part_id} has no claims"
    failing = [f"{claim.id}: {verdict.detail}" for claim, verdict in own if not verdict.holds]
    assert not failing, "\n".join(failing)


def test_every_claim_proved(results) -> None:
    weak = [claim.id for _, claim, verdict in results if verdict.method is not Method.PROVED]
    assert weak == []


@pytest.mark.parametrize("claim_id", ["3b/reset-closes-before-slope11", "3b/reset-closes-after-slope12"])
def test_reset_slope_limit_holds(parts, claim_id: str) -> None:
    _, part = parts["3b"]
    claim = next(claim for claim in part.claims if claim.id == claim_id)
    assert claim.check().method is Method.PROVED


def test_part_ids_in_order(parts) -> None:
    assert list(parts) == ["3a", "3b", "3c"]


# --- 3(a): the gate ------------------------------------------------------------------------------------

s = q3.s


@pytest.mark.parametrize(
    ("name", "wrong"),
    [("plus", sigmoid(s) * (1 + sigmoid(s))), ("square", sigmoid(s) ** 2), ("one-minus", 1 - sigmoid(s))],
)
def test_wrong_sigmoid_derivative_rejected(name: str, wrong: sp.Expr) -> None:
    claim = Claim(
        id=f"3a/wrong-{name}",
        statement=name,
        obtained=sp.diff(1 / (1 + sp.exp(-s)), s),
        stated=wrong,
        rewrites=(q3.SIGMOID_AS_EXP,),
    )
    assert claim.check().method is Method.FALSE


@pytest.mark.parametrize(
    ("name", "expr"), [("sigmoid-minus-half", sigmoid(s) - sp.Rational(1, 2)), ("tanh", sp.tanh(s))]
)
def test_positivity_rejects_signed(name: str, expr: sp.Expr) -> None:
    claim = q3.positivity_claim(f"3a/wrong-{name}", name, expr)
    verdict = claim.check()
    assert verdict.method is Method.FALSE
    assert verdict.detail.startswith("with every symbol at -20")


def test_sigmoid_limit_rejects_half() -> None:
    claim = limit_claim("3a/wrong-limit", "phi -> 1/2", sigmoid(s), s, sp.oo, sp.Rational(1, 2))
    assert claim.check().method is Method.FALSE


def test_gate_jacobian_rejects_untransposed() -> None:
    gate, values = q3._gate_explicit(2, 3)
    wrong = sp.MatMul(q3.W_rec, q3.Diag(sp.HadamardProduct(q3.g, sp.OneMatrix(q3.n, 1) - q3.g)))
    claim = Claim(
        id="3a/wrong-gate-jacobian",
        statement="W^r without the transpose",
        obtained=jacobian(gate, values["h_{t-1}"], layout="denominator"),
        stated=q3.instantiate(wrong, q3.n, 3, {**values, "g": gate}),
    )
    assert claim.check().method is Method.FALSE


# --- 3(b): the cell ------------------------------------------------------------------------------------


@pytest.mark.parametrize("reset", q3.RESET_PLACEMENTS)
def test_swapped_convention_rejected(reset: str) -> None:
    cell = q3.explicit_cell(2, 2, reset)
    update, candidate = cell.stages.update, cell.stages.candidate
    claim = Claim(
        id=f"3b/wrong-convention-{reset}",
        statement="u weights the candidate",
        obtained=cell.stages.state,
        stated=update.multiply_elementwise(candidate) + (sp.ones(2, 1) - update).multiply_elementwise(cell.h),
    )
    assert claim.check().method is Method.FALSE


def test_reset_placements_differ() -> None:
    before = q3.explicit_cell(2, 2, "before")
    after = q3.explicit_cell(2, 2, "after")
    # With c_h = 0 the placements still differ: U_h (r ⊙ h) is not r ⊙ (U_h h).
    after_state = after.stages.state.xreplace({entry: 0 for entry in after.params.c_h})
    claim = Claim(id="3b/placements", statement="placements agree", obtained=before.stages.state, stated=after_state)
    assert claim.check().method is Method.FALSE


def _wrong_jacobian(reset: str, name: str) -> sp.MatrixExpr:
    form = q3.JACOBIAN_FORMS[reset]
    direct, update_path, candidate_path = form.args
    u = q3.NAMES.update
    if name == "one-minus-u":
        return sp.MatAdd(q3.Diag(sp.OneMatrix(q3.n, 1) - u), update_path, candidate_path)
    if name == "no-update-path":
        return sp.MatAdd(direct, candidate_path)
    if name == "transposed":
        return sp.Transpose(form)
    raise ValueError(f"unknown wrong form {name!r}")


@pytest.mark.parametrize(
    ("reset", "name"),
    [("before", "one-minus-u"), ("before", "no-update-path"), ("before", "transposed"), ("after", "one-minus-u")],
)
def test_wrong_jacobian_rejected(reset: str, name: str) -> None:
    cell = q3.explicit_cell(2, 2, reset)
    claim = Claim(
        id=f"3b/wrong-jacobian-{reset}-{name}",
        statement=name,
        obtained=jacobian(cell.stages.state, cell.h, layout="denominator"),
        stated=cell.at(_wrong_jacobian(reset, name)),
    )
    assert claim.check().method is Method.FALSE


def test_jacobian_starts_with_diag_update() -> None:
    for reset in q3.RESET_PLACEMENTS:
        assert q3.JACOBIAN_FORMS[reset].args[0] == q3.Diag(q3.NAMES.update)


def test_update_limit_rejects_candidate() -> None:
    cell = q3.explicit_cell(2, 2, "before")
    frozen = q3.freeze_activation(cell.stages.state)
    candidate = q3.freeze_activation(cell.stages.candidate)
    claim = limit_claim("3b/wrong-copy", "copies the candidate", frozen[0], cell.params.b_u[0], sp.oo, candidate[0])
    assert claim.check().method is Method.FALSE


def test_softmax_sum_rejects_two() -> None:
    outputs = q3.softmax(vector("z", 3))
    claim = Claim(id="3b/wrong-softmax", statement="sums to 2", obtained=sum(outputs), stated=sp.Integer(2))
    assert claim.check().method is Method.FALSE


def test_invalid_reset_placement_raises() -> None:
    params = q3.GRUParameters.explicit(2, 2)
    with pytest.raises(ValueError, match=r"^reset must be 'before' .* got 'middle'$"):
        q3.gru_cell(vector("x", 2), vector("h", 2), params, reset="middle")


def test_gru_cell_with_tanh_is_numeric() -> None:
    params = q3.GRUParameters.explicit(2, 2, candidate_bias=True)
    state = q3.gru_cell(vector("x", 2), vector("h", 2), params, reset="after", activation=sp.tanh)
    values = {symbol: sp.Rational(1, 10) for symbol in state.free_symbols}
    assert all(entry.xreplace(values).evalf().is_number for entry in state)
    assert not state.has(q3.f)


def test_equations_print_one_name_per_gate() -> None:
    printed = " ".join(
        to_latex(value)
        for value in (q3.EQUATIONS["before"].reset, q3.EQUATIONS["before"].update, q3.EQUATIONS["before"].state)
    )
    assert r"\mathbf{W}_{r}" in printed
    assert r"\mathbf{W}_{u}" in printed
    assert "i_" not in printed


def test_show_prints_readable_jacobian(parts) -> None:
    text = show_parts([parts["3b"]])
    assert "diag(uₜ)" in text
    assert "DiagMatrix" not in text
    assert "Lambda(" not in text


# --- 3(c): the stack ------------------------------------------------------------------------------------


def _input_weights_only(stack: q3.ExplicitStack) -> dict[sp.Symbol, int]:
    """Return zeros for every parameter except the input weights W_*, and for both previous states.

    The reversed product is still wrong there, and confirming a counterexample on the full
    nested expression costs the engine tens of seconds of 100-digit evaluation.
    """
    zeros: dict[sp.Symbol, int] = {}
    for params in stack.params:
        for name, value in params.by_name().items():
            if not name.startswith("W_"):
                zeros.update({entry: 0 for entry in value})
    for previous in (stack.first_previous, stack.second_previous):
        zeros.update({entry: 0 for entry in previous})
    return zeros


def test_chain_rule_rejects_reversed_order() -> None:
    stack = q3.explicit_stack()
    zeros = _input_weights_only(stack)
    first, second = stack.first.xreplace(zeros), stack.second.xreplace(zeros)
    second_of_free_input = stack.second_of_free_input.xreplace(zeros)
    at_first = dict(zip(stack.free_input, first))
    second_by_input = jacobian(second_of_free_input, stack.free_input, layout="denominator").xreplace(at_first)
    first_by_input = jacobian(first, stack.x, layout="denominator")
    obtained = jacobian(second, stack.x, layout="denominator")

    right = Claim(id="3c/chain-small", statement="order", obtained=obtained, stated=first_by_input * second_by_input)
    reversed_order = Claim(
        id="3c/wrong-chain", statement="numerator-layout order", obtained=obtained, stated=second_by_input * first_by_input
    )
    assert right.check().method is Method.PROVED
    assert reversed_order.check().method is Method.FALSE


def test_dependence_claim_rejects_input_wiring() -> None:
    stack = q3.explicit_stack()
    wired_to_input = q3.gru_cell(stack.x, stack.second_previous, stack.params[1])
    claim = q3.depends_only_through_claim("3c/wrong-wiring", "x feeds layer 2", wired_to_input, stack.x)
    verdict = claim.check()
    assert verdict.method is Method.FALSE
    assert verdict.detail.startswith("the expression contains x_{1}")


def test_stack_layers_have_own_parameters() -> None:
    first, second = q3.explicit_stack().params
    assert first.W_r[0, 0] != second.W_r[0, 0]


# --- wrong stated forms of the part's own claims -----------------------------------------------------------


def _claim(parts, claim_id: str) -> Claim:
    part_id = claim_id.split("/")[0]
    _, part = parts[part_id]
    return next(claim for claim in part.all_claims() if claim.id == claim_id)


def _candidate_pre_with_state() -> sp.Expr:
    cell = q3.explicit_cell(2, 2, "before")
    return (cell.params.W_h * cell.x + cell.params.U_h * cell.h + cell.params.b_h)[0]


WRONG_STATED = {
    "3a/exp-form": lambda: 1 / (1 + sp.exp(s)),
    "3a/complement": lambda: sp.exp(s) / (1 + sp.exp(s)),
    "3a/limit-minus": lambda: sp.Integer(-1),
    "3a/elementwise-d2-n2": lambda: q3._gate_explicit(2, 2)[0].applyfunc(lambda entry: 1 - entry),
    "3b/equations-after-d2-n2": lambda: q3.explicit_cell(2, 2, "before").stages.state,
    "3b/convex-before-d2-n2": lambda: q3.explicit_cell(2, 2, "before").stages.candidate,
    "3b/reset-closes-before-entry1": _candidate_pre_with_state,
    "3b/softmax-sums-to-one": lambda: sp.Integer(3),
}


@pytest.mark.parametrize("claim_id", sorted(WRONG_STATED))
def test_restated_wrong_form_rejected(parts, claim_id: str) -> None:
    restated = _claim(parts, claim_id).restate(WRONG_STATED[claim_id]())
    assert restated is not None
    assert restated.check().method is Method.FALSE
