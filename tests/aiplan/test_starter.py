"""cto/aiplan/starter.py: which proposals intake answers pick, and a malformed starter refused."""

from __future__ import annotations

import pytest

from cto.aiplan import starter
from cto.aiplan.playbooks import starter_read_shipped

pytestmark = pytest.mark.django_db


def test_intake_answers_and_weak_dimensions_pick_the_proposals() -> None:
    loaded = starter_read_shipped()
    evals, modes = starter.select(
        loaded, {"agents": ["yes"], "retrieval": ["yes"], "pains": ["costs"]}, {"evals"}
    )
    assert {p.key for p in evals} == {
        "golden_set",
        "latency_p95",
        "tool_call_validity",
        "retrieval_recall",
        "permission_leak",
        "cost_per_task",
        "regression_diff",
    }
    assert {"tool_misuse", "prompt_injection", "untested_release", "cost_runaway"} <= {
        p.key for p in modes
    }
    none_evals, _ = starter.select(loaded, {"agents": ["no"]}, set())
    assert "tool_call_validity" not in {p.key for p in none_evals}


def test_a_malformed_starter_is_refused_with_every_problem() -> None:
    with pytest.raises(starter.StarterError) as raised:
        starter.parse(
            {
                "criteria": [{"key": "x", "label": "X", "weight": 500, "direction": "higher"}],
                "evals": [{"key": "e", "when": {"sometimes": 1}, "name": "E"}],
                "failure_modes": [],
            }
        )
    problems = raised.value.problems
    assert "criterion x: “weight” is a whole number from 0 to 100." in problems
    assert any(p.startswith("evals 'e': missing behaviour") for p in problems)
    assert "evals 'e': the condition “sometimes” is not well formed." in problems


def test_the_shipped_gates_that_files_decide_carry_their_measure() -> None:
    evals = {p.key: p.fields for p in starter_read_shipped().evals}
    assert (evals["golden_set"]["measure"], evals["golden_set"].get("subject", "")) == (
        "pass_rate",
        "",
    )
    assert (evals["latency_p95"]["measure"], evals["latency_p95"]["subject"]) == (
        "p95_duration_ms",
        "invoke_agent",
    )


def test_an_unknown_measure_or_a_missing_subject_is_refused() -> None:
    gate = {
        "name": "G",
        "behaviour": "b",
        "metric": "m",
        "comparison": ">=",
        "threshold": "1",
        "cadence": "nightly",
        "when": {"always": True},
    }
    with pytest.raises(starter.StarterError) as raised:
        starter.parse(
            {
                "evals": [
                    {"key": "a", **gate, "measure": "vibes"},
                    {"key": "b", **gate, "measure": "mean_score"},
                ]
            }
        )
    assert raised.value.problems == [
        "evals 'a': “measure” is one of pass_rate, mean_score, tool_metric, failed_cases, "
        "p95_duration_ms, max_duration_ms, error_spans.",
        "evals 'b': “subject” names the scorer, metric or spans mean_score reads.",
    ]
