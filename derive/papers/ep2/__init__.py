"""Deep Learning and Structured Data, Examples Paper 2: verified answers.

One module per question, `qN.py`; each defines `build()`, returning that
answer's parts. Modules are imported when an answer is first built, so
`derive list` and id validation do not pay for SymPy work.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable

from derive.paper import Answer, Paper, Part


def _builder(module: str) -> Callable[[], list[Part]]:
    def build() -> list[Part]:
        return importlib.import_module(f"derive.papers.ep2.{module}").build()

    return build


PAPER = Paper(
    id="ep2",
    title="Solutions to Examples Paper 2",
    course="Deep Learning and Structured Data",
    answers=[
        Answer("1", "Residual and highway connections", ("1a", "1b", "1c"), _builder("q1")),
        Answer("2", "Eigen-analysis of a linear recurrence", ("2",), _builder("q2")),
        Answer("3", "Gated recurrent units", ("3a", "3b", "3c"), _builder("q3")),
        Answer("4", "Batch and layer normalisation", ("4a", "4b"), _builder("q4")),
        Answer("5", "Variational lower bounds", ("5a", "5b", "5c"), _builder("q5")),
        Answer("6", "Non-linear feature maps", ("6",), _builder("q6")),
        Answer("7", "A kernel SVM on XOR", ("7",), _builder("q7")),
        Answer("8", "A linear SVM and its KKT conditions", ("8a", "8b", "8c"), _builder("q8")),
        Answer("9", "Gaussian-mixture score spaces", ("9a", "9b", "9c"), _builder("q9")),
    ],
)
