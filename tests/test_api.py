"""The public API: names, cheap import, checking helpers, and LaTeX and Unicode rendering."""

from __future__ import annotations

import inspect
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import sympy as sp

import derive
import derive.api
from derive.papers.ep2 import q1

a, b = sp.symbols("a b", real=True)


def test_package_names_match_api() -> None:
    assert derive.__all__ == derive.api.__all__
    for name in derive.__all__:
        assert getattr(derive, name) is getattr(derive.api, name), name


def test_unknown_name_raises_attribute_error() -> None:
    with pytest.raises(AttributeError, match="has no attribute 'no_such_name'"):
        derive.no_such_name  # noqa: B018


def test_import_derive_avoids_sympy() -> None:
    code = "import sys, derive; print('sympy' in sys.modules, 'derive.papers.ep2.q1' in sys.modules)"
    output = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert output.split() == ["False", "False"]


def test_api_functions_documented_and_annotated() -> None:
    for name in derive.api.__all__:
        value = getattr(derive.api, name)
        if not (inspect.isfunction(value) or inspect.isclass(value)):
            continue  # constants such as EXPAND_SUMS and the Layout type alias
        assert inspect.getdoc(value), f"{name} has no docstring"
        if inspect.isfunction(value) and value.__module__ == "derive.api":
            signature = inspect.signature(value)
            missing = [p for p, parameter in signature.parameters.items() if parameter.annotation is inspect.Parameter.empty]
            assert not missing, f"{name} lacks annotations for {missing}"
            assert signature.return_annotation is not inspect.Signature.empty, f"{name} lacks a return annotation"


# --- checking ------------------------------------------------------------------------------------


def test_check_claim_true() -> None:
    claim = derive.Claim(id="api/true", statement="(a + b)^2 expands", obtained=(a + b) ** 2, stated=a**2 + 2 * a * b + b**2)
    verdict = derive.check_claim(claim)
    assert verdict.holds
    assert verdict.method is derive.Method.PROVED


def test_check_claim_false_with_counterexample() -> None:
    claim = derive.Claim(id="api/false", statement="(a + b)^2 = a^2 + b^2", obtained=(a + b) ** 2, stated=a**2 + b**2)
    verdict = derive.check_claim(claim, points=3, seed=7)
    assert not verdict.holds
    assert verdict.method is derive.Method.FALSE
    assert verdict.counterexample is not None
    assert [name for name, _ in verdict.counterexample.point] == ["a", "b"]
    assert verdict.difference == "2*a*b"


def test_check_claim_rejects_zero_points() -> None:
    claim = derive.Claim(id="api/points", statement="a = a", obtained=a, stated=a)
    with pytest.raises(derive.UsageError, match="points must be at least 1, got 0"):
        derive.check_claim(claim, points=0)


def test_check_equal_denominator_layout() -> None:
    weights, inputs = derive.matrix("W", 2, 3), derive.vector("x", 3)
    denominator = derive.jacobian(weights * inputs, inputs, layout="denominator")
    numerator = derive.jacobian(weights * inputs, inputs, layout="numerator")
    assert denominator.shape == (3, 2)
    assert derive.check_equal(denominator, weights.T).holds
    assert derive.check_equal(numerator, weights).holds


def test_check_equal_untransposed_is_false() -> None:
    weights, inputs = derive.matrix("W", 2, 2), derive.vector("x", 2)
    denominator = derive.jacobian(weights * inputs, inputs, layout="denominator")
    verdict = derive.check_equal(denominator, weights)
    assert verdict.method is derive.Method.FALSE
    assert verdict.counterexample is not None
    assert verdict.counterexample.entry in ((0, 1), (1, 0))


def test_check_equal_shape_mismatch_raises() -> None:
    with pytest.raises(derive.MalformedClaim):
        derive.check_equal(derive.matrix("W", 2, 3), derive.matrix("W", 3, 2))


