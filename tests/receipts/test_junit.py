from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from cto.receipts.adapters import junit, read_eval
from cto.receipts.results import Refusal
from cto.receipts.verdicts import Rule, verdict

FIXTURES = Path(__file__).parent / "fixtures" / "junit"


def read(name: str):
    return read_eval((FIXTURES / name).read_bytes(), name)


def test_all_passing_suite_passes():
    run = read("junit-pass.xml")
    result = verdict(Rule("pass_rate", "", ">=", Decimal("1")), run)
    assert (run.format, run.tool, run.tool_version) == ("junit", "pytest", "")
    assert (result.outcome, result.value, result.cases, result.passed) == (
        "pass",
        Decimal("1.0000"),
        3,
        3,
    )


def test_mixed_suite_counts_failures_errors_and_leaves_skips_out():
    run = read("junit-mixed.xml")
    outcomes = [case.outcome for case in run.cases]
    assert (outcomes.count("passed"), outcomes.count("failed")) == (6, 2)
    assert (outcomes.count("errored"), outcomes.count("skipped")) == (1, 1)
    result = verdict(Rule("pass_rate", "", ">=", Decimal("0.9")), run)
    # 6 of 9: the skipped test counts neither way, the error counts against.
    assert (result.outcome, result.value, result.cases, result.passed) == (
        "fail",
        Decimal("0.6667"),
        9,
        6,
    )
    assert result.summary == "0.6667 from 6 of 9 cases"


def test_failed_cases_measure_counts_errors_too():
    result = verdict(Rule("failed_cases", "", "<=", Decimal("0")), read("junit-mixed.xml"))
    assert (result.outcome, result.value) == ("fail", Decimal("3"))


def test_failure_reason_is_the_failure_message():
    by_name = {case.name: case for case in read("junit-mixed.xml").cases}
    failure = by_name["suite_mixed::test_capital_of_australia"]
    assert failure.reason.startswith("AssertionError: the answer named the wrong city")
    assert by_name["suite_mixed::test_live_model"].reason == "needs a model key"


def test_junit_has_no_scores_so_a_mean_score_needs_review():
    result = verdict(Rule("mean_score", "accuracy", ">=", Decimal("0")), read("junit-pass.xml"))
    assert result.outcome == "needs_review"
    assert "scores are none" in result.reason


def test_truncated_xml_needs_review():
    with pytest.raises(Refusal) as refused:
        read("junit-truncated.xml")
    assert "not well-formed XML" in refused.value.reason
    assert verdict(Rule("pass_rate", "", ">=", Decimal("0")), refused.value).outcome == (
        "needs_review"
    )


def test_a_file_without_test_cases_is_refused():
    with pytest.raises(Refusal, match="holds no test cases"):
        junit.read(b'<testsuites><testsuite name="pytest" tests="0"/></testsuites>', "j.xml")


def test_another_root_is_refused():
    with pytest.raises(Refusal, match="its root is <html>"):
        junit.read(b"<html><testsuite/></html>", "j.xml")
