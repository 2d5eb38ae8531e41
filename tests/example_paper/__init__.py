"""A one-answer example paper: the model and the registration that docs/authoring.md walks through.

`tests/test_authoring.py` checks and builds it, so the guide's example keeps working.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable

from derive.paper import Answer, Paper, Part


def _builder(module: str) -> Callable[[], list[Part]]:
    # Import the answer module on first build, so listing the paper and validating ids stay cheap.
    def build() -> list[Part]:
        return importlib.import_module(f"{__name__}.{module}").build()

    return build


PAPER = Paper(
    id="example",
    title="Worked example for the authoring guide",
    course="Deep Learning and Structured Data",
    answers=[
        Answer("1", "Gradient of a least-squares layer", ("1a", "1b"), _builder("q1")),
    ],
)
