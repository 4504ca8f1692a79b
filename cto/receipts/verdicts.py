"""A gate's rule applied to what a receipt holds: pure, no I/O, and closed when in doubt.

``verdict(rule, run)`` gives "pass" or "fail" only when the rule could be measured on the file:
a Refusal, an unknown measure or comparison, a scorer or metric the file lacks, a measure of
traces on an eval (or the other way round), no countable case: each is "needs review" with
the reason, never "pass"."""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Literal

from cto.aiplan.ranking import COMPARISONS
from cto.receipts.results import EvalRun, Refusal, Trace

Outcome = Literal["pass", "fail", "needs_review"]

MEASURES: tuple[tuple[str, str], ...] = (
    ("pass_rate", "Pass rate (passed of passed, failed and errored cases)"),
    ("mean_score", "Mean score of a scorer"),
    ("tool_metric", "A metric the tool reported for the run"),
    ("failed_cases", "Failed and errored cases"),
    ("p95_duration_ms", "p95 duration of spans named (ms)"),
    ("max_duration_ms", "Longest duration of spans named (ms)"),
    ("error_spans", "Spans with status error"),
)
EVAL_MEASURES = frozenset({"pass_rate", "mean_score", "tool_metric", "failed_cases"})
TRACE_MEASURES = frozenset({"p95_duration_ms", "max_duration_ms", "error_spans"})
MEASURES_WITH_SUBJECT = frozenset(
    {"mean_score", "tool_metric", "p95_duration_ms", "max_duration_ms"}
)
PLACES = Decimal("0.0001")  # like EvalGate.threshold (decimal_places=4)


@dataclass(frozen=True)
class Rule:
    """``subject`` names the scorer (mean_score), the metric (tool_metric, e.g.
    "includes/accuracy") or the spans (the duration measures); the other measures ignore it."""

    measure: str
    subject: str
    comparison: str
    threshold: Decimal


@dataclass(frozen=True)
class Verdict:
    """``cases`` and ``passed``: for an eval, the cases the measure counted and how many of
    them passed; for a trace, the spans it counted and how many of them did not error."""

    outcome: Outcome
    value: Decimal | None
    cases: int
    passed: int
    reason: str
    summary: str


@dataclass(frozen=True)
class _Measured:
    value: Decimal
    cases: int
    passed: int
    summary: str


class _CannotMeasure(Exception):
    pass


def verdict(rule: Rule, run: EvalRun | Trace | Refusal) -> Verdict:
    if isinstance(run, Refusal):
        return _needs_review(run.reason)
    if rule.comparison not in COMPARISONS:
        return _needs_review(f"The rule's comparison {rule.comparison!r} is not one we apply.")
    if not rule.threshold.is_finite():
        return _needs_review(f"The rule's threshold {rule.threshold} is not a number.")
    try:
        measured = _measure(rule, run)
    except _CannotMeasure as error:
        return _needs_review(str(error))
    words, check = COMPARISONS[rule.comparison]
    threshold = _text(rule.threshold)
    passes = check(measured.value, rule.threshold)
    return Verdict(
        outcome="pass" if passes else "fail",
        value=measured.value,
        cases=measured.cases,
        passed=measured.passed,
        reason=f"{_text(measured.value)} is {'' if passes else 'not '}{words} {threshold}.",
        summary=measured.summary,
    )


def _needs_review(reason: str) -> Verdict:
    return Verdict("needs_review", None, 0, 0, reason, f"Needs review: {reason}")


def _measure(rule: Rule, run: EvalRun | Trace) -> _Measured:
    if rule.measure in MEASURES_WITH_SUBJECT and not rule.subject.strip():
        raise _CannotMeasure(f"The rule's measure {rule.measure} needs a name to measure.")
    if isinstance(run, EvalRun):
        if rule.measure in TRACE_MEASURES:
            raise _CannotMeasure(f"{rule.measure} measures a trace; this file is an eval.")
        if rule.measure not in EVAL_MEASURES:
            raise _CannotMeasure(f"The rule's measure {rule.measure!r} is not one we know.")
        return _EVAL_MEASURES[rule.measure](rule, run)
    if rule.measure in EVAL_MEASURES:
        raise _CannotMeasure(f"{rule.measure} measures an eval; this file is a trace.")
    if rule.measure not in TRACE_MEASURES:
        raise _CannotMeasure(f"The rule's measure {rule.measure!r} is not one we know.")
    return _TRACE_MEASURES[rule.measure](rule, run)


# --- Evals ------------------------------------------------------------------------------------


def _pass_rate(rule: Rule, run: EvalRun) -> _Measured:
    """Passed over passed, failed and errored: skipped cases do not count either way."""
    countable = [case for case in run.cases if case.outcome != "skipped"]
    if not countable:
        raise _CannotMeasure("The file holds no case that passed, failed or errored.")
    passed = sum(case.outcome == "passed" for case in countable)
    value = _quantise(Decimal(passed) / Decimal(len(countable)))
    return _Measured(
        value, len(countable), passed, f"{_text(value)} from {passed} of {len(countable)} cases"
    )