def test_answer_module_objects_by_name() -> None:
    jacobian = q1.residual_jacobian(3)
    assert jacobian.shape == (3, 3)
    assert derive.check_equal(jacobian, q1.residual_stated(3), label="api/q1-n3").holds
    wrong = derive.check_equal(jacobian, sp.eye(3) + (q1.residual_stated(3) - sp.eye(3)).T, label="api/q1-n3-transposed")
    assert wrong.method is derive.Method.FALSE


def test_check_derivation_keys_and_verdicts() -> None:
    derivation = q1.residual_index_derivation()
    verdicts = derive.check_derivation(derivation)
    assert list(verdicts) == ["1a/index/step2", "1a/index/step3", "1a/index/step4", "1a/index/stated"]
    assert all(verdict.holds for verdict in verdicts.values())


def test_load_paper_by_id_and_module() -> None:
    assert derive.load_paper("ep2") is derive.get_paper("ep2")
    assert derive.load_paper("derive.papers.ep2") is derive.get_paper("ep2")
    assert derive.load_paper("derive.papers.ep2:PAPER") is derive.get_paper("ep2")


@pytest.mark.parametrize(
    ("spec", "pattern"),
    [
        pytest.param("nope", r"^unknown paper 'nope'; known papers: (\w+, )*ep2", id="unknown-id"),
        pytest.param("no_such.module", r"and no module 'no_such\.module' can be imported$", id="missing-module"),
        pytest.param("derive.api:check_claim", r"is not a derive\.paper\.Paper \(got function\)$", id="not-a-paper"),
        pytest.param("derive.api:1x", r"^invalid paper spec 'derive\.api:1x'", id="invalid-attribute"),
        pytest.param("  ", r"^the paper spec is empty", id="empty"),
    ],
)
def test_load_paper_errors(spec: str, pattern: str) -> None:
    with pytest.raises(derive.UsageError, match=pattern):
        derive.load_paper(spec)


def test_register_paper_rejects_builtin_id() -> None:
    imposter = derive.Paper(id="ep2", title="Imposter", course="Tests", answers=[])
    with pytest.raises(derive.UsageError, match="paper id 'ep2' already belongs to module 'derive.papers.ep2'"):
        derive.register_paper(imposter)


# --- rendering -----------------------------------------------------------------------------------


def _claim_with_special_characters() -> derive.Claim:
    return derive.Claim(
        id="api/render",
        statement="x_1^2 & 50% of {W} ⊙ φ",
        obtained=(a + b) ** 2,
        stated=a**2 + 2 * a * b + b**2,
        assumptions=("a, b real",),
    )


def test_render_latex_house_notation() -> None:
    assert derive.render_latex(q1.W.T) == r"\mathbf{W}^{\mathsf{T}}"


def test_claim_repr_latex() -> None:
    latex = _claim_with_special_characters()._repr_latex_()
    assert latex.startswith(r"$$\begin{gathered}")
    assert latex.endswith(r"\end{gathered}$$")
    assert r"\text{claim api/render: x}\_\text{1}\hat{}\text{2 }\&\text{ 50}\%\text{ of }\{\text{W}\}\text{ }\odot\text{ }\phi" in latex
    assert r"\left(a + b\right)^{2} = a^{2} + 2 a b + b^{2}" in latex
    assert r"\text{assuming a, b real}" in latex


def test_derivation_repr_latex() -> None:
    derivation = q1.residual_index_derivation()
    latex = derivation._repr_latex_()
    assert latex.startswith(r"$$\begin{aligned}")
    assert latex.endswith(r"\end{aligned}$$")
    rows = latex[len(r"$$\begin{aligned}") : -len(r"\end{aligned}$$")].split(r" \\ ")
    assert len(rows) == len(derivation.steps)
    assert rows[0].startswith(r"\frac{\partial}{\partial x_{i}}")
    assert all(row.lstrip().startswith("&=") for row in rows[1:])
    assert rows[-1].endswith(r"\text{the linear term: }\partial\text{z}\_\text{j/}\partial\text{x}\_\text{i = W}\_\text{ji}")
    assert r"W_{ji}" in rows[-1]


