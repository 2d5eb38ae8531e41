"""Rendering the sheet: prose escapes, derivations, figures, errata and verification notes."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
import sympy as sp

from derive.check import ClaimResult
from derive.claims import Claim, Derivation, Step
from derive.errors import LatexBuildError
from derive.functions import sigmoid
from derive.paper import Answer, Equation, Erratum, Figure, ItemList, Math, Paper, Paragraph, Part, ShowDerivation, TeX
from derive.sheet import (
    escape_text,
    render_block,
    render_derivation,
    render_document,
    render_errata,
    render_figure,
    verification_summary,
)
from derive.texbuild import compile_pdf, find_engine
from derive.verdict import Method, Verdict
from tex_tools import require_programs

ESCAPES = [
    ("percent-ampersand-underscore-hash", "50% & x_1 #", r"50\% \& x\_1 \#"),
    ("dollar-and-braces", "$5 {a}", r"\ensuremath{\$}5 \{a\}"),
    ("backslash", "a\\b", r"a\textbackslash{}b"),
    ("caret", "x^2", r"x\textasciicircum{}2"),
    ("transpose", "W^T x", r"W\ensuremath{^{\mathsf{T}}} x"),
    ("caret-t-inside-word", "x^Tail", r"x\textasciicircum{}Tail"),
    ("arrow", "z -> 0", r"z \ensuremath{\to} 0"),
    ("less-greater-bar", "a<b>|c|", r"a\textless{}b\textgreater{}\textbar{}c\textbar{}"),
    ("accent", "café", r"caf\'e"),
    ("greek-math", "φ ⊙ σ", r"\ensuremath{\phi} \ensuremath{\odot} \ensuremath{\sigma}"),
    ("tilde", "a~b", r"a\textasciitilde b"),
    ("superscript-minus", "Σ⁻¹", r"\ensuremath{\Sigma}\ensuremath{^{-}}$^1$"),
    ("codec-formulas-kept-inline", "π¹", r"$\pi${}$^1$"),
    ("combining-tilde", "h̃_t", r"\ensuremath{\tilde{h}}\_t"),
]


@pytest.mark.parametrize(("text", "expected"), [case[1:] for case in ESCAPES], ids=[case[0] for case in ESCAPES])
def test_escape_text(text: str, expected: str) -> None:
    assert escape_text(text) == expected


def test_escape_text_rejects_unknown_character() -> None:
    with pytest.raises(LatexBuildError, match=r"^cannot write '½' \(U\+00BD\) in 'half is ½' as LaTeX; put the mathematics"):
        escape_text("half is ½")


s = sp.Symbol("s", real=True)
u = sp.Symbol("u", real=True)
k, n = sp.Symbol("k", integer=True), sp.Symbol("n", integer=True, positive=True)
x_entry = sp.IndexedBase("x")
TOTAL = sp.Sum(x_entry[k], (k, 1, n))


def _derivation() -> Derivation:
    return Derivation(
        id="t/derivation",
        title="a sigmoid slope",
        lhs=sp.Derivative(sigmoid(TOTAL), x_entry[k], evaluate=False),
        steps=[
            Step(sp.Subs(sp.Derivative(sigmoid(u), u), u, TOTAL), "chain rule; 50% & x_1 #"),
            Step(sigmoid(TOTAL) * (1 - sigmoid(TOTAL)), "sigmoid derivative."),
        ],
        stated=sigmoid(TOTAL) * (1 - sigmoid(TOTAL)),
    )


def test_derivation_numbers_each_step() -> None:
    text = render_derivation(ShowDerivation(_derivation()))
    assert text.count(r"\overset{\text{(1)}}{=}") == 1
    assert text.count(r"\overset{\text{(2)}}{=}") == 1
    assert re.search(r"^\\stepnotes\{\\textup\{\(1\)\}~chain rule; 50\\% \\& x\\_1 \\#\.\\quad$", text, re.M)
    # A justification that ends with a full stop gets no second one.
    assert r"\textup{(2)}~sigmoid derivative.}" in text


def test_derivation_uses_display_names() -> None:
    plain = render_derivation(ShowDerivation(_derivation()))
    named = render_derivation(ShowDerivation(_derivation(), names={TOTAL: sp.Symbol("t")}))
    assert r"\sum" in plain
    assert r"\sum" not in named
    assert r"\phi'\left(t\right)" in named
    assert r"\frac{\partial}{\partial x_{k}} \phi\left(t\right)" in named


def test_equation_chain_and_names() -> None:
    block = Equation(TeX(r"\phi'(s)"), [sigmoid(TOTAL) * (1 - sigmoid(TOTAL)), TeX("q")], names={TOTAL: "T"})
    assert render_block(block) == (
        "\\begin{equation*}\n"
        r"\phi'(s) = \phi\left(T\right) \left(1 - \phi\left(T\right)\right) = q" "\n"
        "\\end{equation*}\n"
    )


def test_paragraph_and_list() -> None:
    paragraph = Paragraph("Slope ", Math(sigmoid(s)), " & more")
    assert render_block(paragraph) == "Slope $\\phi\\left(s\\right)$ \\& more\n\n"
    assert render_block(ItemList((paragraph,))) == "\\begin{itemize}\n  \\item Slope $\\phi\\left(s\\right)$ \\& more\n\\end{itemize}\n"


def test_unknown_block_rejected() -> None:
    with pytest.raises(TypeError, match=r"^cannot typeset a block of type int$"):
        render_block(3)


TIKZ = "\\begin{tikzpicture}\n\\draw[->] (0,0) -- (1,1) node[right] {$x_1$};\n\\end{tikzpicture}"


def test_figure_wraps_tikz() -> None:
    text = render_figure(Figure(TIKZ, "A line, 100% straight"))
    assert text.startswith("\\begin{figure}[htbp]\n\\centering\n\\begin{tikzpicture}")
    assert "\\caption{A line, 100\\% straight}" in text


REJECTED_FIGURES = [
    ("not-tikz", "\\includegraphics{x.png}", r"^figure 'caption': the source must be one tikzpicture environment, but it starts with "),
    ("usepackage", "\\begin{tikzpicture}\\usepackage{pgfplots}\\end{tikzpicture}", r"^figure 'caption': \\usepackage is not allowed in a figure; only standard TikZ"),
    ("pgfplots-axis", "\\begin{tikzpicture}\\begin{axis}\\end{axis}\\end{tikzpicture}", r"^figure 'caption': \\begin\{axis\} is not allowed"),
    ("file-write", "\\begin{tikzpicture}\\immediate\\write18{ls}\\end{tikzpicture}", r"^figure 'caption': \\immediate is not allowed"),
]


@pytest.mark.parametrize(("source", "message"), [case[1:] for case in REJECTED_FIGURES], ids=[case[0] for case in REJECTED_FIGURES])
def test_figure_rejects_non_tikz(source: str, message: str) -> None:
    with pytest.raises(LatexBuildError, match=message):
        render_figure(Figure(source, "caption"))


ERRATUM = Erratum(question="1b", reference_says="slope is 0", what_holds="slope > 0 & < 1/4", why="phi' = phi(1 - phi).")


def test_errata_list_every_entry() -> None:
    text = render_errata([ERRATUM, Erratum("8", "no data", "six points", "reconstructed")])
    assert text.startswith("\\section*{Errata to the reference solutions}\n\\begin{description}\n")
    assert "\\item[Question 1(b)] \\textit{Reference:} slope is 0.\\par\n" in text
    assert "\\textit{Verified:} slope \\textgreater{} 0 \\& \\textless{} 1/4.\\par\n" in text
    assert "\\textit{Why:} phi' = phi(1 - phi).\n" in text
    assert "\\item[Question 8] \\textit{Reference:} no data." in text


def test_errata_section_when_none() -> None:
    assert render_errata([]) == (
        "\\section*{Errata to the reference solutions}\n"
        "The reference solutions agree with every verified claim on this sheet.\n"
    )


def _result(part: Part, method: Method, accepted: str | None = None) -> ClaimResult:
    claim = Claim(id="t/c", statement="s = s", obtained=s, stated=s)
    return ClaimResult(part, claim, Verdict(method, "detail", accepted_reason=accepted))


def test_verification_summary_counts_methods() -> None:
    part = Part(id="1", title="t")
    results = [
        _result(part, Method.NUMERIC),
        _result(part, Method.PROVED),
        _result(part, Method.PROVED),
        _result(part, Method.UNDECIDED, accepted="bounded below"),
    ]
    assert verification_summary(results) == (
        "Verified: 4 claims, 2 proved symbolically, 1 checked numerically only, "
        "1 undecided but accepted with a stated reason."
    )
    assert verification_summary(results[1:2]) == "Verified: 1 claim, 1 proved symbolically."
    assert verification_summary([]) == "No claims checked."


def _paper(prose: str = "Prose 50% & x_1 # here.") -> tuple[Paper, list[tuple[Answer, Part]], list[ClaimResult]]:
    first = Part(id="2a", title="First & best", body=[Paragraph(prose), ShowDerivation(_derivation())], errata=[ERRATUM])
    second = Part(id="2b", title="Second", body=[Figure(TIKZ, "The line")])
    whole = Part(id="10", title="Whole", body=[Paragraph("Only part.")])
    same_title = Part(id="11", title="Eleventh", body=[Paragraph("Untitled part.")])
    answers = [
        Answer("10", "Tenth", ("10",), lambda: [whole]),
        Answer("2", "Second answer", ("2a", "2b"), lambda: [first, second]),
        Answer("11", "Eleventh", ("11",), lambda: [same_title]),
    ]
    paper = Paper(id="t", title="Test sheet", course="Course_1", answers=answers)
    selection = [(answer, part) for answer in paper.answers for part in answer.parts]
    results = [
        _result(first, Method.PROVED),
        _result(second, Method.IDENTITY_TESTED),
        _result(whole, Method.PROVED),
        _result(same_title, Method.PROVED),
    ]
    return paper, selection, results


def test_document_layout() -> None:
    paper, selection, results = _paper()
    text = render_document(paper, selection, results)
    assert "\\title{Course\\_1: Test sheet}" in text
    headings = re.findall(r"^\\(section|subsection)\*\{(.*)\}$", text, re.M)
    assert headings == [
        ("section", "2. Second answer"),
        ("subsection", "(a) First \\& best"),
        ("subsection", "(b) Second"),
        ("section", "10. Tenth"),
        ("subsection", "Whole"),
        ("section", "11. Eleventh"),
        ("section", "Errata to the reference solutions"),
    ]
    assert "\\section*{11. Eleventh}\nUntitled part.\n\n\\verificationnote{" in text
    assert text.count("\\verificationnote{Verified: 1 claim, 1 proved symbolically.}") == 3
    assert "\\verificationnote{Verified: 1 claim, 1 identity-tested at exact random points.}" in text
    assert text.endswith("\\end{document}\n")


def test_document_is_deterministic() -> None:
    assert render_document(*_paper()) == render_document(*_paper())


@pytest.mark.parametrize("prose", ["50% & x_1 #", "$ { } \\ ^ ~ < > | café φ -> W^T Σ⁻¹ h̃"], ids=["codec-specials", "hand-escapes"])
def test_prose_compiles(prose: str) -> None:
    require_programs("pdflatex")
    paper, selection, results = _paper(prose)
    pdf = compile_pdf(render_document(paper, selection, results), find_engine())
    assert pdf.startswith(b"%PDF-")


def test_sheet_uses_no_bitmap_fonts(tmp_path: Path) -> None:
    require_programs("pdflatex", "pdffonts")
    paper, selection, results = _paper("$ { } \\ ^ ~ < > | café φ -> W^T Σ⁻¹ h̃ “quoted” – — …")
    item = Paragraph("item 50% & x_1 #")
    selection[0][1].body.append(ItemList((item,)))
    pdf = tmp_path / "sheet.pdf"
    pdf.write_bytes(compile_pdf(render_document(paper, selection, results), find_engine()))
    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True, timeout=60).stdout
    # pdfTeX embeds a font that exists only as a bitmap (PK) as Type 3.
    assert "Type 3" not in fonts, fonts