def _mean_score(rule: Rule, run: EvalRun) -> _Measured:
    """The mean of scorer ``subject`` over the cases that have it (the others are left out)."""
    scored = [case for case in run.cases if rule.subject in case.scores]
    if not scored:
        names = sorted({name for case in run.cases for name in case.scores})
        raise _CannotMeasure(
            f"No case has a score named {rule.subject!r}; the file's scores are "
            f"{', '.join(names) or 'none'}."
        )
    total = _decimal(math.fsum(case.scores[rule.subject] for case in scored))
    value = _quantise(total / len(scored))
    passed = sum(case.outcome == "passed" for case in scored)
    return _Measured(
        value, len(scored), passed, f"{_text(value)} mean {rule.subject} over {len(scored)} cases"
    )


def _tool_metric(rule: Rule, run: EvalRun) -> _Measured:
    if rule.subject not in run.metrics:
        raise _CannotMeasure(
            f"The file reports no metric named {rule.subject!r}; its metrics are "
            f"{', '.join(sorted(run.metrics)) or 'none'}."
        )
    value = _quantise(_decimal(run.metrics[rule.subject]))
    passed = sum(case.outcome == "passed" for case in run.cases)
    return _Measured(
        value,
        len(run.cases),
        passed,
        f"{_text(value)} {rule.subject} as {run.tool} reported it ({len(run.cases)} cases)",
    )


def _failed_cases(rule: Rule, run: EvalRun) -> _Measured:
    """Failed and errored cases: an error is not a pass either."""
    countable = [case for case in run.cases if case.outcome != "skipped"]
    if not countable:
        raise _CannotMeasure("The file holds no case that passed, failed or errored.")
    passed = sum(case.outcome == "passed" for case in countable)
    failed = len(countable) - passed
    return _Measured(
        Decimal(failed), len(countable), passed, f"{failed} failed of {len(countable)} cases"
    )


# --- Traces -----------------------------------------------------------------------------------


def _durations(rule: Rule, trace: Trace) -> list[float]:
    durations = sorted(span.duration_ms for span in trace.spans if span.name == rule.subject)
    if not durations:
        names = sorted({span.name for span in trace.spans})
        shown = ", ".join(names[:10]) + (" …" if len(names) > 10 else "")
        raise _CannotMeasure(
            f"The trace has no span named {rule.subject!r}; its spans are {shown or 'none'}."
        )
    return durations


def _p95_duration(rule: Rule, trace: Trace) -> _Measured:
    """Nearest-rank p95: the smallest duration at or above 95% of the spans named ``subject``
    (with fewer than 20 spans, that is the longest)."""
    durations = _durations(rule, trace)
    rank = math.ceil(0.95 * len(durations))
    value = _quantise(_decimal(durations[rank - 1]))
    return _span_measured(rule, trace, value, len(durations), "p95")


def _max_duration(rule: Rule, trace: Trace) -> _Measured:
    durations = _durations(rule, trace)
    value = _quantise(_decimal(durations[-1]))
    return _span_measured(rule, trace, value, len(durations), "longest")


def _span_measured(rule: Rule, trace: Trace, value: Decimal, count: int, what: str) -> _Measured:
    named = [span for span in trace.spans if span.name == rule.subject]
    passed = sum(span.status != "error" for span in named)
    return _Measured(
        value, count, passed, f"{_text(value)} ms {what} of {count} spans named {rule.subject}"
    )


def _error_spans(rule: Rule, trace: Trace) -> _Measured:
    if not trace.spans:
        raise _CannotMeasure("The trace holds no spans.")
    errors = sum(span.status == "error" for span in trace.spans)
    total = len(trace.spans)
    return _Measured(
        Decimal(errors), total, total - errors, f"{errors} spans with errors of {total} spans"
    )


_EVAL_MEASURES = {
    "pass_rate": _pass_rate,
    "mean_score": _mean_score,
    "tool_metric": _tool_metric,
    "failed_cases": _failed_cases,
}
_TRACE_MEASURES = {
    "p95_duration_ms": _p95_duration,
    "max_duration_ms": _max_duration,
    "error_spans": _error_spans,
}


# --- Numbers ----------------------------------------------------------------------------------


def _decimal(value: float) -> Decimal:
    if not math.isfinite(value):
        raise _CannotMeasure(f"The file gives {value}, which is not a number to compare.")
    return Decimal(repr(value))


def _quantise(value: Decimal) -> Decimal:
    return value.quantize(PLACES, rounding=ROUND_HALF_EVEN)


def _text(value: Decimal) -> str:
    """0.93 rather than 0.9300, 1 rather than 1.0000."""
    return f"{value.normalize():f}"
