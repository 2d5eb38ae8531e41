"""Typeset checked parts as LaTeX, and write output files atomically."""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path

import latexcodec  # noqa: F401  (registers the "latex" codec)

from derive.check import ClaimResult
from derive.errors import LatexBuildError
from derive.latex import to_latex
from derive.paper import Answer, Equation, Erratum, Figure, ItemList, Math, Paper, Paragraph, Part, ShowDerivation, TeX
from derive.verdict import Method

# Characters latexcodec (3.0) passes through unchanged but LaTeX treats as special.
_UNESCAPED_BY_CODEC = {
    "\\": r"\textbackslash{}",
    "{": r"\{",
    "}": r"\}",
    # \textdollar comes from the TS1 bitmap font in OT1, the math dollar from cmr.
    "$": r"\ensuremath{\$}",
    "^": r"\textasciicircum{}",
    # In the OT1 font encoding these print as other glyphs (¡, ¿ and an em dash).
    "<": r"\textless{}",
    ">": r"\textgreater{}",
    "|": r"\textbar{}",
}
# Mathematical characters that prose may use and latexcodec cannot encode.
_MATH_CHARACTERS = {
    "⊙": r"\ensuremath{\odot}",
    "φ": r"\ensuremath{\phi}",
    "σ": r"\ensuremath{\sigma}",
    "μ": r"\ensuremath{\mu}",
    "λ": r"\ensuremath{\lambda}",
    "δ": r"\ensuremath{\delta}",
    "ε": r"\ensuremath{\varepsilon}",
    "Σ": r"\ensuremath{\Sigma}",
    "∂": r"\ensuremath{\partial}",
    "→": r"\ensuremath{\to}",
    "≤": r"\ensuremath{\le}",
    "≥": r"\ensuremath{\ge}",
    "≠": r"\ensuremath{\ne}",
    "∞": r"\ensuremath{\infty}",
    "·": r"\ensuremath{\cdot}",
    "ᵀ": r"\ensuremath{^{\mathsf{T}}}",
    "‖": r"\ensuremath{\|}",
    "−": "-",
    "⁻": r"\ensuremath{^{-}}",
    "⁺": r"\ensuremath{^{+}}",
}
_UNESCAPED_BY_CODEC.update(_MATH_CHARACTERS)
# Two-character spellings in prose: "W^T" is a transpose, "->" an arrow.
_DIGRAPHS = {"^T": r"\ensuremath{^{\mathsf{T}}}", "->": r"\ensuremath{\to}"}
# A letter followed by a combining accent (h̃ is "h" and U+0303) becomes the math accent.
_COMBINING_ACCENTS = {"\u0302": r"\hat", "\u0303": r"\tilde", "\u0304": r"\bar", "\u0307": r"\dot"}
_SPECIAL = re.compile(
    r"\^T(?![A-Za-z0-9])|->"
    + "|[A-Za-z][" + "".join(_COMBINING_ACCENTS) + "]"
    + "|[" + re.escape("".join(_UNESCAPED_BY_CODEC)) + "]"
)


def _replacement(special: str) -> str:
    if special in _DIGRAPHS:
        return _DIGRAPHS[special]
    if len(special) == 2:
        return rf"\ensuremath{{{_COMBINING_ACCENTS[special[1]]}{{{special[0]}}}}}"
    return _UNESCAPED_BY_CODEC[special]


def _encode(text: str, whole: str) -> str:
    try:
        return text.encode("latex").decode("ascii")
    except UnicodeEncodeError as error:
        character = error.object[error.start]
        raise LatexBuildError(
            f"cannot write {character!r} (U+{ord(character):04X}) in {whole[:60]!r} as LaTeX; "
            "put the mathematics in a TeX or Math piece, or add the character to derive.sheet._MATH_CHARACTERS"
        ) from error


def escape_text(text: str) -> str:
    """Encode prose for LaTeX: latexcodec for accents and %&#_~, hand escapes for \\ { } $ ^ < > |.

    ``^T`` at the end of a word becomes a transposition superscript, ``->`` an
    arrow, a letter with a combining tilde, hat, bar or dot the math accent, and
    a few mathematical characters (⊙, φ, →, ≤, ...) inline math. Raises
    `LatexBuildError` naming any other character latexcodec cannot encode.
    """
    pieces = []
    position = 0
    for match in _SPECIAL.finditer(text):
        pieces.append(_encode(text[position : match.start()], text))
        pieces.append(_replacement(match.group()))
        position = match.end()
    pieces.append(_encode(text[position:], text))
    # Two formulas from latexcodec side by side ("π¹") would read as "$$", which opens display math.
    return "".join(pieces).replace("$$", "${}$")


