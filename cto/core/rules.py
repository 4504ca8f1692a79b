"""The small rule language the playbooks use to pick what applies to an engagement:

    always: true
    intake: {node: <intake question>, choice: <choice id>}   (on the path the prospect took)
    weak_dimension: <audit dimension id>                      (weak in the latest audit)
    any: [conditions]

A pure module: the facts come in as plain data."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any


def rule_problems(when: Any, where: str) -> list[str]:
    """Why ``when`` is not a well-formed rule (empty when it is)."""
    if not isinstance(when, Mapping) or len(when) != 1:
        return [f"{where}: “when” is one of always, intake, weak_dimension, any."]
    ((kind, body),) = when.items()
    if kind == "always" and body is True:
        return []
    if kind == "weak_dimension" and isinstance(body, str):
        return []
    if kind == "intake" and isinstance(body, Mapping) and {"node", "choice"} <= set(body):
        return []
    if kind == "any" and isinstance(body, list) and body:
        return [problem for item in body for problem in rule_problems(item, where)]
    return [f"{where}: the condition “{kind}” is not well formed."]


def rule_holds(
    when: Mapping[str, Any], intake: Mapping[str, Sequence[str]], weak: set[str]
) -> bool:
    ((kind, body),) = when.items()
    if kind == "always":
        return True
    if kind == "weak_dimension":
        return body in weak
    if kind == "intake":
        return body["choice"] in intake.get(body["node"], ())
    return any(rule_holds(item, intake, weak) for item in body)
