"""`derive build`: verify every answer of a paper, then write its LaTeX files and, on request, the PDF."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from derive.cache import ProofCache
from derive.check import ClaimResult, check_parts
from derive.errors import CheckError
from derive.paper import Answer, Paper, Part
from derive.registry import select_parts
from derive.sheet import render_document, write_atomically
from derive.texbuild import NO_ENGINE_MESSAGE, compile_pdf, find_engine
from derive.verdict import Method, Verdict
from derive.verify import CheckSettings

SHEET = "sheet.tex"
SHEET_PDF = "sheet.pdf"


def render_outputs(
    paper: Paper, selection: Sequence[tuple[Answer, Part]], results: Sequence[ClaimResult]
) -> dict[str, str]:
    """Return file name -> LaTeX: ``sheet.tex`` with every selected answer, and ``answer-N.tex`` for each."""
    documents = {SHEET: render_document(paper, selection, results)}
    for answer in paper.answers:
        own = [(owner, part) for owner, part in selection if owner is answer]
        if own:
            documents[f"answer-{answer.number}.tex"] = render_document(paper, own, results)
    return documents


def _require_all_hold(results: Sequence[ClaimResult]) -> None:
    failures = [result for result in results if not result.holds]
    if not failures:
        return
    report = "\n\n".join(result.failure() for result in failures)
    worst = failures[0].verdict
    raise CheckError(
        f"{len(failures)} of {len(results)} claims do not hold; nothing was written\n\n{report}",
        worst if worst.method is not Method.UNDECIDED else Verdict(Method.UNDECIDED, worst.detail),
    )


def build_outputs(
    paper: Paper,
    out_dir: Path,
    settings: CheckSettings,
    progress: Callable[[str], None] | None = None,
    pdf: bool = False,
    ids: Sequence[str] = (),
    cache: ProofCache | None = None,
) -> list[Path]:
    """Check the claims of `paper`; if all hold, write the sheet, one file per answer and, with `pdf`, the PDF.

    Files go to ``out_dir / paper.id``: ``sheet.tex`` with every answer, and
    ``answer-N.tex`` for each answer on its own. `ids` restricts the build to
    some answers or parts (default: all); `cache` is passed to `check_parts`. With `pdf`, ``sheet.tex`` is compiled
    in a temporary directory before anything is written and ``sheet.pdf`` is
    written last; when no TeX engine is installed the ``.tex`` files are still
    written and `progress` receives a one-line notice saying how to install one.

    Every document is rendered (and compiled) before the first file is written,
    and each file is replaced atomically, so a failed check, a rendering error
    or a failed compilation leaves the previous outputs untouched. A build that
    writes no PDF removes an older ``sheet.pdf``, which would no longer match. Raises
    `CheckError` listing the failures when a claim does not hold, and
    `LatexBuildError` with TeX's error lines when compilation fails.
    """
    report = progress if progress is not None else (lambda line: None)
    selection = select_parts(paper, list(ids))
    results = check_parts(selection, settings, cache=cache)
    _require_all_hold(results)
    report(f"all {len(results)} claims of {paper.id} hold")

    documents: dict[str, str | bytes] = dict(render_outputs(paper, selection, results))
    if pdf:
        engine = find_engine()
        if engine is None:
            report(NO_ENGINE_MESSAGE)
        else:
            report(f"compiling {SHEET} with {engine.name}")
            documents[SHEET_PDF] = compile_pdf(str(documents[SHEET]), engine, jobname=Path(SHEET).stem)

    folder = out_dir / paper.id
    written = []
    # Sorted names put answer-N.tex before sheet.pdf and sheet.tex; the PDF comes last so it
    # never lands beside an older sheet.tex.
    for name in sorted(documents, key=lambda name: (name == SHEET_PDF, name)):
        path = folder / name
        write_atomically(path, documents[name])
        written.append(path)

    # A PDF from an earlier build no longer matches the new sheet.tex: remove it rather than
    # leave a stale sheet that looks current.
    stale_pdf = folder / SHEET_PDF
    if SHEET_PDF not in documents and stale_pdf.exists():
        stale_pdf.unlink()
        report(f"removed {stale_pdf}, which predates this sheet; build with --pdf to regenerate it")
    return written
