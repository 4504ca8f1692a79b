"""What the parsers of authored content share (decision trees, audit and checklist templates,
the AI plan's starter): one error that lists every problem at once, each naming where it is,
so an author fixes a file in one pass. A pure module."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any


class DefinitionError(ValueError):
    """The authored content does not parse; ``problems`` lists each fault (printed, each says
    where it is and what is wrong)."""

    def __init__(self, problems: Sequence[Any]) -> None:
        self.problems = list(problems)
        super().__init__("; ".join(str(problem) for problem in self.problems))
