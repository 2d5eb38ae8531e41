"""Papers, answers and parts, and the blocks of content a part prints on the sheet."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from derive.claims import Claim, Derivation
from derive.errors import MalformedClaim

# --- content blocks ----------------------------------------------------------------------------


@dataclass(frozen=True)
class TeX:
    """A fragment of LaTeX written by the author of an answer (notation, not a checked result)."""

    source: str


@dataclass(frozen=True)
class Math:
    """A SymPy object printed inline with the house printer."""

    value: object


@dataclass(frozen=True)
class Paragraph:
    """Prose. `str` pieces are text and are escaped; `Math` and `TeX` pieces are mathematics."""

    pieces: tuple[object, ...]

    def __init__(self, *pieces: object) -> None:
        object.__setattr__(self, "pieces", pieces)


@dataclass(frozen=True)
class Equation:
    """A displayed relation ``lhs relation rhs``; `rhs` may be a list for a chain of equal forms."""

    lhs: object
    rhs: object
    relation: str = "="
    label: str | None = None
    # Display names for subexpressions, printed in their place (see `derive.latex`).
    names: Mapping[object, object] = field(default_factory=dict, hash=False)


@dataclass(frozen=True)
class ShowDerivation:
    """A derivation printed as an aligned chain with each step's justification.

    `names` maps subexpressions to display forms, such as a sum to the symbol
    ``z_j`` it defines; they change the printing only (see `derive.latex`).
    """

    derivation: Derivation
    names: Mapping[object, object] = field(default_factory=dict, hash=False)


@dataclass(frozen=True)
class Figure:
    """A figure whose LaTeX (TikZ or pgfplots) is generated from verified numbers."""

    source: str
    caption: str


@dataclass(frozen=True)
class ItemList:
    """A bulleted list of paragraphs."""

    items: tuple[Paragraph, ...]


Block = Paragraph | Equation | ShowDerivation | Figure | ItemList


@dataclass(frozen=True)
class Erratum:
    """One place where the reference solutions differ from what was verified."""

    question: str
    reference_says: str
    what_holds: str
    why: str


@dataclass
class Part:
    """One lettered part of an answer (or the whole answer when it has no parts)."""

    id: str
    title: str
    body: Sequence[Block] = ()
    claims: Sequence[Claim] = ()
    derivations: Sequence[Derivation] = ()
    errata: Sequence[Erratum] = ()

    def all_claims(self) -> list[Claim]:
        """Return the part's own claims followed by every derivation's step claims."""
        result = list(self.claims)
        for derivation in self.derivations:
            result.extend(derivation.claims())
        return result


@dataclass
class Answer:
    """One numbered answer; its parts are built on first use, because building runs SymPy.

    `part_ids` lists the ids the parts will have, so ids can be validated
    without building anything.
    """

    number: str
    title: str
    part_ids: tuple[str, ...]
    build: Callable[[], Sequence[Part]]
    _parts: list[Part] | None = field(default=None, repr=False)

    @property
    def parts(self) -> list[Part]:
        if self._parts is None:
            parts = list(self.build())
            built_ids = tuple(part.id for part in parts)
            if built_ids != self.part_ids:
                raise MalformedClaim(
                    f"answer {self.number} declares parts {self.part_ids} but built {built_ids}"
                )
            self._parts = parts
        return self._parts


@dataclass
class Paper:
    """A set of answers typeset as one solution sheet."""

    id: str
    title: str
    course: str
    answers: Sequence[Answer]
    preamble_notes: Sequence[Block] = ()

    def __post_init__(self) -> None:
        # Answers are kept in the paper's numbering order, however they were listed.
        self.answers = sorted(self.answers, key=lambda answer: int(answer.number))

    def answer(self, number: str) -> Answer | None:
        return next((answer for answer in self.answers if answer.number == number), None)