def _sentence(text: str) -> str:
    """Escape `text` and end it with a full stop unless it ends with one already."""
    stripped = text.rstrip()
    return escape_text(stripped if stripped.endswith((".", "!", "?")) else stripped + ".")


# --- mathematics and content blocks ---------------------------------------------------------


def _math(value: object, names: Mapping[object, object] | None = None) -> str:
    if isinstance(value, TeX):
        return value.source
    if isinstance(value, Math):
        return to_latex(value.value, names=names)
    return to_latex(value, names=names)


def render_paragraph(paragraph: Paragraph) -> str:
    parts = []
    for piece in paragraph.pieces:
        if isinstance(piece, str):
            parts.append(escape_text(piece))
        else:
            parts.append(f"${_math(piece)}$")
    return "".join(parts)


def render_derivation(block: ShowDerivation) -> str:
    """Typeset a derivation as an aligned chain with a numbered note per step.

    Each equals sign carries the step's number, and the justifications follow
    the chain as a small paragraph. Beside the chain they would need a column
    of their own, which overflows the page for long steps.
    """
    derivation = block.derivation
    names = block.names
    lines = []
    notes = []
    for number, step in enumerate(derivation.steps, start=1):
        left = _math(derivation.lhs, names) if number == 1 else ""
        lines.append(f"{left} &\\overset{{\\text{{({number})}}}}{{=}} {_math(step.shown, names)}")
        notes.append(f"\\textup{{({number})}}~{_sentence(step.justification)}")
    chain = "\\begin{align*}\n" + " \\\\\n".join(lines) + "\n\\end{align*}\n"
    return chain + "\\stepnotes{" + "\\quad\n".join(notes) + "}\n"


def render_equation(block: Equation) -> str:
    names = block.names
    right_sides = block.rhs if isinstance(block.rhs, (list, tuple)) else [block.rhs]
    chain = f" {block.relation} ".join(_math(side, names) for side in right_sides)
    return "\\begin{equation*}\n" + f"{_math(block.lhs, names)} {block.relation} {chain}\n" + "\\end{equation*}\n"


# Commands a generated figure must not contain: file and shell access, and
# changes to the document's set-up. TikZ's own commands are all allowed.
_FORBIDDEN_IN_FIGURE = re.compile(
    r"\\(?:usepackage|RequirePackage|documentclass|input|include|openin|openout|read|write|immediate"
    r"|directlua|catcode|special|pdfliteral|begin\{(?:document|axis)\})(?![A-Za-z])"
)


def render_figure(block: Figure) -> str:
    """Typeset a TikZ figure; raise `LatexBuildError` unless it is one plain ``tikzpicture``."""
    source = block.source.strip()
    if not (source.startswith(r"\begin{tikzpicture}") and source.endswith(r"\end{tikzpicture}")):
        raise LatexBuildError(
            f"figure {block.caption[:40]!r}: the source must be one tikzpicture environment, "
            f"but it starts with {source[:30]!r}"
        )
    forbidden = _FORBIDDEN_IN_FIGURE.search(source)
    if forbidden is not None:
        raise LatexBuildError(
            f"figure {block.caption[:40]!r}: {forbidden.group()} is not allowed in a figure; "
            "only standard TikZ commands are (pgfplots and file access are not)"
        )
    return "\\begin{figure}[htbp]\n\\centering\n" + source + "\n\\caption{" + escape_text(block.caption) + "}\n\\end{figure}\n"


def render_block(block: object) -> str:
    """Return the LaTeX of one content block."""
    if isinstance(block, Paragraph):
        return render_paragraph(block) + "\n\n"
    if isinstance(block, Equation):
        return render_equation(block)
    if isinstance(block, ShowDerivation):
        return render_derivation(block)
    if isinstance(block, ItemList):
        items = "".join(f"  \\item {render_paragraph(item)}\n" for item in block.items)
        return "\\begin{itemize}\n" + items + "\\end{itemize}\n"
    if isinstance(block, Figure):
        return render_figure(block)
    raise TypeError(f"cannot typeset a block of type {type(block).__name__}")


# --- parts, answers and errata --------------------------------------------------------------


def verification_summary(results: Sequence[ClaimResult]) -> str:
    """Return a one-line count of claims per method, strongest method first."""
    counts: dict[str, int] = {}
    for method in Method:
        for result in results:
            if result.verdict.method is not method:
                continue
            key = method.value
            if method is Method.UNDECIDED and result.verdict.accepted_reason:
                key = "undecided but accepted with a stated reason"
            counts[key] = counts.get(key, 0) + 1
    if not results:
        return "No claims checked."
    noun = "claim" if len(results) == 1 else "claims"
    detail = ", ".join(f"{count} {name}" for name, count in counts.items())
    return f"Verified: {len(results)} {noun}, {detail}."


