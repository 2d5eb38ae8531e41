"""Answer 3 against ``torch.nn.GRUCell``: one GRU step, with both placements of the reset gate.

PyTorch 2.13's GRUCell (gates ordered r, z, n in ``weight_ih`` and ``weight_hh``) computes

    r = sigmoid(W_ir x + b_ir + W_hr h + b_hr)
    z = sigmoid(W_iz x + b_iz + W_hz h + b_hz)
    n = tanh(W_in x + b_in + r ⊙ (W_hn h + b_hn))
    h' = (1 - z) ⊙ n + z ⊙ h

so the reset gate multiplies the recurrent product after the matrix product, and
z weights the old state. The sheet's gates are r (reset), u (update, torch's z)
and the candidate h̃ (torch's n), with h_t = u ⊙ h_{t-1} + (1 - u) ⊙ h̃_t.
"""

from __future__ import annotations

import copy

import numpy as np
import sympy as sp

from derive.calculus import vector
from derive.crosscheck.core import Comparison
from derive.crosscheck.numeric import compare, evaluator
from derive.papers.ep2 import q3

# (input size d, hidden size n) of the cells compared.
SIZES = ((2, 3), (3, 2))
POINTS = 5
TOLERANCE = 1e-12
# A wrong convention must change the state by more than this, far above rounding error.
CONVENTION_GAP = 1e-3


def sheet_parameters_from_torch(cell) -> dict[str, np.ndarray]:
    """Map the parameters of a ``torch.nn.GRUCell`` to the sheet's names, as float64 arrays.

    The sheet has one bias per gate, so torch's two biases of the reset and update
    gates add up. The candidate keeps them apart, because torch's b_hn sits inside
    the reset product: b_h = b_in and c_h = b_hn.
    """
    size = cell.hidden_size
    rows = {"r": slice(0, size), "u": slice(size, 2 * size), "h": slice(2 * size, 3 * size)}
    weight_ih = cell.weight_ih.detach().numpy()
    weight_hh = cell.weight_hh.detach().numpy()
    bias_ih = cell.bias_ih.detach().numpy()
    bias_hh = cell.bias_hh.detach().numpy()
    return {
        "W_r": weight_ih[rows["r"]], "U_r": weight_hh[rows["r"]], "b_r": bias_ih[rows["r"]] + bias_hh[rows["r"]],
        "W_u": weight_ih[rows["u"]], "U_u": weight_hh[rows["u"]], "b_u": bias_ih[rows["u"]] + bias_hh[rows["u"]],
        "W_h": weight_ih[rows["h"]], "U_h": weight_hh[rows["h"]], "b_h": bias_ih[rows["h"]],
        "c_h": bias_hh[rows["h"]],
    }


def _random_cell(rng: np.random.Generator, input_size: int, hidden_size: int):
    """Return a float64 GRUCell whose parameters are standard normal draws from `rng`."""
    import torch

    cell = torch.nn.GRUCell(input_size, hidden_size, bias=True, dtype=torch.float64)
    with torch.no_grad():
        for parameter in cell.parameters():
            parameter.copy_(torch.from_numpy(rng.standard_normal(tuple(parameter.shape))))
    return cell


def gru_cell(rng: np.random.Generator) -> list[Comparison]:
    """Compare the sheet's GRU step with torch.nn.GRUCell for both reset placements and both update conventions."""
    import torch

    pairs: dict[str, list] = {"after": [], "before": [], "swapped-update": []}
    for input_size, hidden_size in SIZES:
        params = q3.GRUParameters.explicit(input_size, hidden_size, candidate_bias=True)
        names = list(params.by_name())
        inputs, state = vector("x", input_size), vector("h", hidden_size)
        symbols = [*inputs, *state, *(symbol for name in names for symbol in params.by_name()[name])]

        stages = q3.gru_stages(inputs, state, params, reset="after", activation=sp.tanh)
        ones = sp.ones(hidden_size, 1)
        swapped = (ones - stages.update).multiply_elementwise(state) + stages.update.multiply_elementwise(stages.candidate)
        models = {
            "after": evaluator(q3.gru_cell(inputs, state, params, reset="after", activation=sp.tanh), symbols),
            "before": evaluator(q3.gru_cell(inputs, state, params, reset="before", activation=sp.tanh), symbols),
            "swapped-update": evaluator(swapped, symbols),
        }
        for _ in range(POINTS):
            cell = _random_cell(rng, input_size, hidden_size)
            x_value = rng.standard_normal(input_size)
            h_value = rng.standard_normal(hidden_size)
            weights = sheet_parameters_from_torch(cell)
            values = np.concatenate([x_value, h_value, *(weights[name].ravel() for name in names)])
            with torch.no_grad():
                library_state = cell(torch.from_numpy(x_value)[None, :], torch.from_numpy(h_value)[None, :])
            expected = library_state.numpy().reshape(-1, 1)
            pairs["after"].append((models["after"](values), expected))
            pairs["swapped-update"].append((models["swapped-update"](values), expected))

            # Zeroing b_hn = c_h leaves the reset placement as the only difference between the two forms.
            unbiased = copy.deepcopy(cell)
            with torch.no_grad():
                unbiased.bias_hh[2 * hidden_size :] = 0.0
                unbiased_state = unbiased(torch.from_numpy(x_value)[None, :], torch.from_numpy(h_value)[None, :])
            unbiased_weights = sheet_parameters_from_torch(unbiased)
            unbiased_values = np.concatenate([x_value, h_value, *(unbiased_weights[name].ravel() for name in names)])
            pairs["before"].append((models["before"](unbiased_values), unbiased_state.numpy().reshape(-1, 1)))

    library = f"torch {torch.__version__} nn.GRUCell"
    sizes = ", ".join(f"({input_size}, {hidden_size})" for input_size, hidden_size in SIZES)
    return [
        compare(
            "after",
            f"h_t, reset after the product: tanh(W_h x + b_h + r ⊙ (U_h h + c_h)) ((d, n) = {sizes})",
            library,
            pairs["after"],
            TOLERANCE,
        ),
        compare(
            "before",
            f"h_t, the sheet's reset before the product: tanh(W_h x + U_h (r ⊙ h) + b_h), c_h = 0 ((d, n) = {sizes})",
            library,
            pairs["before"],
            CONVENTION_GAP,
            expect_agreement=False,
        ),
        compare(
            "swapped-update",
            f"h_t = (1 - u) ⊙ h + u ⊙ candidate, u weighting the new state ((d, n) = {sizes})",
            library,
            pairs["swapped-update"],
            CONVENTION_GAP,
            expect_agreement=False,
        ),
    ]
