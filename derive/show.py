"""`derive show`: a part's derivations and claims as readable Unicode in the terminal."""

from __future__ import annotations

from collections.abc import Sequence

import sympy as sp

from derive.check import ClaimResult
from derive.claims import failure_message
from derive.display import pretty
from derive.paper import Answer, Equation, Figure, ItemList, Math, Paragraph, Part, ShowDerivation, TeX
from derive.verdict import Verdict


def _pretty(value: object) -> str:
    if isinstance(value, TeX):
        return value.source
    if isinstance(value, Math):
        value = value.value
    return pretty(value)


def _inline(value: object) -> str:
    if isinstance(value, TeX):
        return value.source
    if isinstance(value, Math):
        value = value.value
    return sp.sstr(value)


def _side_by_side(left: str, middle: str, right: str) -> str:
    """Join two multi-line pretty prints around a relation, aligned on their baselines."""
    left_lines, right_lines = left.splitlines() or [""], right.splitlines() or [""]
    height = max(len(left_lines), len(right_lines))
    left_width = max(len(line) for line in left_lines)

    def padded(lines: list[str], width: int) -> list[str]:
        top = (height - len(lines)) // 2
        bottom = height - len(lines) - top
        return [" " * width] * top + [line.ljust(width) for line in lines] + [" " * width] * bottom

    middle_row = height // 2
    rows = []
    for row, (first, second) in enumerate(zip(padded(left_lines, left_width), padded(right_lines, 0))):
        relation = f" {middle} " if row == middle_row else " " * (len(middle) + 2)
        rows.append((first + relation + second).rstrip())
    return "\n".join(rows)


def _verdict_note(verdict: Verdict | None) -> str:
    if verdict is None:
        return ""
    return f" {'ok' if verdict.holds else 'FAIL'}: {verdict.summary()}"


def _paragraph_text(paragraph: Paragraph) -> str:
    return "".join(piece if isinstance(piece, str) else _inline(piece) for piece in paragraph.pieces)


def show_parts(selection: Sequence[tuple[Answer, Part]], results: Sequence[ClaimResult] | None = None) -> str:
    """Return the terminal rendering of the selected parts.

    With `results` (from `check_parts` on the same selection) each claim shows
    its verdict, each derivation step shows how it was checked against the step
    before, and each failure shows its report.
    """
    out: list[str] = []
    for answer, part in selection:
        verdicts = {result.claim.id: result.verdict for result in results or () if result.part is part}
        out.append(f"== {part.id}: {part.title} ({answer.title}) ==")
        for block in part.body:
            if isinstance(block, Paragraph):
                out.append(_paragraph_text(block))
            elif isinstance(block, ItemList):
                out.extend(f"  - {_paragraph_text(item)}" for item in block.items)
            elif isinstance(block, Figure):
                out.append(f"[figure: {block.caption}]")
            elif isinstance(block, Equation):
                sides = block.rhs if isinstance(block.rhs, (list, tuple)) else [block.rhs]
                text = _pretty(block.lhs)
                for side in sides:
                    text = _side_by_side(text, block.relation, _pretty(side))
                out.append(text)
            elif isinstance(block, ShowDerivation):
                derivation = block.derivation
                out.append(f"-- derivation: {derivation.title}")
                out.append(_pretty(derivation.lhs))
                for number, step in enumerate(derivation.steps, start=1):
                    note = _verdict_note(verdicts.get(f"{derivation.id}/step{number}"))
                    out.append(f"  step {number} [{step.justification}]{note}")
                    out.append(_side_by_side("", "=", _pretty(step.shown)))
                stated = verdicts.get(f"{derivation.id}/stated")
                if stated is not None:
                    out.append(f"  last step against the stated form{_verdict_note(stated)}")
        claims = part.all_claims()
        if results is None:
            out.append(f"-- {len(claims)} claims (run `derive show --check {part.id}` to verify them)")
            for claim in claims:
                out.append(f"  {claim.id}: {claim.statement}")
        else:
            passing = sum(1 for claim in claims if claim.id in verdicts and verdicts[claim.id].holds)
            out.append(f"-- {len(claims)} claims, {passing} hold")
            for claim in claims:
                verdict = verdicts.get(claim.id)
                if verdict is None:
                    out.append(f"  ?    {claim.id}: {claim.statement} (not checked)")
                    continue
                out.append(f"  {'ok  ' if verdict.holds else 'FAIL'} {claim.id}: {claim.statement}")
                out.append(f"       {verdict.summary()}")
                if not verdict.holds:
                    out.extend("       " + line.lstrip() for line in failure_message(claim, verdict).splitlines()[1:])
        out.append("")
    return "\n".join(out)
