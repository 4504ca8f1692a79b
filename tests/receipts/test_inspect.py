from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest

from cto.receipts.adapters import inspect, read_eval
from cto.receipts.results import Refusal
from cto.receipts.verdicts import Rule, verdict

FIXTURES = Path(__file__).parent / "fixtures" / "inspect"
LOGS = ["capitals-pass.eval", "capitals-pass.json"]
FAILING_LOGS = ["capitals-fail.eval", "capitals-fail.json", "capitals-fail-deflate.eval"]


def read(name: str):
    return read_eval((FIXTURES / name).read_bytes(), name)


@pytest.mark.parametrize("name", LOGS)
def test_passing_log_passes(name):
    run = read(name)
    result = verdict(Rule("pass_rate", "", ">=", Decimal("0.95")), run)
    assert (run.format, run.tool, run.tool_version) == ("inspect", "inspect_ai", "0.3.285")
    assert (result.outcome, result.value, result.cases, result.passed) == (
        "pass",
        Decimal("1.0000"),
        5,
        5,
    )


@pytest.mark.parametrize("name", FAILING_LOGS)
def test_failing_log_fails_at_three_of_five(name):
    result = verdict(Rule("pass_rate", "", ">=", Decimal("0.95")), read(name))
    assert (result.outcome, result.value, result.cases, result.passed) == (
        "fail",
        Decimal("0.6000"),
        5,
        3,
    )
    assert result.summary == "0.6 from 3 of 5 cases"


@pytest.mark.parametrize("name", FAILING_LOGS)
def test_the_tools_metric_is_named_scorer_slash_metric(name):
    run = read(name)
    assert run.metrics["includes/accuracy"] == pytest.approx(0.6)
    result = verdict(Rule("tool_metric", "includes/accuracy", ">=", Decimal("0.5")), run)
    assert (result.outcome, result.value) == ("pass", Decimal("0.6000"))


def test_letter_scores_become_numbers_and_the_wrong_answer_is_the_excerpt():
    cases = {case.id: case for case in read("capitals-fail.eval").cases}
    assert cases["1"].scores == {"includes": 1.0}
    assert cases["4"].scores == {"includes": 0.0}
    assert cases["4"].outcome == "failed"
    assert cases["4"].input_excerpt == "What is the capital of Japan?"
    assert cases["4"].output_excerpt == "I do not know."
    mean = verdict(Rule("mean_score", "includes", ">=", Decimal("0.8")), read("capitals-fail.json"))
    assert (mean.outcome, mean.value) == ("fail", Decimal("0.6000"))


def test_a_metric_the_log_lacks_needs_review():
    result = verdict(Rule("tool_metric", "match/accuracy", ">=", Decimal("0")), read(LOGS[0]))
    assert result.outcome == "needs_review"
    assert "includes/accuracy, includes/stderr" in result.reason


@pytest.mark.parametrize(
    ("name", "words"),
    [
        ("capitals-unknown-version.json", "version 99; we read version 2"),
        ("capitals-status-error.json", "status 'error', not success"),
        ("capitals-truncated.eval", "not a readable zip archive"),
    ],
)
def test_unknown_version_errored_run_and_truncated_archive_need_review(name, words):
    with pytest.raises(Refusal) as refused:
        read(name)
    result = verdict(Rule("pass_rate", "", ">=", Decimal("0")), refused.value)
    assert result.outcome == "needs_review"
    assert words in result.reason


def _log_with_score(value) -> bytes:
    document = json.loads((FIXTURES / "capitals-pass.json").read_bytes())
    document["samples"][0]["scores"]["includes"]["value"] = value
    return json.dumps(document).encode()


@pytest.mark.parametrize(
    ("value", "scores", "outcome"),
    [
        ("P", {"includes": 0.5}, "failed"),
        (True, {"includes": 1.0}, "passed"),
        (0.25, {"includes": 0.25}, "failed"),
        ({"a": "C", "b": 1}, {"includes/a": 1.0, "includes/b": 1.0}, "passed"),
    ],
)
def test_score_values_follow_inspects_defaults(value, scores, outcome):
    case = inspect.read(_log_with_score(value), "log.json").cases[0]
    assert (case.scores, case.outcome) == (scores, outcome)


def test_a_score_value_we_cannot_read_is_refused_not_guessed():
    with pytest.raises(Refusal, match="includes score of 'maybe'"):
        inspect.read(_log_with_score("maybe"), "log.json")


def test_an_unscored_or_errored_sample_counts_against_the_pass_rate():
    document = json.loads((FIXTURES / "capitals-pass.json").read_bytes())
    document["samples"][0]["scores"] = {}
    document["samples"][1]["error"] = {"message": "timeout"}
    run = inspect.read(json.dumps(document).encode(), "log.json")
    assert [case.outcome for case in run.cases[:2]] == ["errored", "errored"]
    assert run.cases[1].reason == "timeout"
    result = verdict(Rule("pass_rate", "", ">=", Decimal("0.6")), run)
    assert (result.value, result.passed, result.cases) == (Decimal("0.6000"), 3, 5)
