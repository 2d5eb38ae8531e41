"""Deep Learning and Structured Data, Examples Paper 2: verified answers.

One module per question; each defines `build()`, returning that answer's parts.
"""

from __future__ import annotations

from derive.paper import Answer, Paper
from derive.papers.ep2 import q1

PAPER = Paper(
    id="ep2",
    title="Solutions to Examples Paper 2",
    course="Deep Learning and Structured Data",
    answers=[
        Answer("1", "Residual and highway connections", ("1a", "1b", "1c"), q1.build),
    ],
)
