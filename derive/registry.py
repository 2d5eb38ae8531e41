"""The registry of papers, and the lookup of answers and parts by the ids the paper uses."""

from __future__ import annotations

import importlib
from importlib.metadata import entry_points

from derive.errors import UnknownAnswerError, UsageError
from derive.paper import Answer, Paper, Part

# Papers that ship with derive: paper id -> module that defines PAPER.
BUILTIN_PAPERS = {"ep2": "derive.papers.ep2"}
DEFAULT_PAPER = "ep2"
# Other packages add papers through this entry-point group (name = paper id, value = module).
ENTRY_POINT_GROUP = "derive.papers"

_loaded: dict[str, Paper] = {}


def paper_modules() -> dict[str, str]:
    """Return paper id -> module name for built-in and installed papers."""
    modules = dict(BUILTIN_PAPERS)
    for entry in entry_points(group=ENTRY_POINT_GROUP):
        modules.setdefault(entry.name, entry.value)
    return modules


def get_paper(paper_id: str = DEFAULT_PAPER) -> Paper:
    """Import a paper's module once and return its `PAPER`."""
    if paper_id in _loaded:
        return _loaded[paper_id]
    modules = paper_modules()
    if paper_id not in modules:
        known = ", ".join(sorted(set(modules) | set(_loaded)))
        raise UsageError(f"unknown paper {paper_id!r}; known papers: {known}")
    module = importlib.import_module(modules[paper_id])
    paper = getattr(module, "PAPER", None)
    if not isinstance(paper, Paper):
        raise UsageError(f"module {modules[paper_id]!r} does not define PAPER as a derive.paper.Paper")
    _loaded[paper_id] = paper
    return paper


def register_paper(paper: Paper, *, replace: bool = False) -> None:
    """Make `paper` available to `get_paper` under its id, without an entry point.

    Registering the same object twice is allowed. Raises `UsageError` when the
    id belongs to a built-in or installed paper module, or to a different
    registered paper unless `replace` is true (for a paper module imported again).
    """
    if not isinstance(paper, Paper):
        raise TypeError(f"register_paper expects a derive.paper.Paper, got {type(paper).__name__}")
    registered = _loaded.get(paper.id)
    if registered is paper:
        return
    module = paper_modules().get(paper.id)
    if module is not None:
        raise UsageError(f"paper id {paper.id!r} already belongs to module {module!r}; choose another id")
    if registered is not None and not replace:
        raise UsageError(f"a different paper is already registered with id {paper.id!r}")
    _loaded[paper.id] = paper


def select_parts(paper: Paper, ids: list[str]) -> list[tuple[Answer, Part]]:
    """Resolve ids such as '1', '1a' or '4b' to parts, in paper order; all parts when `ids` is empty.

    Every id is validated before any answer is built, and an unknown id raises
    `UnknownAnswerError` naming the valid ones.
    """
    keys = [raw.strip().lower() for raw in ids]
    known = set(valid_ids(paper))
    for raw, key in zip(ids, keys):
        if key not in known:
            raise UnknownAnswerError(
                f"unknown answer id {raw!r} for paper {paper.id}; valid ids: {', '.join(valid_ids(paper))}"
            )

    selected: list[tuple[Answer, Part]] = []
    for answer in paper.answers:
        wanted_ids = {
            part_id
            for part_id in answer.part_ids
            if not keys or answer.number in keys or part_id in keys
        }
        if not wanted_ids:
            continue
        selected.extend((answer, part) for part in answer.parts if part.id in wanted_ids)
    return selected


def valid_ids(paper: Paper) -> list[str]:
    """Return every answer number and part id of a paper, in paper order."""
    ids: list[str] = []
    for answer in paper.answers:
        ids.append(answer.number)
        ids.extend(part_id for part_id in answer.part_ids if part_id != answer.number)
    return ids
