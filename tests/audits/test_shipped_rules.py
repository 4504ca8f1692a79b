"""Each red-flag rule of the shipped template, firing and not firing. No database.

Every case starts from a mature baseline (every question at level 3, which fires nothing) and
changes only what the case names, so each rule is seen to turn on for its own reasons."""

from __future__ import annotations

from typing import Any

import pytest

from cto.audits import definition as t
from cto.audits.scoring import NOT_APPLICABLE as NA
from cto.audits.scoring import red_flags, score
from cto.playbooks.files import PLAYBOOKS_DIR, read_yaml_mapping

SHIPPED = t.parse(read_yaml_mapping((PLAYBOOKS_DIR / "audits" / "ai-readiness.yaml").read_bytes()))
EVALS = [q.id for q in SHIPPED.dimension("evals").questions]  # type: ignore[union-attr]
AI_CORE = {"ai_role": ["core"]}

CASES: list[tuple[str, dict[str, Any], dict[str, list[str]], bool]] = [
    # rule, answers changed from the baseline, intake, fires?
    ("agents_without_gates", {"ag_permissions": 1}, {"agents": ["yes"]}, True),
    ("agents_without_gates", {"ev_release_gate": 0}, {"agents": ["yes"]}, True),
    ("agents_without_gates", {"ag_permissions": 1}, {"agents": ["no"]}, False),
    ("agents_without_gates", {"ag_permissions": 2}, {"agents": ["yes"]}, False),
    ("prompts_only", {"ev_regression": 1, "inf_traces": 0}, {}, True),
    ("prompts_only", {"ev_regression": 1, "inf_traces": 2}, {}, False),
    ("prompts_only", {"ev_regression": NA, "inf_traces": 0}, {}, False),
    ("no_fallback", {"ms_fallback": 1}, AI_CORE, True),
    ("no_fallback", {"ms_fallback": 1}, {"ai_role": ["feature"]}, False),
    ("retrieval_without_permissions", {"dr_permissions": 0}, {"retrieval": ["yes"]}, True),
    ("retrieval_without_permissions", {"dr_permissions": 0}, {"retrieval": ["no"]}, False),
    ("unmeasured_costs", {"cost_per_task": 1}, {"pains": ["costs", "regressions"]}, True),
    ("unmeasured_costs", {"cost_per_task": 1}, AI_CORE, True),
    ("unmeasured_costs", {"cost_per_task": 1}, {"pains": ["none_yet"]}, False),
    ("unmeasured_costs", {"cost_per_task": 3}, {"pains": ["costs"]}, False),
    ("untracked_prompts", {"gov_prompt_versions": 1, **dict.fromkeys(EVALS, 1)}, {}, True),
    ("untracked_prompts", {"gov_prompt_versions": 1}, {}, False),  # evals still strong
    ("untracked_prompts", {"gov_prompt_versions": 3, **dict.fromkeys(EVALS, 0)}, {}, False),
    ("sensitive_data_unguarded", {"sv_sensitive_output": 1}, {"pains": ["sensitive_data"]}, True),
    ("sensitive_data_unguarded", {"dr_allowed_data": 0}, {"pains": ["sensitive_data"]}, True),
    ("sensitive_data_unguarded", {"dr_allowed_data": 0}, {"pains": ["costs"]}, False),
]


def fired(changes: dict[str, Any], intake: dict[str, list[str]]) -> list[str]:
    answers = {**dict.fromkeys(SHIPPED.questions, 3), **changes}
    return [f.rule.id for f in red_flags(SHIPPED, answers, score(SHIPPED, answers), intake)]


def test_the_mature_baseline_fires_nothing() -> None:
    assert fired({}, {"agents": ["yes"], "retrieval": ["yes"], **AI_CORE}) == []


def test_every_shipped_rule_has_cases_both_ways() -> None:
    covered = {(rule, fires) for rule, _, _, fires in CASES}
    assert covered == {(r.id, f) for r in SHIPPED.red_flags for f in (True, False)}


@pytest.mark.parametrize(("rule", "changes", "intake", "fires"), CASES)
def test_shipped_rule(rule: str, changes: dict[str, Any], intake: dict, fires: bool) -> None:
    assert (rule in fired(changes, intake)) is fires
