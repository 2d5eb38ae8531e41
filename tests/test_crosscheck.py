"""Cross-checks of the sheet against PyTorch and scikit-learn, and the `derive crosscheck` command.

Without the `crosscheck` extra the library comparisons skip, naming the missing
package. When the environment variable CI is set to a true value they fail
instead, so CI cannot pass without running them. The same applies to an answer
module that does not exist yet.
"""

from __future__ import annotations

import importlib
import math
import os
import sys

import pytest

from derive import crosscheck
from derive.cli import EXIT_FAILED, EXIT_OK, EXIT_USAGE, main
from derive.crosscheck import CROSSCHECKS, Comparison, CrossCheck, core

EXTRA_COMMAND = "pip install -e '.[crosscheck]'"


def _in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def _require(package: str):
    """Import a package of the extra, skipping the test without it, but failing it in CI."""
    name = core.EXTRA_PACKAGES.get(package, package)
    if not _in_ci():
        return pytest.importorskip(package, reason=f"{name} is not installed; install the crosscheck extra with {EXTRA_COMMAND}")
    try:
        return importlib.import_module(package)
    except ImportError as error:
        failure = f"{name} is missing in CI ({error}); install the crosscheck extra with {EXTRA_COMMAND}"
    pytest.fail(failure, pytrace=False)


def _require_answer(module: str) -> None:
    """Skip when an answer module does not exist yet, but fail when running in CI."""
    if core.module_exists(module):
        return
    message = f"answer module {module} does not exist yet"
    if _in_ci():
        pytest.fail(message, pytrace=False)
    pytest.skip(message)


def _check(check_id: str) -> CrossCheck:
    return next(check for check in CROSSCHECKS if check.id == check_id)


@pytest.fixture(scope="module")
def outcome():
    """Return a function that runs a registered cross-check once per module and caches its outcome."""
    cache: dict[str, core.Outcome] = {}

    def run(check_id: str) -> core.Outcome:
        check = _check(check_id)
        for package in ("numpy", *check.packages):
            _require(package)
        _require_answer(check.answer_module)
        if check_id not in cache:
            if "torch" in check.packages:
                importlib.import_module("torch").set_num_threads(1)
            cache[check_id] = core.run_check(check, raise_errors=True)
        return cache[check_id]

    return run


def _by_key(result: core.Outcome) -> dict[str, Comparison]:
    return {comparison.key: comparison for comparison in result.comparisons}


def _assert_agrees(comparison: Comparison) -> None:
    assert comparison.expect_agreement, comparison
    assert comparison.difference <= comparison.tolerance, (
        f"{comparison.quantity}: max |diff| {comparison.difference:.3e} exceeds {comparison.tolerance:.0e}"
    )


def _assert_differs(comparison: Comparison) -> None:
    assert not comparison.expect_agreement, comparison
    assert comparison.difference > comparison.tolerance, (
        f"{comparison.quantity}: max |diff| {comparison.difference:.3e} should exceed {comparison.tolerance:.0e}"
    )


# --- answer 1: Jacobians and their layout ----------------------------------------------------


@pytest.mark.parametrize("check_id", ["1a", "1c"])
def test_jacobian_matches_torch_transposed(outcome, check_id):
    comparisons = _by_key(outcome(check_id))
    _assert_agrees(comparisons["derived"])
    _assert_agrees(comparisons["stated"])
    assert comparisons["derived"].tolerance <= 1e-12


@pytest.mark.parametrize("check_id", ["1a", "1c"])
def test_jacobian_untransposed_differs(outcome, check_id):
    _assert_differs(_by_key(outcome(check_id))["untransposed"])


def test_torch_jacobian_is_numerator_layout():
    """torch's Jacobian of W x is W itself, the transpose of the sheet's d(Wx)/dx = W^T."""
    torch = _require("torch")
    weights = torch.tensor([[1.0, 2.0], [3.0, 4.0]], dtype=torch.float64)
    jacobian = torch.autograd.functional.jacobian(lambda x: weights @ x, torch.zeros(2, dtype=torch.float64))
    assert torch.equal(jacobian, weights)


# --- answer 3: the GRU cell and its reset-gate placement -------------------------------------


def test_gru_reset_after_matches_torch(outcome):
    _assert_agrees(_by_key(outcome("3b"))["after"])


def test_gru_reset_before_differs(outcome):
    _assert_differs(_by_key(outcome("3b"))["before"])


