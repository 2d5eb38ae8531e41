"""Answer 9 against torch autograd: the Gaussian-mixture log-likelihood and its derivatives in the means.

The log-likelihood log p(X) = sum_t log sum_m c_m N(x_t; mu_m, sigma_m^2) is written
with torch operations and differentiated by ``torch.autograd.functional.jacobian``
(first order) and ``hessian`` (second order) in mu. Its value is also compared with
``torch.distributions.MixtureSameFamily``, which normalises the weights, so the
weights are drawn to sum to 1. Both the sheet and ``torch.distributions.Normal``
parametrise a component by its standard deviation sigma, not its variance.
"""

from __future__ import annotations

import numpy as np

from derive.crosscheck.core import Comparison
from derive.crosscheck.numeric import compare, evaluator
from derive.papers.ep2 import q9

# (components M, observations T) of the explicit mixtures compared.
SIZES = ((2, 2), (3, 3))
POINTS = 5
TOLERANCE = 1e-10
# Doubling every weight adds T log 2 to the sheet's log p(X) but not to torch's, which normalises them.
UNNORMALISED_GAP = 1e-3


def _symbols(components: int, observations: int) -> list:
    symbols = q9.mixture_symbols(components, observations)
    return [*symbols.x, *symbols.c, *symbols.mu, *symbols.sigma]


def _sample(rng: np.random.Generator, components: int, observations: int) -> dict[str, np.ndarray]:
    """Draw a mixture and observations: weights summing to 1, sigma in [0.5, 2], x spread over the means."""
    return {
        "x": rng.normal(0.0, 2.0, observations),
        "c": rng.dirichlet(np.ones(components)),
        "mu": rng.normal(0.0, 1.5, components),
        "sigma": rng.uniform(0.5, 2.0, components),
    }


def _values(sample: dict[str, np.ndarray]) -> np.ndarray:
    return np.concatenate([sample["x"], sample["c"], sample["mu"], sample["sigma"]])


def _torch_log_likelihood(sample: dict[str, np.ndarray]):
    """Return log p(X) as a function of the means, written with torch operations."""
    import math

    import torch

    x = torch.tensor(sample["x"], dtype=torch.float64).unsqueeze(1)
    weights = torch.tensor(sample["c"], dtype=torch.float64)
    sigma = torch.tensor(sample["sigma"], dtype=torch.float64)

    def log_likelihood(mu):
        densities = torch.exp(-((x - mu) ** 2) / (2 * sigma**2)) / (math.sqrt(2 * math.pi) * sigma)
        return torch.log((weights * densities).sum(dim=1)).sum()

    return log_likelihood


def _library() -> str:
    import torch

    return f"torch {torch.__version__} autograd"


def _sizes_text() -> str:
    return "(M, T) = " + ", ".join(f"({components}, {observations})" for components, observations in SIZES)


