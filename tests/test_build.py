"""`derive build`: atomic outputs, PDF compilation, reproducibility and the committed sheet."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

import pytest
import sympy as sp

from derive import registry
from derive.build import build_outputs
from derive.claims import Claim, Derivation, Step
from derive.cli import main
from derive.errors import CheckError, LatexBuildError
from derive.paper import Answer, Equation, Erratum, Figure, Paper, Paragraph, Part, ShowDerivation, TeX
from derive.sheet import write_atomically
from derive.texbuild import NO_ENGINE_MESSAGE, compile_pdf, error_lines, find_engine
from derive.verify import CheckSettings
from tex_tools import first_page_dark_pixels, require_programs

REPOSITORY = Path(__file__).resolve().parents[1]
SETTINGS = CheckSettings(points=2)
x = sp.Symbol("x", real=True)
TIKZ = "\\begin{tikzpicture}\n\\draw[->] (0,0) -- (1,1) node[right] {$x_1$};\n\\end{tikzpicture}"


def toy_paper(stated: sp.Expr = 2 * x, extra: Sequence[object] = ()) -> Paper:
    """Return a one-answer paper whose claim x + x = `stated` holds for the default `stated`."""
    derivation = Derivation(
        id="1a/double",
        title="doubling",
        lhs=x + x,
        steps=[Step(2 * x, "collect terms")],
        stated=2 * x,
    )
    part = Part(
        id="1a",
        title="Doubling",
        body=[
            Paragraph("Prose 50% & x_1 # survives."),
            Equation(x + x, stated),
            ShowDerivation(derivation),
            Figure(TIKZ, "A line"),
            *extra,
        ],
        claims=[Claim(id="1a/sum", statement="x + x = 2x", obtained=x + x, stated=stated)],
        derivations=[derivation],
        errata=[Erratum(question="1a", reference_says="x + x = x", what_holds="x + x = 2x", why="x is not 0")],
    )
    answer = Answer("1", "Sums", ("1a",), lambda: [part])
    return Paper(id="toy", title="Toy sheet", course="Testing", answers=[answer])


def snapshot(folder: Path) -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in sorted(folder.iterdir())}


def test_build_writes_sheet_and_answers(tmp_path: Path) -> None:
    lines: list[str] = []
    written = build_outputs(toy_paper(), tmp_path, SETTINGS, progress=lines.append)
    folder = tmp_path / "toy"
    assert written == [folder / "answer-1.tex", folder / "sheet.tex"]
    assert lines == ["all 2 claims of toy hold"]
    sheet = (folder / "sheet.tex").read_text(encoding="utf-8")
    assert "Prose 50\\% \\& x\\_1 \\# survives." in sheet
    assert "\\section*{Errata to the reference solutions}" in sheet
    assert "\\item[Question 1(a)]" in sheet
    assert sorted(path.name for path in folder.iterdir()) == ["answer-1.tex", "sheet.tex"]


def test_failed_claim_keeps_outputs(tmp_path: Path) -> None:
    build_outputs(toy_paper(), tmp_path, SETTINGS)
    before = snapshot(tmp_path / "toy")
    with pytest.raises(CheckError, match=r"^1 of 2 claims do not hold; nothing was written\n\nclaim 1a/sum: false"):
        build_outputs(toy_paper(stated=3 * x), tmp_path, SETTINGS)
    assert snapshot(tmp_path / "toy") == before


def test_failed_compile_keeps_outputs(tmp_path: Path) -> None:
    require_programs("pdflatex")
    build_outputs(toy_paper(), tmp_path, SETTINGS, pdf=True)
    before = snapshot(tmp_path / "toy")
    assert sorted(before) == ["answer-1.tex", "sheet.pdf", "sheet.tex"]
    broken = toy_paper(extra=[Paragraph("Before ", TeX(r"\undefinedmacro"), " after.")])
    with pytest.raises(LatexBuildError) as caught:
        build_outputs(broken, tmp_path, SETTINGS, pdf=True)
    message = str(caught.value)
    assert caught.match(r"^(latexmk|pdflatex) failed on sheet\.tex \(exit status \d+\):\n! Undefined control sequence\.\nl\.\d+ ")
    assert "sheet.tex line" in message
    assert "\\undefinedmacro" in message
    # Only the error lines, not the whole log.
    assert "This is pdfTeX" not in message
    assert snapshot(tmp_path / "toy") == before


def test_build_without_pdf_removes_stale_pdf(tmp_path: Path) -> None:
    require_programs("pdflatex")
    build_outputs(toy_paper(), tmp_path, SETTINGS, pdf=True)
    pdf = tmp_path / "toy" / "sheet.pdf"
    assert pdf.exists()
    lines: list[str] = []
    build_outputs(toy_paper(), tmp_path, SETTINGS, progress=lines.append)
    assert not pdf.exists()
    assert lines[-1] == f"removed {pdf}, which predates this sheet; build with --pdf to regenerate it"


def test_without_tex_writes_tex_only(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    empty = tmp_path / "empty-path"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    lines: list[str] = []
    written = build_outputs(toy_paper(), tmp_path / "out", SETTINGS, progress=lines.append, pdf=True)
    assert [path.name for path in written] == ["answer-1.tex", "sheet.tex"]
    assert lines == ["all 2 claims of toy hold", NO_ENGINE_MESSAGE]
    assert not (tmp_path / "out" / "toy" / "sheet.pdf").exists()


def test_cli_pdf_without_tex(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    empty = tmp_path / "empty-path"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    monkeypatch.setitem(registry._loaded, "toy", toy_paper())
    status = main(["build", "toy", "--pdf", "--points", "2", "--out", str(tmp_path / "out")])
    output = capsys.readouterr().out.splitlines()
    assert status == 0
    assert [line for line in output if "TeX" in line] == [NO_ENGINE_MESSAGE]
    assert NO_ENGINE_MESSAGE.endswith(
        "apt-get install texlive-latex-base texlive-latex-recommended texlive-fonts-recommended texlive-pictures latexmk"
    )
    assert f"wrote {tmp_path / 'out' / 'toy' / 'sheet.tex'}" in output


def test_cli_reports_latex_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    require_programs("pdflatex")
    monkeypatch.setitem(registry._loaded, "toy", toy_paper(extra=[Paragraph(TeX(r"\undefinedmacro"))]))
    status = main(["build", "toy", "--pdf", "--points", "2", "--out", str(tmp_path)])
    error = capsys.readouterr().err
    assert status == 1
    assert error.startswith("derive: ")
    assert "! Undefined control sequence." in error
    assert not (tmp_path / "toy").exists()


def test_toy_pdf_is_reproducible(tmp_path: Path) -> None:
    require_programs("pdflatex")
    first = build_outputs(toy_paper(), tmp_path / "first", SETTINGS, pdf=True)[-1]
    second = build_outputs(toy_paper(), tmp_path / "second", SETTINGS, pdf=True)[-1]
    assert first.name == "sheet.pdf"
    assert first.read_bytes() == second.read_bytes()


def test_write_atomically_failure_keeps_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "sheet.tex"
    write_atomically(target, "old\n")

    def failing_replace(source: object, destination: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", failing_replace)
    with pytest.raises(OSError, match=r"^disk full$"):
        write_atomically(target, "new\n")
    assert target.read_text() == "old\n"
    assert [path.name for path in tmp_path.iterdir()] == ["sheet.tex"]


LATEX_ERROR_LOG = """\
This is pdfTeX, Version 3.141592653-2.6-1.40.24 (TeX Live 2022/Debian)
(./sheet.tex
! LaTeX Error: File `nonexistent.sty' not found.

Type X to quit or <RETURN> to proceed,
or enter new name. (Default extension: sty)

Enter file name: 
! Emergency stop.
<read *> 
         
l.3 \\usepackage{nonexistent}
                             ^^M
!  ==> Fatal error occurred, no output PDF file produced!
"""


def test_error_lines_keep_bang_and_context() -> None:
    assert error_lines(LATEX_ERROR_LOG) == [
        "! LaTeX Error: File `nonexistent.sty' not found.",
        "! Emergency stop.",
        "l.3 \\usepackage{nonexistent}",
        "                             ^^M",
    ]


