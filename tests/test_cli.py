"""The command line: exit codes, one-line errors, and the per-claim report."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest


def run_derive(*arguments: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "derive", *arguments],
        capture_output=True,
        text=True,
        timeout=600,
    )


@pytest.mark.parametrize(
    ("arguments", "pattern"),
    [
        pytest.param(("check", "9z"), r"^derive: error: unknown answer id '9z' for paper ep2; valid ids: 1, 1a, ", id="unknown-id"),
        pytest.param(("check", "--paper", "nope"), r"^derive: error: unknown paper 'nope'; known papers: ep2", id="unknown-paper"),
        pytest.param(("check", "1a", "--points", "0"), r"^derive: error: --points must be at least 1, got 0$", id="zero-points"),
        pytest.param(("show", "12"), r"^derive: error: unknown answer id '12'", id="show-unknown"),
    ],
)
def test_usage_error_exits_2(arguments: tuple[str, ...], pattern: str) -> None:
    completed = run_derive(*arguments)
    assert completed.returncode == 2
    lines = completed.stderr.strip().splitlines()
    assert len(lines) == 1, completed.stderr
    assert re.match(pattern, lines[0])
    assert "Traceback" not in completed.stderr


def test_no_command_is_usage_error() -> None:
    completed = run_derive()
    assert completed.returncode == 2
    assert "Traceback" not in completed.stderr


def test_check_part_reports_each_claim() -> None:
    completed = run_derive("check", "1a")
    assert completed.returncode == 0, completed.stderr
    lines = completed.stdout.strip().splitlines()
    claim_lines = [line for line in lines if line.startswith("ok ")]
    assert len(claim_lines) >= 10
    assert all(re.match(r"^ok   1a/\S+: proved symbolically", line) for line in claim_lines)
    assert re.match(r"^\d+ of \d+ claims hold \(\d+ proved symbolically\) in \d+\.\d s$", lines[-1])


def test_list_names_every_answer() -> None:
    completed = run_derive("list")
    assert completed.returncode == 0
    numbers = re.findall(r"^  (\d)\s", completed.stdout, flags=re.MULTILINE)
    assert numbers == [str(number) for number in range(1, 10)]


def test_show_prints_steps() -> None:
    completed = run_derive("show", "1a")
    assert completed.returncode == 0, completed.stderr
    assert "-- derivation: the residual Jacobian in index form" in completed.stdout
    assert "step 4 [the linear term: ∂z_j/∂x_i = W_ji]" in completed.stdout


def test_closed_pipe_is_quiet() -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "derive", "check", "1a"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    assert process.stdout is not None
    first_line = process.stdout.readline()
    process.stdout.close()
    _, errors = process.communicate(timeout=600)
    assert first_line.startswith("ok   1a/")
    assert "Traceback" not in errors
    assert "internal error" not in errors


def test_show_prints_lists_and_figures() -> None:
    listing = run_derive("show", "2")
    figure = run_derive("show", "8a")
    assert listing.returncode == 0, listing.stderr
    assert re.search(r"^  - ", listing.stdout, flags=re.MULTILINE)
    assert figure.returncode == 0, figure.stderr
    assert "[figure: " in figure.stdout


WRONG_SHEET = '''
import sympy as sp

from derive.claims import Claim
from derive.functions import sigmoid
from derive.paper import Answer, Paper, Part

z = sp.Symbol("z", real=True)


def build():
    claim = Claim(
        id="1a/slope",
        statement="phi'(z) = phi(z)(1 + phi(z))",
        obtained=sp.diff(sigmoid(z), z),
        stated=sigmoid(z) * (1 + sigmoid(z)),
    )
    return [Part(id="1a", title="A wrong slope", claims=[claim])]


PAPER = Paper(id="wrongsheet", title="Wrong", course="Testing", answers=[Answer("1", "Slope", ("1a",), build)])
'''


def test_wrong_claim_in_user_paper(tmp_path) -> None:
    (tmp_path / "wrongsheet.py").write_text(WRONG_SHEET, encoding="utf-8")
    checked = subprocess.run(
        [sys.executable, "-m", "derive", "check", "--paper", "wrongsheet"],
        capture_output=True, text=True, timeout=600, cwd=tmp_path,
    )
    built = subprocess.run(
        [sys.executable, "-m", "derive", "build", "wrongsheet", "--out", str(tmp_path / "out")],
        capture_output=True, text=True, timeout=600, cwd=tmp_path,
    )
    assert checked.returncode == 1
    assert checked.stdout.splitlines()[0].startswith("FAIL 1a/slope: false")
    assert "  obtained:   (1 - sigmoid(z))*sigmoid(z)" in checked.stderr
    assert "  stated:     (sigmoid(z) + 1)*sigmoid(z)" in checked.stderr
    assert "  difference: " in checked.stderr
    assert "  they differ at z = " in checked.stderr
    assert "Traceback" not in checked.stderr
    assert built.returncode == 1
    assert "1 of 1 claims do not hold; nothing was written" in built.stderr
    assert not (tmp_path / "out").exists()
