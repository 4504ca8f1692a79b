"""Decision trees: parsing, validation, and walking a set of answers to an outcome.

A pure module: dataclasses in and out, no ORM, no I/O. A tree is authored as a mapping
(YAML in ``cto/playbooks/intake/``); ``parse`` turns it into a ``Tree`` or reports every
problem with the node it concerns; ``walk`` replays answers from the start node, so the
same answers on the same tree version always reach the same outcome.

Answers are stored as ``{node_id: {"choices": [choice ids]}}`` or ``{node_id: {"text": str}}``.
Answers to nodes off the current path are kept (the prospect may come back to them) but never
count: only the walk from the start decides.

The package: ``model`` (the dataclasses), ``parsing`` (parse and validate), ``walking``
(answers, walks, progress). Here are the names the rest of the code uses, so that
``from cto.intake import tree as tree_module`` reads as it did when this was one module.
"""

from __future__ import annotations

from cto.intake.tree.model import (
    AnswerError,
    Choice,
    Outcome,
    Question,
    RedFlag,
    ScopeRow,
    Step,
    Tree,
    TreeError,
    Walk,
)
from cto.intake.tree.parsing import parse
from cto.intake.tree.walking import clean_answer, next_node, progress, walk

__all__ = [
    "AnswerError",
    "Choice",
    "Outcome",
    "Question",
    "RedFlag",
    "ScopeRow",
    "Step",
    "Tree",
    "TreeError",
    "Walk",
    "clean_answer",
    "next_node",
    "parse",
    "progress",
    "walk",
]