def test_require_programs_fails_in_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match=r"^TeX is missing: no-such-tex-program not found on PATH"):
        require_programs("no-such-tex-program")


def test_require_programs_skips_locally(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match=r"^no-such-tex-program not found on PATH$"):
        require_programs("no-such-tex-program")


# --- answer 1 of the real paper, built in two processes with different hash seeds ----------

_BUILD_SCRIPT = """
import sys
from pathlib import Path
from derive.build import build_outputs
from derive.registry import get_paper
from derive.verify import CheckSettings
build_outputs(get_paper("ep2"), Path(sys.argv[1]), CheckSettings(), pdf=sys.argv[2] == "pdf", ids=["1"])
"""


@pytest.fixture(scope="module")
def answer_one_builds(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """Build answer 1 with --pdf (when TeX is installed) under PYTHONHASHSEED 1 and 2, concurrently."""
    mode = "pdf" if find_engine() is not None else "tex"
    folders = [tmp_path_factory.mktemp(f"seed{seed}") for seed in (1, 2)]
    processes = [
        subprocess.Popen(
            [sys.executable, "-c", _BUILD_SCRIPT, str(folder), mode],
            env=dict(os.environ, PYTHONHASHSEED=str(seed)),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        for seed, folder in zip((1, 2), folders)
    ]
    for process in processes:
        output, _ = process.communicate(timeout=600)
        assert process.returncode == 0, output
    return [folder / "ep2" for folder in folders]


def test_answer_one_tex_ignores_hash_seed(answer_one_builds: list[Path]) -> None:
    first, second = answer_one_builds
    for name in ("sheet.tex", "answer-1.tex"):
        assert (first / name).read_bytes() == (second / name).read_bytes(), name


def test_answer_one_pdf_is_reproducible(answer_one_builds: list[Path]) -> None:
    require_programs("pdflatex")
    first, second = answer_one_builds
    assert (first / "sheet.pdf").read_bytes() == (second / "sheet.pdf").read_bytes()


def test_answer_one_page_not_blank(answer_one_builds: list[Path], tmp_path: Path) -> None:
    require_programs("pdflatex", "pdftoppm")
    dark, total = first_page_dark_pixels(answer_one_builds[0] / "sheet.pdf", tmp_path)
    assert dark > total // BLANK_PAGE_FRACTION, f"page 1 has {dark} dark pixels of {total}"


# Page 1 of answer 1 at 40 dpi has about 0.8 % dark pixels; an empty page has none.
BLANK_PAGE_FRACTION = 500


def test_blank_page_detected(tmp_path: Path) -> None:
    require_programs("pdflatex", "pdftoppm")
    blank = tmp_path / "blank.pdf"
    blank.write_bytes(compile_pdf("\\documentclass{article}\\pagestyle{empty}\\begin{document}\\null\\end{document}\n", find_engine()))
    dark, total = first_page_dark_pixels(blank, tmp_path)
    assert dark <= total // BLANK_PAGE_FRACTION, f"a blank page has {dark} dark pixels of {total}"


def test_answer_one_lists_errata(answer_one_builds: list[Path]) -> None:
    sheet = (answer_one_builds[0] / "sheet.tex").read_text(encoding="utf-8")
    expected = sum(len(part.errata) for part in registry.get_paper("ep2").answer("1").parts)
    assert "\\section*{Errata to the reference solutions}" in sheet
    assert sheet.count("\\item[Question 1(") == expected


# --- the committed outputs -------------------------------------------------------------------


def _missing_answer_modules(paper: Paper) -> list[str]:
    # Each answer N of Examples Paper 2 lives in derive/papers/ep2/qN.py.
    names = [f"derive.papers.{paper.id}.q{answer.number}" for answer in paper.answers]
    return [name for name in names if importlib.util.find_spec(name) is None]


def test_committed_outputs_match_build(tmp_path: Path) -> None:
    paper = registry.get_paper("ep2")
    missing = _missing_answer_modules(paper)
    if missing:
        pytest.skip(f"answer modules not written yet: {', '.join(missing)}")
    build_outputs(paper, tmp_path, CheckSettings())
    committed = REPOSITORY / "outputs" / paper.id
    fresh = tmp_path / paper.id
    committed_names = sorted(path.name for path in committed.glob("*.tex")) if committed.is_dir() else []
    fresh_names = sorted(path.name for path in fresh.glob("*.tex"))
    assert committed_names == fresh_names, "outputs/ep2 does not hold the files a build writes; run `derive build`"
    for name in fresh_names:
        assert (committed / name).read_bytes() == (fresh / name).read_bytes(), (
            f"outputs/ep2/{name} differs from a fresh build; run `derive build` and commit outputs/"
        )
