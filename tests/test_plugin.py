"""The pytest plugin: claims of a small paper collected, run and reported by plain pytest.

Most runs are in-process (`pytester.runpytest`). Each test starts with an empty
paper registry, and `derive.api` is imported here so that its record of loaded
modules outlives the runs, because each run imports the paper module afresh. One run goes
through a subprocess to show that the ``pytest11`` entry point loads the plugin.
"""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

import derive.api
import derive.registry

pytest_plugins = ["pytester"]

# Answer 1 contains one true and one false claim; answer 2 has two parts; answer 3 fails to build.
TINY_PAPER = '''
import sympy as sp

from derive import Answer, Claim, Paper, Part

a, b = sp.symbols("a b", real=True)


def build_squares():
    return [
        Part(
            id="1",
            title="Squares",
            claims=[
                Claim(id="1/true", statement="(a + b)^2 expands", obtained=(a + b) ** 2, stated=a**2 + 2 * a * b + b**2),
                Claim(id="1/false", statement="(a + b)^2 = a^2 + b^2", obtained=(a + b) ** 2, stated=a**2 + b**2),
            ],
        )
    ]


def build_products():
    return [
        Part(id="2a", title="Product", claims=[Claim(id="2a/product", statement="ab = ba", obtained=a * b, stated=b * a)]),
        Part(id="2b", title="Sum", claims=[Claim(id="2b/sum", statement="a + b = b + a", obtained=a + b, stated=b + a)]),
    ]


def build_broken():
    raise ValueError("answer 3 cannot be built")


PAPER = Paper(
    id="tiny",
    title="Tiny paper",
    course="Plugin tests",
    answers=[
        Answer("1", "Squares", ("1",), build_squares),
        Answer("2", "Commutativity", ("2a", "2b"), build_products),
        Answer("3", "Broken", ("3",), build_broken),
    ],
)
OTHER = PAPER
'''


