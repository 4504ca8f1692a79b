"""One adapter per eval format; ``read_eval`` picks the one whose ``sniff`` recognises the file.

Each adapter module has ``NAME`` (the format), ``VERSION`` (its own version, stored with every
receipt it reads), ``sniff(data, filename)`` (cheap: does this look like my format?) and
``read(data, filename, *, budget=None) -> EvalRun``, raising ``Refusal`` for anything it cannot
read with confidence. Traces have their own adapter (otlp), not listed here."""

from __future__ import annotations

from types import ModuleType

from cto.receipts.adapters import inspect, junit, promptfoo
from cto.receipts.results import EvalRun, Refusal
from cto.receipts.safety import Budget, check_size

ADAPTERS: tuple[ModuleType, ...] = (promptfoo, inspect, junit)


def read_eval(data: bytes, filename: str, *, budget: Budget | None = None) -> EvalRun:
    """The eval run the file holds, read by the first adapter that recognises it; a Refusal
    naming the formats we read when none does."""
    check_size(data)
    for adapter in ADAPTERS:
        if adapter.sniff(data, filename):
            run: EvalRun = adapter.read(data, filename, budget=budget)
            return run
    raise Refusal(
        f"{filename} is not in a format we read. We read promptfoo results JSON "
        "(promptfoo eval -o results.json), Inspect AI logs (.eval or .json) and JUnit XML."
    )