def test_false_verdict_text_and_latex() -> None:
    claim = derive.Claim(id="api/false-render", statement="s", obtained=(a + b) ** 2, stated=a**2 + b**2)
    verdict = derive.check_claim(claim)
    text = str(verdict)
    assert text.splitlines()[0] == "false"
    assert "difference: 2*a*b" in text
    assert "they differ at a = " in text
    latex = verdict._repr_latex_()
    assert latex.startswith(r"$$\begin{array}{l}\text{false}")
    assert r"\text{difference: 2*a*b}" in latex


def test_claim_text_on_one_baseline() -> None:
    claim = derive.Claim(id="api/text", statement="square", obtained=a**2, stated=a * a)
    assert str(claim) == "claim api/text: square\n 2    2\na  = a"


def test_derivation_text_lists_steps() -> None:
    text = str(q1.residual_index_derivation())
    assert text.splitlines()[0] == "derivation 1a/index: the residual Jacobian in index form"
    assert "  step 4 [the linear term: ∂z_j/∂x_i = W_ji]" in text.splitlines()


@pytest.mark.skipif(shutil.which("pdflatex") is None, reason="pdflatex is not installed")
def test_repr_latex_compiles(tmp_path: Path) -> None:
    pieces = [
        _claim_with_special_characters()._repr_latex_(),
        q1.residual_index_derivation()._repr_latex_(),
        derive.check_claim(derive.Claim(id="api/tex", statement="s", obtained=a**2, stated=a))._repr_latex_(),
    ]
    body = "\n\n".join(piece.replace("$$", r"\[", 1).replace("$$", r"\]", 1) for piece in pieces)
    document = "\\documentclass{article}\n\\usepackage{amsmath,amssymb}\n\\begin{document}\n" + body + "\n\\end{document}\n"
    (tmp_path / "repr.tex").write_text(document, encoding="utf-8")
    result = subprocess.run(
        ["pdflatex", "-interaction=nonstopmode", "-halt-on-error", "repr.tex"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout[-2000:]


def test_show_with_results_marks_verdicts() -> None:
    from derive.check import check_parts
    from derive.show import show_parts

    derivation = derive.Derivation(
        id="p/chain",
        title="a square",
        lhs=sp.Symbol("y"),
        steps=[derive.Step((a + b) ** 2, "definition"), derive.Step(a**2 + 2 * a * b + b**2, "expand")],
        stated=a**2 + 2 * a * b + b**2,
    )
    wrong = derive.Claim(id="p/wrong", statement="(a + b)^2 = a^2 + b^2", obtained=(a + b) ** 2, stated=a**2 + b**2)
    part = derive.Part(id="p", title="Part", body=[derive.ShowDerivation(derivation)], claims=[wrong], derivations=[derivation])
    answer = derive.Answer("1", "Answer", ("p",), lambda: [part])
    selection = [(answer, part)]

    unchecked = show_parts(selection)
    assert "-- 3 claims (run `derive show --check p` to verify them)" in unchecked

    lines = show_parts(selection, check_parts(selection)).splitlines()
    assert "  step 2 [expand] ok: proved symbolically, confirmed at 6 exact random points" in lines
    assert any(line.startswith("  last step against the stated form ok: proved symbolically") for line in lines)
    assert "-- 3 claims, 2 hold" in lines
    assert "  FAIL p/wrong: (a + b)^2 = a^2 + b^2" in lines
    assert "       difference: 2*a*b" in lines


def test_pretty_uses_house_notation() -> None:
    text = derive.render_text(q1.RESIDUAL_STATED)
    assert text.splitlines()[-1] == "W ⋅diag(φ(z) ⊙ (-φ(z) + 𝟙)) + 𝕀"
    assert derive.render_text(derive.sigmoid(a)) == "φ(a)"
