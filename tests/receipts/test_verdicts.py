from __future__ import annotations

from decimal import Decimal

import pytest

from cto.aiplan.ranking import COMPARISONS
from cto.receipts.results import Case, EvalRun, Refusal, Span, Trace
from cto.receipts.verdicts import MEASURES, Rule, verdict


def run(*outcomes: str, scores=None, metrics=None) -> EvalRun:
    return EvalRun(
        format="promptfoo",
        adapter_version="1",
        tool="promptfoo",
        tool_version="0.121.20",
        cases=tuple(
            Case(id=str(n), name=f"case {n}", outcome=outcome, scores=(scores or {}).get(n, {}))
            for n, outcome in enumerate(outcomes)
        ),
        metrics=metrics or {},
    )


def trace(*spans: tuple[str, float, str]) -> Trace:
    return Trace(
        format="otlp",
        adapter_version="1",
        tool="opentelemetry",
        tool_version="1.0",
        spans=tuple(
            Span("t", str(n), "", name, 0, int(ms * 1_000_000), status)
            for n, (name, ms, status) in enumerate(spans)
        ),
    )


def rule(measure="pass_rate", subject="", comparison=">=", threshold="0.9") -> Rule:
    return Rule(measure, subject, comparison, Decimal(threshold))


def test_pass_rate_of_93_in_100_reads_like_the_receipt():
    result = verdict(rule(threshold="0.9"), run(*["passed"] * 93, *["failed"] * 7))
    assert (result.outcome, result.value, result.cases, result.passed) == (
        "pass",
        Decimal("0.9300"),
        100,
        93,
    )
    assert result.summary == "0.93 from 93 of 100 cases"
    assert result.reason == "0.93 is at least 0.9."


def test_skipped_cases_do_not_count_and_errors_count_against():
    result = verdict(rule(threshold="0.5"), run("passed", "errored", "skipped", "skipped"))
    assert (result.value, result.cases, result.passed) == (Decimal("0.5000"), 2, 1)


def test_value_is_quantised_to_four_places():
    result = verdict(rule(threshold="0.6"), run("passed", "passed", "failed"))
    assert result.value == Decimal("0.6667")
    assert result.outcome == "pass"


@pytest.mark.parametrize(
    ("comparison", "threshold", "outcome"),
    [
        (">=", "0.75", "pass"),
        (">", "0.75", "fail"),
        ("<=", "0.75", "pass"),
        ("<", "0.75", "fail"),
        ("==", "0.75", "pass"),
        ("==", "0.7501", "fail"),
    ],
)
def test_every_comparison_of_the_plan_is_applied(comparison, threshold, outcome):
    result = verdict(
        rule(comparison=comparison, threshold=threshold),
        run("passed", "passed", "passed", "failed"),
    )
    assert result.outcome == outcome


def test_mean_score_counts_only_cases_that_have_the_scorer():
    scored = run("passed", "failed", "passed", scores={0: {"f1": 0.9}, 1: {"f1": 0.6}})
    result = verdict(rule("mean_score", "f1", ">=", "0.8"), scored)
    assert (result.outcome, result.value, result.cases) == ("fail", Decimal("0.7500"), 2)
    assert result.summary == "0.75 mean f1 over 2 cases"


def test_tool_metric_is_the_runs_own_figure():
    result = verdict(
        rule("tool_metric", "match/accuracy", ">=", "0.8"),
        run("passed", "failed", metrics={"match/accuracy": 0.85}),
    )
    assert (result.outcome, result.value) == ("pass", Decimal("0.8500"))


def test_failed_cases_is_a_count():
    result = verdict(rule("failed_cases", "", "<=", "1"), run("passed", "failed", "errored"))
    assert (result.outcome, result.value) == ("fail", Decimal("2"))
    assert result.summary == "2 failed of 3 cases"


def test_p95_is_nearest_rank_over_spans_of_that_name():
    spans = [("llm", float(ms), "ok") for ms in range(1, 101)] + [("tool", 5000.0, "ok")]
    result = verdict(rule("p95_duration_ms", "llm", "<=", "95"), trace(*spans))
    assert (result.outcome, result.value, result.cases) == ("pass", Decimal("95.0000"), 100)
    assert result.summary == "95 ms p95 of 100 spans named llm"


def test_p95_of_few_spans_is_the_longest():
    result = verdict(
        rule("p95_duration_ms", "llm", "<=", "2000"), trace(("llm", 100, "ok"), ("llm", 2500, "ok"))
    )
    assert (result.outcome, result.value) == ("fail", Decimal("2500.0000"))


def test_max_duration_and_error_spans():
    spans = trace(("llm", 100, "ok"), ("llm", 300, "error"), ("tool", 50, "unset"))
    longest = verdict(rule("max_duration_ms", "llm", "<=", "250"), spans)
    errors = verdict(rule("error_spans", "", "<=", "0"), spans)
    assert (longest.outcome, longest.value, longest.passed) == ("fail", Decimal("300.0000"), 1)
    assert (errors.outcome, errors.value, errors.cases, errors.passed) == (
        "fail",
        Decimal("1"),
        3,
        2,
    )


@pytest.mark.parametrize(
    ("the_rule", "the_run", "words"),
    [
        (rule(), Refusal("The file is not valid JSON."), "not valid JSON"),
        (rule(), run(), "no case that passed, failed or errored"),
        (rule(), run("skipped", "skipped"), "no case that passed, failed or errored"),
        (rule("failed_cases", threshold="100"), run(), "no case that passed"),
        (rule("mean_score", "f1"), run("passed"), "No case has a score named 'f1'"),
        (rule("mean_score", ""), run("passed"), "needs a name to measure"),
        (rule("tool_metric", "acc"), run("passed"), "no metric named 'acc'"),
        (rule(comparison="≈"), run("passed"), "comparison '≈' is not one we apply"),
        (rule("recall"), run("passed"), "measure 'recall' is not one we know"),
        (rule("p95_duration_ms", "llm"), run("passed"), "measures a trace; this file is an eval"),
        (rule(), trace(("llm", 1, "ok")), "measures an eval; this file is a trace"),
        (rule("max_duration_ms", "llm"), trace(("tool", 1, "ok")), "no span named 'llm'"),
        (rule("error_spans", threshold="5"), trace(), "holds no spans"),
        (
            rule("tool_metric", "x", threshold="0"),
            run("passed", metrics={"x": float("nan")}),
            "not a number",
        ),
        (Rule("pass_rate", "", ">=", Decimal("NaN")), run("passed"), "threshold NaN"),
    ],
)
def test_what_cannot_be_measured_needs_review_never_passes(the_rule, the_run, words):
    result = verdict(the_rule, the_run)
    assert result.outcome == "needs_review"
    assert words in result.reason
    assert result.value is None
    assert result.summary == f"Needs review: {result.reason}"


def test_every_measure_is_known_to_the_verdict_and_comparisons_come_from_the_plan():
    keys = [key for key, _ in MEASURES]
    assert keys == [
        "pass_rate",
        "mean_score",
        "tool_metric",
        "failed_cases",
        "p95_duration_ms",
        "max_duration_ms",
        "error_spans",
    ]
    for key in keys:
        result = verdict(rule(key, "x"), Refusal("r"))
        assert result.outcome == "needs_review"
    assert set(COMPARISONS) == {">=", ">", "<=", "<", "=="}
