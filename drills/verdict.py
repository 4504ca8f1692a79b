"""What a drill returns: pass or fail, with the figures that decided it."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Verdict:
    name: str
    passed: bool
    figures: str

    def line(self) -> str:
        return f"{self.name}: {self.figures}: {'PASS' if self.passed else 'FAIL'}"