def _part_label(answer: Answer | None, part: Part) -> str:
    """Return "(b)" for part 1b of answer 1, and "" for a part that is the whole answer."""
    if answer is None:
        return f"({part.id})"
    if part.id == answer.number:
        return ""
    if part.id.startswith(answer.number):
        return f"({part.id[len(answer.number):]})"
    return f"({part.id})"


def render_part(part: Part, results: Sequence[ClaimResult], answer: Answer | None = None) -> str:
    own = [result for result in results if result.part is part]
    body = "".join(render_block(block) for block in part.body)
    label = _part_label(answer, part)
    note = escape_text(verification_summary(own))
    if not label and answer is not None and part.title == answer.title:
        # A part that is the whole answer under the answer's own title needs no heading of its own.
        return f"{body}\\verificationnote{{{note}}}\n"
    heading = escape_text(part.title) if not label else f"{label} {escape_text(part.title)}"
    return f"\\subsection*{{{heading}}}\n{body}\\verificationnote{{{note}}}\n"


def _question_label(question: str) -> str:
    match = re.fullmatch(r"(\d+)([a-z]+)", question)
    return escape_text(question) if match is None else f"{match.group(1)}({match.group(2)})"


def render_errata(errata: Sequence[Erratum]) -> str:
    """Return the errata section, listing every erratum in order, or saying there are none."""
    heading = "\\section*{Errata to the reference solutions}\n"
    if not errata:
        return heading + "The reference solutions agree with every verified claim on this sheet.\n"
    items = "".join(
        f"  \\item[Question {_question_label(entry.question)}] "
        f"\\textit{{Reference:}} {_sentence(entry.reference_says)}\\par\n"
        f"    \\textit{{Verified:}} {_sentence(entry.what_holds)}\\par\n"
        f"    \\textit{{Why:}} {_sentence(entry.why)}\n"
        for entry in errata
    )
    return heading + "\\begin{description}\n" + items + "\\end{description}\n"


# Only packages from Debian's texlive-latex-base, -latex-recommended, -fonts-recommended
# and -pictures. No lmodern and no T1 font encoding: both make TeX generate bitmap fonts.
# The pdfTeX settings drop the dates and the trailer id, so a PDF is reproducible.
PREAMBLE = r"""\documentclass[a4paper,11pt]{article}
\ifdefined\pdftrailerid
  \pdftrailerid{}
  \pdfinfoomitdate=1
  \pdfsuppressptexinfo=-1
\fi
\usepackage[utf8]{inputenc}
\usepackage{amsmath,amssymb,amsfonts,bm}
\usepackage[margin=2.5cm]{geometry}
\usepackage{tikz}
\usetikzlibrary{arrows.meta,calc,positioning}
% The default bullets of list levels 1, 3 and 4 come from the TS1 text companion font,
% which exists only as a bitmap font without cm-super; the math symbols are Type 1.
\renewcommand{\labelitemi}{$\bullet$}
\renewcommand{\labelitemiii}{$\ast$}
\renewcommand{\labelitemiv}{$\cdot$}
\newcommand{\verificationnote}[1]{\par\smallskip{\footnotesize\itshape #1}\par\medskip}
\newcommand{\stepnotes}[1]{\par{\footnotesize\noindent #1\par}\medskip}
\allowdisplaybreaks
"""


def render_document(paper: Paper, selection: Sequence[tuple[Answer, Part]], results: Sequence[ClaimResult]) -> str:
    """Return the full LaTeX document for the selected parts, deterministic for the same input.

    Answers appear in the order of `selection` (the paper's order when it comes
    from `registry.select_parts`), and the errata of every selected part are
    collected in a final section.
    """
    title = escape_text(f"{paper.course}: {paper.title}")
    lines = [PREAMBLE, f"\\title{{{title}}}\n\\author{{}}\n\\date{{}}\n", "\\begin{document}\n\\maketitle\n"]
    lines.extend(render_block(block) for block in paper.preamble_notes)
    current: Answer | None = None
    errata: list[Erratum] = []
    for answer, part in selection:
        if answer is not current:
            lines.append(f"\\section*{{{escape_text(answer.number + '. ' + answer.title)}}}\n")
            current = answer
        lines.append(render_part(part, results, answer))
        errata.extend(part.errata)
    lines.append(render_errata(errata))
    lines.append("\\end{document}\n")
    return "".join(lines)


def write_atomically(path: Path, content: str | bytes) -> None:
    """Write `content` to a temporary file beside `path`, then rename it over `path`."""
    path.parent.mkdir(parents=True, exist_ok=True)
    data = content.encode("utf-8") if isinstance(content, str) else content
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(temporary, 0o644)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
