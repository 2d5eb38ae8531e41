"""The authoring guide's example paper: the guide quotes it verbatim, it checks, and it builds."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pytest
import sympy as sp

import derive
import derive.registry
import example_paper
from derive.cli import main as derive_main
from example_paper import q1

pytest_plugins = ["pytester"]

ROOT = Path(__file__).resolve().parent.parent
GUIDE = ROOT / "docs" / "authoring.md"
QUOTED = re.compile(r"```python\n# (?P<path>tests/example_paper/\S+)\n(?P<code>.*?)```", re.DOTALL)


def quoted_blocks() -> list[tuple[str, str]]:
    return [(match["path"], match["code"]) for match in QUOTED.finditer(GUIDE.read_text(encoding="utf-8"))]


def test_guide_quotes_example_blocks() -> None:
    paths = [path for path, _ in quoted_blocks()]
    assert paths.count("tests/example_paper/q1.py") == 5
    assert paths.count("tests/example_paper/__init__.py") == 1


@pytest.mark.parametrize(("path", "code"), quoted_blocks())
def test_quoted_block_matches_file(path: str, code: str) -> None:
    source = (ROOT / path).read_text(encoding="utf-8")
    assert code in source, f"a block of docs/authoring.md no longer matches {path}; copy the current code into the guide"


def test_guide_names_entry_point_group() -> None:
    guide = GUIDE.read_text(encoding="utf-8")
    assert f'[project.entry-points."{derive.registry.ENTRY_POINT_GROUP}"]' in guide
    assert "derive.registry.BUILTIN_PAPERS" in guide
    assert "ep2" in derive.registry.BUILTIN_PAPERS


def test_example_claims_all_proved() -> None:
    results = derive.check_paper(example_paper.PAPER)
    ids = [result.claim.id for result in results]
    assert ids == [
        "1a/explicit-n1",
        "1a/explicit-n2",
        "1a/explicit-n3",
        "1b/index",
        "1b/index/step2",
        "1b/index/step3",
        "1b/index/stated",
    ]
    for result in results:
        assert result.verdict.method is derive.Method.PROVED, result.failure()


def test_example_rejects_untransposed_gradient() -> None:
    # The reference's W (W x - t) must fail, or the explicit claims prove nothing.
    size = 2
    weights, inputs, targets = derive.matrix("W", size, size), derive.vector("x", size), derive.vector("t", size)
    claim = derive.Claim(
        id="example/untransposed",
        statement="dL/dx = W (W x - t)",
        obtained=q1.gradient(size),
        stated=weights * (weights * inputs - targets),
    )
    verdict = derive.check_claim(claim)
    assert verdict.method is derive.Method.FALSE


def test_example_rejects_wrong_index_form() -> None:
    claim = dataclasses.replace(
        q1.part_b().claims[0], stated=sp.Sum(q1.W_i[q1.i, q1.j] * (q1._z(q1.j) - q1.t_i[q1.j]), (q1.j, 1, q1.n))
    )
    assert derive.check_claim(claim).method is derive.Method.FALSE


def test_derive_build_writes_paper_folder(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    derive.register_paper(example_paper.PAPER)

    exit_code = derive_main(["build", "example", "--out", str(tmp_path)])

    assert exit_code == 0, capsys.readouterr().err
    assert sorted(path.name for path in (tmp_path / "example").iterdir()) == ["answer-1.tex", "sheet.tex"]
    sheet = (tmp_path / "example" / "sheet.tex").read_text(encoding="utf-8")
    assert "\\section*{1. Gradient of a least-squares layer}" in sheet
    assert "\\begin{align*}" in sheet
    assert "\\section*{Errata to the reference solutions}" in sheet
    assert "the gradient is W (W x - t)" in sheet
    assert f"wrote {tmp_path / 'example' / 'sheet.tex'}" in capsys.readouterr().out


def test_plugin_runs_example_paper(pytester: pytest.Pytester) -> None:
    pytester.syspathinsert(ROOT / "tests")
    result = pytester.runpytest("-p", "no:hypothesispytest", "--derive-paper", "example_paper", "-v")
    result.assert_outcomes(passed=7)
    result.stdout.fnmatch_lines(["*derive::example::1b::1b/index/stated PASSED*"])
