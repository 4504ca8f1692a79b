"""What an adapter reads out of a receipt: plain dataclasses, no Django, no I/O.

An adapter (cto.receipts.adapters.<format>) turns the bytes of one file made by a real tool
into an ``EvalRun`` (per-case results of an eval) or a ``Trace`` (spans of an OpenTelemetry
trace). A file it cannot read with confidence is a ``Refusal``, never a guess: a verdict
computed from a refusal is "needs review" (cto.receipts.verdicts)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Format = Literal["promptfoo", "inspect", "junit", "otlp"]


@dataclass(frozen=True)
class Refusal(Exception):
    """The file cannot be read with confidence: malformed, an unknown format or version, too
    big, too deep, hostile. ``reason`` is a sentence for the person who uploaded it."""

    reason: str

    def __str__(self) -> str:
        return self.reason


class Hostile(Refusal):
    """The file passes a bound we keep against harm (its size, a zip bomb, a path out of the
    archive, a link, too many entries, entities in XML, nesting too deep, the time budget).
    Unlike a plain Refusal, which is kept as a receipt that needs review, nothing of a hostile
    file is stored: the upload is refused with ``reason``."""


@dataclass(frozen=True)
class Case:
    """One test case, sample or test of an eval run.

    ``outcome`` is what the tool said: "passed", "failed", "errored" or "skipped". ``scores``
    holds each scorer's numeric value for the case, by the scorer's name as the file gives it.
    The excerpts are short (at most EXCERPT_CHARS) and only for a person to read: a failing
    case turned into a proposed failure mode carries them as its evidence."""

    id: str
    name: str
    outcome: Literal["passed", "failed", "errored", "skipped"]
    scores: dict[str, float] = field(default_factory=dict)
    input_excerpt: str = ""
    output_excerpt: str = ""
    reason: str = ""
    duration_ms: float | None = None


@dataclass(frozen=True)
class EvalRun:
    """An eval result file, read. ``tool_version`` is the version the file states (empty when
    the format does not state one); ``metrics`` are run-level figures the tool itself reported
    (for Inspect AI, "<scorer>/<metric>" such as "match/accuracy")."""

    format: Format
    adapter_version: str
    tool: str
    tool_version: str
    cases: tuple[Case, ...]
    metrics: dict[str, float] = field(default_factory=dict)
    started_at: str = ""


@dataclass(frozen=True)
class Span:
    """One span of a trace, with only the allow-listed attributes (names, model, token counts,
    tool name, operation): prompt and completion text is never copied here."""

    trace_id: str
    span_id: str
    parent_id: str
    name: str
    start_ns: int
    end_ns: int
    status: Literal["unset", "ok", "error"]
    attributes: dict[str, str | int | float | bool] = field(default_factory=dict)

    @property
    def duration_ms(self) -> float:
        return (self.end_ns - self.start_ns) / 1_000_000


@dataclass(frozen=True)
class Trace:
    format: Format
    adapter_version: str
    tool: str
    tool_version: str
    spans: tuple[Span, ...]


EXCERPT_CHARS = 500