def first_derivatives(rng: np.random.Generator) -> list[Comparison]:
    """Compare log p(X) and d log p(X)/d mu_i of 9b with torch."""
    import torch

    value_pairs, distribution_pairs, unnormalised_pairs, derived_pairs, stated_pairs = [], [], [], [], []
    for components, observations in SIZES:
        symbols = _symbols(components, observations)
        value = evaluator(q9.elementary(q9.log_likelihood(components, observations)), symbols)
        derived = evaluator(q9.elementary(q9.first_derivatives(components, observations)), symbols)
        stated = evaluator(q9.elementary(q9.stated_first_derivatives(components, observations)), symbols)
        for _ in range(POINTS):
            sample = _sample(rng, components, observations)
            values = _values(sample)
            log_likelihood = _torch_log_likelihood(sample)
            mu = torch.tensor(sample["mu"], dtype=torch.float64)
            gradient = torch.autograd.functional.jacobian(log_likelihood, mu).numpy().reshape(-1, 1)
            mixture = torch.distributions.MixtureSameFamily(
                torch.distributions.Categorical(probs=torch.tensor(sample["c"], dtype=torch.float64)),
                torch.distributions.Normal(mu, torch.tensor(sample["sigma"], dtype=torch.float64)),
            )
            library_value = mixture.log_prob(torch.tensor(sample["x"], dtype=torch.float64)).sum().numpy()
            value_pairs.append((value(values), log_likelihood(mu).numpy()))
            distribution_pairs.append((value(values), library_value))
            doubled = _values({**sample, "c": 2 * sample["c"]})
            unnormalised_pairs.append((value(doubled), library_value))
            derived_pairs.append((derived(values), gradient))
            stated_pairs.append((stated(values), gradient))
    library = _library()
    operations = library.replace(" autograd", "")
    distributions = library.replace("autograd", "distributions")
    sizes = _sizes_text()
    return [
        compare("log-likelihood", f"log p(X) vs the log-likelihood written in torch ({sizes})", operations, value_pairs, TOLERANCE),
        compare("distribution", f"log p(X) vs MixtureSameFamily.log_prob summed ({sizes})", distributions, distribution_pairs, TOLERANCE),
        compare(
            "unnormalised",
            f"log p(X) with weights 2 c_m vs MixtureSameFamily, which normalises them ({sizes})",
            distributions,
            unnormalised_pairs,
            UNNORMALISED_GAP,
            expect_agreement=False,
        ),
        compare("derived", f"d log p/d mu_i, differentiated, vs autograd ({sizes})", library, derived_pairs, TOLERANCE),
        compare("stated", f"d log p/d mu_i, stated sum_t P(i|x_t) u_i, vs autograd ({sizes})", library, stated_pairs, TOLERANCE),
    ]


def second_derivatives(rng: np.random.Generator) -> list[Comparison]:
    """Compare d^2 log p(X)/(d mu_i d mu_j) of 9c, derived and as stated, with torch's Hessian."""
    import torch

    derived_pairs, stated_pairs = [], []
    for components, observations in SIZES:
        symbols = _symbols(components, observations)
        derived = evaluator(q9.elementary(q9.second_derivatives(components, observations)), symbols)
        stated = evaluator(q9.elementary(q9.stated_second_derivatives(components, observations)), symbols)
        for _ in range(POINTS):
            sample = _sample(rng, components, observations)
            values = _values(sample)
            mu = torch.tensor(sample["mu"], dtype=torch.float64)
            hessian = torch.autograd.functional.hessian(_torch_log_likelihood(sample), mu).numpy()
            derived_pairs.append((derived(values), hessian))
            stated_pairs.append((stated(values), hessian))
    library = _library()
    sizes = _sizes_text()
    return [
        compare("derived", f"Hessian in mu, differentiated, vs autograd hessian ({sizes})", library, derived_pairs, TOLERANCE),
        compare("stated", f"Hessian in mu, stated form, vs autograd hessian ({sizes})", library, stated_pairs, TOLERANCE),
    ]


def score_vector(rng: np.random.Generator) -> list[Comparison]:
    """Compare the score vector of 9a (first derivatives, then the distinct second derivatives) with autograd.

    `q9.score_vector` keeps each distinct entry of `q9.score_entries` once. Each
    entry is matched to its first position in the entries, which are the gradient
    followed by the Hessian in row-major order, and so to torch's values.
    """
    import torch

    pairs = []
    for components, observations in SIZES:
        symbols = _symbols(components, observations)
        entries = q9.score_entries(components, observations)
        vector = q9.score_vector(components, observations)
        positions = [entries.index(entry) for entry in vector]
        score = evaluator(q9.elementary(vector), symbols)
        for _ in range(POINTS):
            sample = _sample(rng, components, observations)
            mu = torch.tensor(sample["mu"], dtype=torch.float64)
            log_likelihood = _torch_log_likelihood(sample)
            gradient = torch.autograd.functional.jacobian(log_likelihood, mu).numpy()
            hessian = torch.autograd.functional.hessian(log_likelihood, mu).numpy()
            library_entries = np.concatenate([gradient, hessian.ravel()])
            pairs.append((score(_values(sample)), library_entries[positions].reshape(-1, 1)))
    return [
        compare(
            "score-vector",
            f"score vector (gradient, distinct Hessian entries) vs autograd ({_sizes_text()})",
            _library(),
            pairs,
            TOLERANCE,
        )
    ]
