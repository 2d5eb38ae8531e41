"""`derive build`: verify every answer of a paper, then write its LaTeX files."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from derive.check import check_parts
from derive.errors import CheckError
from derive.paper import Paper
from derive.registry import select_parts
from derive.sheet import render_document, write_atomically
from derive.verdict import Method, Verdict
from derive.verify import CheckSettings


def build_outputs(
    paper: Paper,
    out_dir: Path,
    settings: CheckSettings,
    progress: Callable[[str], None] | None = None,
) -> list[Path]:
    """Check every claim of `paper`; if all hold, write the sheet and one file per answer.

    Files go to ``out_dir / paper.id``: ``sheet.tex`` with every answer, and
    ``answer-N.tex`` for each answer on its own. Every document is rendered
    before the first file is written, and each file is replaced atomically, so
    a failed check or a rendering error leaves the previous outputs untouched.
    Raises `CheckError` listing the failures when a claim does not hold.
    """
    selection = select_parts(paper, [])
    results = check_parts(selection, settings)
    failures = [result for result in results if not result.holds]
    if failures:
        report = "\n\n".join(result.failure() for result in failures)
        worst = failures[0].verdict
        raise CheckError(
            f"{len(failures)} of {len(results)} claims do not hold; nothing was written\n\n{report}",
            worst if worst.method is not Method.UNDECIDED else Verdict(Method.UNDECIDED, worst.detail),
        )
    if progress is not None:
        progress(f"all {len(results)} claims of {paper.id} hold")

    documents = {"sheet.tex": render_document(paper, selection, results)}
    for answer in paper.answers:
        own = [(owner, part) for owner, part in selection if owner is answer]
        documents[f"answer-{answer.number}.tex"] = render_document(paper, own, results)

    folder = out_dir / paper.id
    written = []
    for name in sorted(documents):
        path = folder / name
        write_atomically(path, documents[name])
        written.append(path)
    return written