@pytest.fixture
def tiny(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> pytest.Pytester:
    pytester.makepyfile(tiny_paper=TINY_PAPER)
    pytester.syspathinsert()
    monkeypatch.setattr(derive.registry, "_loaded", {})
    monkeypatch.setattr(derive.api, "_loaded_from", {})
    return pytester


def run(pytester: pytest.Pytester, *arguments: str) -> pytest.RunResult:
    """Run pytest in-process without the hypothesis plugin, whose import costs seconds per run."""
    return pytester.runpytest("-p", "no:hypothesispytest", "-p", "no:cacheprovider", *arguments)


def test_plugin_off_without_paper(tiny: pytest.Pytester) -> None:
    tiny.makepyfile(test_ordinary="def test_one():\n    assert True\n")
    result = run(tiny, "--collect-only", "-q")
    assert result.ret == pytest.ExitCode.OK
    assert "test_ordinary.py::test_one" in result.outlines
    assert not any("derive::" in line for line in result.outlines)


def test_one_item_per_claim(tiny: pytest.Pytester) -> None:
    result = run(tiny, "--derive-paper", "tiny_paper", "--derive-ids", "1,2", "--collect-only", "-q")
    assert result.ret == pytest.ExitCode.OK
    collected = [line for line in result.outlines if line.startswith("derive::")]
    assert collected == [
        "derive::tiny::1::1/true",
        "derive::tiny::1::1/false",
        "derive::tiny::2a::2a/product",
        "derive::tiny::2b::2b/sum",
    ]


def test_true_passes_false_fails(tiny: pytest.Pytester) -> None:
    result = run(tiny, "--derive-paper", "tiny_paper", "--derive-ids", "1")
    result.assert_outcomes(passed=1, failed=1)
    output = result.stdout.str()
    assert "FAILED derive::tiny::1::1/false" in output
    assert "claim 1/false: false: (a + b)^2 = a^2 + b^2" in output
    assert re.search(r"obtained: +\(a \+ b\)\*\*2", output)
    assert re.search(r"stated: +a\*\*2 \+ b\*\*2", output)
    assert "difference: 2*a*b" in output
    assert re.search(r"they differ at a = -?\d+/\d+, b = -?\d+/\d+ \(exactly\)", output)
    # The report is the claim's own message, not a traceback into the engine.
    assert "Traceback" not in output
    assert "derive/claims.py" not in output


def test_paper_named_twice_collected_once(tiny: pytest.Pytester) -> None:
    result = run(tiny, "--derive-paper", "tiny_paper", "--derive-paper", "tiny_paper:OTHER", "--derive-ids", "2")
    result.assert_outcomes(passed=2)


def test_ids_select_one_part(tiny: pytest.Pytester) -> None:
    result = run(tiny, "--derive-paper", "tiny_paper", "--derive-ids", "2b", "-v")
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines(["*derive::tiny::2b::2b/sum PASSED*"])


def test_unknown_id_is_usage_error(tiny: pytest.Pytester) -> None:
    result = run(tiny, "--derive-paper", "tiny_paper", "--derive-ids", "1,9z")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*derive: unknown answer id 9z for paper tiny; valid ids: 1, 2, 2a, 2b, 3*"])


def test_unknown_paper_is_usage_error(tiny: pytest.Pytester) -> None:
    result = run(tiny, "--derive-paper", "no_such_paper")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*derive: unknown paper 'no_such_paper'; known papers: ep2*"])


def test_attribute_spec_not_a_paper(tiny: pytest.Pytester) -> None:
    result = run(tiny, "--derive-paper", "tiny_paper:build_squares")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*tiny_paper:build_squares is not a derive.paper.Paper (got function)*"])


def test_module_attribute_spec(tiny: pytest.Pytester) -> None:
    result = run(tiny, "--derive-paper", "tiny_paper:OTHER", "--derive-ids", "2a")
    result.assert_outcomes(passed=1)


def test_ini_options_enable_plugin(tiny: pytest.Pytester) -> None:
    tiny.makeini("[pytest]\nderive_papers = tiny_paper\nderive_ids = 2a 2b\n")
    result = run(tiny, "-v")
    result.assert_outcomes(passed=2)
    result.stdout.fnmatch_lines(["*2a/product PASSED*", "*2b/sum PASSED*"])


def test_ini_options_ignored_with_paths(tiny: pytest.Pytester) -> None:
    tiny.makeini("[pytest]\nderive_papers = tiny_paper\n")
    tiny.makepyfile(test_ordinary="def test_one():\n    assert True\n")
    result = run(tiny, "test_ordinary.py")
    result.assert_outcomes(passed=1)


def test_marker_and_keyword_select(tiny: pytest.Pytester) -> None:
    tiny.makepyfile(test_ordinary="def test_one():\n    assert True\n")
    arguments = ("--derive-paper", "tiny_paper", "--derive-ids", "2")

    without_claims = run(tiny, *arguments, "-m", "not derive")
    without_claims.assert_outcomes(passed=1, deselected=2)

    by_keyword = run(tiny, *arguments, "-k", "product")
    by_keyword.assert_outcomes(passed=1, deselected=2)


def test_build_error_is_collection_error(tiny: pytest.Pytester) -> None:
    result = run(tiny, "--derive-paper", "tiny_paper", "--derive-ids", "3")
    assert result.ret == pytest.ExitCode.INTERRUPTED
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*ValueError: answer 3 cannot be built*"])


def test_invalid_points_is_usage_error(tiny: pytest.Pytester) -> None:
    result = run(tiny, "--derive-paper", "tiny_paper", "--derive-points", "0")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*derive: points must be at least 1, got 0*"])


def test_real_paper_rejects_unknown_id(tiny: pytest.Pytester) -> None:
    result = run(tiny, "--derive-paper", "ep2", "--derive-ids", "12")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*unknown answer id 12 for paper ep2; valid ids: 1, 1a, 1b, 1c, 2, 3, 3a*"])


def test_entry_point_loads_plugin(tiny: pytest.Pytester) -> None:
    result = tiny.runpytest_subprocess("--derive-paper", "tiny_paper", "--derive-ids", "1", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=1, failed=1)
    assert "difference: 2*a*b" in result.stdout.str()


def test_disabled_with_no_derive(tiny: pytest.Pytester) -> None:
    result = run(tiny, "-p", "no:derive", "--derive-paper", "tiny_paper")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*unrecognized arguments: --derive-paper*"])


def test_plugin_import_avoids_sympy() -> None:
    code = "import sys, derive.pytest_plugin; print('sympy' in sys.modules)"
    output = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert output.strip() == "False"