def test_gru_swapped_update_differs(outcome):
    _assert_differs(_by_key(outcome("3b"))["swapped-update"])


# --- answer 4: the layer-norm Jacobian --------------------------------------------------------


def test_layer_norm_matches_torch(outcome):
    comparisons = _by_key(outcome("4b"))
    for key in ("output", "derived", "stated", "gained"):
        _assert_agrees(comparisons[key])


@pytest.mark.parametrize("key", ["gained-untransposed", "no-eps", "fixed-sigma", "reference"])
def test_layer_norm_wrong_forms_differ(outcome, key):
    _assert_differs(_by_key(outcome("4b"))[key])


# --- answer 7: the XOR SVM -------------------------------------------------------------------


def test_xor_svm_matches_sklearn(outcome):
    comparisons = _by_key(outcome("7"))
    for key in ("gram", "dual", "bias", "decision-derived", "decision-stated"):
        _assert_agrees(comparisons[key])


# --- answer 8: the linear SVM and its multiplier family --------------------------------------


def test_linear_svm_solution_matches_sklearn(outcome):
    comparisons = _by_key(outcome("8b"))
    for key in ("w", "b", "margins"):
        _assert_agrees(comparisons[key])


def test_linear_svm_multipliers_in_family(outcome):
    comparisons = _by_key(outcome("8c"))
    _assert_agrees(comparisons["family"])
    _assert_agrees(comparisons["dual-objective"])


@pytest.mark.parametrize(
    ("multipliers", "in_family"),
    [
        ((3, 0, 1, 0, 3, 1), True),  # lambda = 3, inside [2, 4]
        ((2, 0, 2, 0, 4, 0), True),  # lambda = 2, an end of the interval
        ((4, 0, 0, 0, 2, 3), False),  # stationarity in b fails
        ((5, 0, -1, 0, 1, 3), False),  # lambda = 5 solves stationarity but a_3 < 0
    ],
)
def test_nearest_member_detects_non_members(multipliers, in_family):
    numpy = _require("numpy")
    _require_answer("derive.papers.ep2.q8")
    from derive.crosscheck.q8 import nearest_member
    from derive.papers.ep2 import q8

    parameter, family, interval = q8.multiplier_family()
    candidate = numpy.array(multipliers, dtype=float)
    _, member = nearest_member(family, parameter, interval, candidate)
    distance = float(numpy.max(numpy.abs(member - candidate)))
    if in_family:
        assert distance < 1e-12
    else:
        assert distance > 0.1


# --- answer 9: Gaussian-mixture derivatives ---------------------------------------------------


def test_mixture_gradient_matches_torch(outcome):
    comparisons = _by_key(outcome("9b"))
    for key in ("log-likelihood", "distribution", "derived", "stated"):
        _assert_agrees(comparisons[key])


def test_mixture_unnormalised_weights_differ(outcome):
    _assert_differs(_by_key(outcome("9b"))["unnormalised"])


def test_mixture_hessian_matches_torch(outcome):
    comparisons = _by_key(outcome("9c"))
    _assert_agrees(comparisons["derived"])
    _assert_agrees(comparisons["stated"])


def test_score_vector_matches_torch(outcome):
    _assert_agrees(_by_key(outcome("9a"))["score-vector"])


# --- the comparison verdict ------------------------------------------------------------------


def test_comparison_agreement_verdicts():
    assert Comparison("k", "q", "lib", 1e-13, 1e-12).holds
    assert not Comparison("k", "q", "lib", 1e-11, 1e-12).holds
    assert Comparison("k", "q", "lib", 1e-11, 1e-12).verdict == "FAILED: differs"


def test_comparison_negative_control_verdicts():
    assert Comparison("k", "q", "lib", 0.5, 1e-3, expect_agreement=False).holds
    assert not Comparison("k", "q", "lib", 1e-4, 1e-3, expect_agreement=False).holds
    assert Comparison("k", "q", "lib", 0.5, 1e-3, expect_agreement=False).tolerance_text == "> 1e-03"


@pytest.mark.parametrize("difference", [math.nan, math.inf])
def test_comparison_non_finite_fails(difference):
    assert not Comparison("k", "q", "lib", difference, 1e-12).holds
    assert not Comparison("k", "q", "lib", difference, 1e-3, expect_agreement=False).holds


