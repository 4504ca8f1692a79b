from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from cto.receipts.adapters import promptfoo, read_eval
from cto.receipts.results import EXCERPT_CHARS, Refusal
from cto.receipts.verdicts import Rule, verdict

FIXTURES = Path(__file__).parent / "fixtures" / "promptfoo"


def read(name: str):
    return read_eval((FIXTURES / name).read_bytes(), name)


def pass_rate(threshold: str) -> Rule:
    return Rule("pass_rate", "", ">=", Decimal(threshold))


def test_passing_results_pass_with_every_case_counted():
    run = read("results-pass.json")
    result = verdict(pass_rate("0.95"), run)
    assert run.format == "promptfoo"
    assert run.tool_version == "0.121.20"
    assert (result.outcome, result.value, result.cases, result.passed) == (
        "pass",
        Decimal("1.0000"),
        5,
        5,
    )
    assert result.summary == "1 from 5 of 5 cases"


def test_failing_results_fail_at_seven_of_ten():
    result = verdict(pass_rate("0.95"), read("results-fail.json"))
    assert (result.outcome, result.value, result.cases, result.passed) == (
        "fail",
        Decimal("0.7000"),
        10,
        7,
    )
    assert result.summary == "0.7 from 7 of 10 cases"


def test_failed_cases_carry_the_assertion_and_the_excerpts():
    failed = [case for case in read("results-fail.json").cases if case.outcome == "failed"]
    assert len(failed) == 3
    brazil = failed[-1]
    assert brazil.reason == 'Expected output to contain "Brasília"'
    assert brazil.input_excerpt == "The capital of Brazil is Rio de Janeiro."
    assert brazil.output_excerpt == "The capital of Brazil is Rio de Janeiro."
    assert brazil.scores == {"score": 0.0, "accuracy": 0.0}


def test_named_metric_gives_the_mean_score():
    result = verdict(
        Rule("mean_score", "accuracy", ">=", Decimal("0.8")), read("results-fail.json")
    )
    assert (result.outcome, result.value) == ("fail", Decimal("0.7000"))


def test_passing_file_misses_a_threshold_above_its_value():
    result = verdict(Rule("pass_rate", "", ">", Decimal("1")), read("results-pass.json"))
    assert result.outcome == "fail"


def test_a_scorer_the_file_lacks_needs_review():
    result = verdict(Rule("mean_score", "toxicity", ">=", Decimal("0")), read("results-pass.json"))
    assert result.outcome == "needs_review"
    assert "toxicity" in result.reason
    assert "accuracy, score" in result.reason


@pytest.mark.parametrize(
    ("name", "words"),
    [
        ("results-unknown-version.json", "version 99; we read version 3"),
        ("results-truncated.json", "not valid JSON"),
    ],
)
def test_unknown_version_and_truncated_files_need_review(name, words):
    with pytest.raises(Refusal) as refused:
        read(name)
    result = verdict(pass_rate("0"), refused.value)
    assert result.outcome == "needs_review"
    assert words in result.reason
    assert result.value is None


def test_stats_that_contradict_the_results_are_refused():
    data = (
        (FIXTURES / "results-fail.json")
        .read_bytes()
        .replace(b'"successes": 7', b'"successes": 10', 1)
    )
    with pytest.raises(Refusal, match="contradicts itself: its stats give successes 10"):
        promptfoo.read(data, "results.json")


def test_a_result_without_success_is_refused():
    data = (FIXTURES / "results-pass.json").read_bytes().replace(b'"success": true', b'"x": 1', 1)
    with pytest.raises(Refusal, match="result 1 has no pass or fail"):
        promptfoo.read(data, "results.json")


def test_excerpts_are_cut_to_the_limit():
    long_output = "x" * (EXCERPT_CHARS * 3)
    data = (FIXTURES / "results-pass.json").read_bytes()
    data = data.replace(
        b'"output": "The capital of France is Paris."', f'"output": "{long_output}"'.encode(), 1
    )
    case = promptfoo.read(data, "results.json").cases[0]
    assert len(case.output_excerpt) == EXCERPT_CHARS
    assert case.output_excerpt.endswith("…")


def test_sniff_knows_promptfoo_from_an_inspect_log():
    inspect_log = (FIXTURES.parent / "inspect" / "capitals-pass.json").read_bytes()
    assert promptfoo.sniff((FIXTURES / "results-pass.json").read_bytes(), "results.json")
    assert not promptfoo.sniff(inspect_log, "log.json")
