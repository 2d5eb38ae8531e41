"""Typeset checked parts as LaTeX, and write output files atomically."""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Sequence
from pathlib import Path

import latexcodec  # noqa: F401  (registers the "latex" codec)

from derive.check import ClaimResult
from derive.paper import Answer, Equation, Erratum, Figure, ItemList, Math, Paper, Paragraph, Part, ShowDerivation, TeX
from derive.latex import to_latex
from derive.verdict import Method

# Characters latexcodec (3.0) passes through unchanged but LaTeX treats as special.
_UNESCAPED_BY_CODEC = {
    "\\": r"\textbackslash{}",
    "{": r"\{",
    "}": r"\}",
    "$": r"\$",
    "^": r"\textasciicircum{}",
}
# Mathematical characters that prose may use and latexcodec cannot encode.
_MATH_CHARACTERS = {
    "⊙": r"$\odot$",
    "φ": r"$\phi$",
    "σ": r"$\sigma$",
    "μ": r"$\mu$",
    "λ": r"$\lambda$",
    "δ": r"$\delta$",
    "ε": r"$\varepsilon$",
    "Σ": r"$\Sigma$",
    "∂": r"$\partial$",
    "→": r"$\to$",
    "≤": r"$\le$",
    "≥": r"$\ge$",
    "≠": r"$\ne$",
    "∞": r"$\infty$",
    "·": r"$\cdot$",
    "ᵀ": r"$^{\mathsf{T}}$",
    "‖": r"$\|$",
    "−": "-",
}
_UNESCAPED_BY_CODEC.update(_MATH_CHARACTERS)
_SPECIAL = re.compile("[" + re.escape("".join(_UNESCAPED_BY_CODEC)) + "]")


def escape_text(text: str) -> str:
    """Encode prose for LaTeX: latexcodec for accents and %&#_~, hand escapes for \\ { } $ ^.

    A few mathematical characters (⊙, φ, →, ≤, ...) become inline math. Any
    other character latexcodec cannot encode raises UnicodeEncodeError.
    """
    pieces = []
    position = 0
    for match in _SPECIAL.finditer(text):
        pieces.append(text[position : match.start()].encode("latex").decode("ascii"))
        pieces.append(_UNESCAPED_BY_CODEC[match.group()])
        position = match.end()
    pieces.append(text[position:].encode("latex").decode("ascii"))
    return "".join(pieces)


def _math(value: object) -> str:
    if isinstance(value, TeX):
        return value.source
    if isinstance(value, Math):
        return to_latex(value.value)
    return to_latex(value)


def render_paragraph(paragraph: Paragraph) -> str:
    parts = []
    for piece in paragraph.pieces:
        if isinstance(piece, str):
            parts.append(escape_text(piece))
        else:
            parts.append(f"${_math(piece)}$")
    return "".join(parts)


def render_block(block: object) -> str:
    """Return the LaTeX of one content block."""
    if isinstance(block, Paragraph):
        return render_paragraph(block) + "\n"
    if isinstance(block, Equation):
        right_sides = block.rhs if isinstance(block.rhs, (list, tuple)) else [block.rhs]
        chain = f" {block.relation} ".join(_math(side) for side in right_sides)
        return "\\begin{equation*}\n" + f"{_math(block.lhs)} {block.relation} {chain}\n" + "\\end{equation*}\n"
    if isinstance(block, ShowDerivation):
        derivation = block.derivation
        lines = []
        for number, step in enumerate(derivation.steps):
            left = _math(derivation.lhs) if number == 0 else ""
            note = escape_text(step.justification)
            lines.append(f"{left} &= {_math(step.shown)} && \\text{{{note}}}")
        return "\\begin{align*}\n" + " \\\\\n".join(lines) + "\n\\end{align*}\n"
    if isinstance(block, ItemList):
        items = "".join(f"  \\item {render_paragraph(item)}\n" for item in block.items)
        return "\\begin{itemize}\n" + items + "\\end{itemize}\n"
    if isinstance(block, Figure):
        return (
            "\\begin{figure}[h]\n\\centering\n"
            + block.source.rstrip()
            + "\n\\caption{"
            + escape_text(block.caption)
            + "}\n\\end{figure}\n"
        )
    raise TypeError(f"cannot typeset a block of type {type(block).__name__}")


def _method_counts(results: Sequence[ClaimResult]) -> str:
    counts: dict[Method, int] = {}
    for result in results:
        counts[result.verdict.method] = counts.get(result.verdict.method, 0) + 1
    return ", ".join(f"{count} {method.value}" for method, count in sorted(counts.items(), key=lambda item: item[0].name))


def render_part(part: Part, results: Sequence[ClaimResult]) -> str:
    own = [result for result in results if result.part is part]
    body = "".join(render_block(block) for block in part.body)
    note = escape_text(f"Checked: {len(own)} claims, {_method_counts(own)}.")
    return f"\\paragraph{{({part.id[-1] if part.id[-1].isalpha() else part.id}) {escape_text(part.title)}}}\n{body}\\verificationnote{{{note}}}\n"


def render_errata(errata: Sequence[Erratum]) -> str:
    if not errata:
        return ""
    items = "".join(
        f"  \\item[{escape_text(entry.question)}] \\textit{{Reference:}} {escape_text(entry.reference_says)}. "
        f"\\textit{{Verified:}} {escape_text(entry.what_holds)}. \\textit{{Why:}} {escape_text(entry.why)}.\n"
        for entry in errata
    )
    return "\\section*{Errata to the reference solutions}\n\\begin{description}\n" + items + "\\end{description}\n"


PREAMBLE = r"""\documentclass[a4paper,11pt]{article}
\usepackage[utf8]{inputenc}
\usepackage{amsmath,amssymb,amsfonts,bm}
\usepackage[margin=2.5cm]{geometry}
\usepackage{tikz}
\newcommand{\verificationnote}[1]{\par\smallskip{\footnotesize\itshape #1}\par\medskip}
\allowdisplaybreaks
"""


def render_document(paper: Paper, selection: Sequence[tuple[Answer, Part]], results: Sequence[ClaimResult]) -> str:
    """Return the full LaTeX document for the selected parts, deterministic for the same input."""
    title = escape_text(f"{paper.course}: {paper.title}")
    lines = [PREAMBLE, f"\\title{{{title}}}\n\\date{{}}\n", "\\begin{document}\n\\maketitle\n"]
    current: Answer | None = None
    errata: list[Erratum] = []
    for answer, part in selection:
        if answer is not current:
            lines.append(f"\\section*{{{escape_text(answer.number + '. ' + answer.title)}}}\n")
            current = answer
        lines.append(render_part(part, results))
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
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