def test_compare_rejects_shape_mismatch():
    numpy = _require("numpy")
    from derive.crosscheck.numeric import compare

    with pytest.raises(ValueError, match="shapes"):
        compare("k", "q", "lib", [(numpy.zeros((2, 2)), numpy.zeros(4))], 1e-12)


def test_evaluator_rejects_unset_symbol():
    _require("numpy")
    import sympy as sp

    from derive.crosscheck.numeric import evaluator

    x, y = sp.symbols("x y")
    with pytest.raises(ValueError, match="y"):
        evaluator(x + y, [x])


# --- the command line ------------------------------------------------------------------------


def _passing_runner(rng):
    return [Comparison("ok", "a quantity that agrees", "test", 0.0, 1e-12)]


def _failing_runner(rng):
    return [Comparison("bad", "a quantity that differs", "test", 0.5, 1e-12)]


def _fake_check(check_id: str, runner: str, answer_module: str = "derive.papers.ep2.q1") -> CrossCheck:
    return CrossCheck(
        id=check_id,
        answer=check_id[0],
        title=f"fake check {check_id}",
        answer_module=answer_module,
        packages=(),
        runner=f"{__name__}:{runner}",
    )


def test_cli_passing_check_exits_0(monkeypatch, capsys):
    _require("numpy")
    monkeypatch.setattr(crosscheck, "CROSSCHECKS", (_fake_check("1x", "_passing_runner"),))
    assert main(["crosscheck"]) == EXIT_OK
    output = capsys.readouterr().out
    assert "a quantity that agrees" in output
    assert "1 of 1 comparisons hold" in output


def test_cli_failing_check_exits_1(monkeypatch, capsys):
    _require("numpy")
    checks = (_fake_check("1x", "_passing_runner"), _fake_check("1y", "_failing_runner"))
    monkeypatch.setattr(crosscheck, "CROSSCHECKS", checks)
    assert main(["crosscheck"]) == EXIT_FAILED
    output = capsys.readouterr().out
    assert "FAILED: differs" in output
    assert "1 of 2 comparisons hold" in output


def test_cli_missing_answer_module_is_not_available(monkeypatch, capsys):
    _require("numpy")
    missing = _fake_check("1z", "_passing_runner", answer_module="derive.papers.ep2.no_such_answer")
    monkeypatch.setattr(crosscheck, "CROSSCHECKS", (_fake_check("1x", "_passing_runner"), missing))
    assert main(["crosscheck"]) == EXIT_FAILED
    output = capsys.readouterr().out
    assert "not available: module derive.papers.ep2.no_such_answer not found" in output
    assert "not available: 1z" in output


def test_cli_selects_by_part_and_answer_id(monkeypatch, capsys):
    _require("numpy")
    checks = (_fake_check("1x", "_passing_runner"), _fake_check("2y", "_failing_runner"))
    monkeypatch.setattr(crosscheck, "CROSSCHECKS", checks)
    assert main(["crosscheck", "1x"]) == EXIT_OK
    assert main(["crosscheck", "2"]) == EXIT_FAILED
    output = capsys.readouterr().out
    assert output.count("a quantity that differs") == 1


def test_cli_unknown_id_exits_2(capsys):
    assert main(["crosscheck", "42"]) == EXIT_USAGE
    error = capsys.readouterr().err
    assert "no cross-check has the id '42'" in error
    assert "1a" in error


def test_cli_missing_torch_exits_2_with_install_hint(monkeypatch, capsys):
    # A None entry in sys.modules makes find_spec report the package as not installed.
    monkeypatch.setitem(sys.modules, "torch", None)
    assert main(["crosscheck", "1a"]) == EXIT_USAGE
    captured = capsys.readouterr()
    assert captured.out == ""
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1
    assert "torch" in lines[0]
    assert "pip install 'derive[crosscheck]'" in lines[0]


def test_missing_sklearn_matters_only_when_selected(monkeypatch):
    monkeypatch.setitem(sys.modules, "sklearn", None)
    assert "scikit-learn" in core.missing_packages([_check("7")])
    assert "scikit-learn" not in core.missing_packages([_check("1a")])


def test_registry_ids_are_unique_and_runners_named():
    ids = [check.id for check in CROSSCHECKS]
    assert len(ids) == len(set(ids))
    for check in CROSSCHECKS:
        module_name, _, function_name = check.runner.partition(":")
        assert module_name.startswith("derive.crosscheck."), check.runner
        assert function_name, check.runner
        assert check.answer_module.startswith("derive.papers.ep2.q"), check.answer_module
