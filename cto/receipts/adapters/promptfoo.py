"""promptfoo results JSON (``promptfoo eval -o results.json``).

What is read: ``results.version`` (only the versions in ``KNOWN_RESULT_VERSIONS``: another is
refused, its layout unknown), the tool's version from ``metadata.promptfooVersion``, and one
case per entry of ``results.results`` (one test case against one prompt and provider):
``success`` true is passed; false with ``failureReason`` 2 (promptfoo's ERROR) is errored;
any other false is failed. Scores: the case's overall ``score`` as "score" and each of its
``namedScores`` (the assertions' ``metric`` names) by name. The run's ``results.stats``
(successes, failures, errors) must agree with the cases counted, or the file is refused: a
file that contradicts itself is not read with confidence."""

from __future__ import annotations

from typing import Any, Literal

from cto.receipts.adapters.values import excerpt, mapping, number
from cto.receipts.results import Case, EvalRun, Refusal
from cto.receipts.safety import Budget, load_json

NAME = "promptfoo"
VERSION = "1"
KNOWN_RESULT_VERSIONS = frozenset({3})
_FAILURE_REASON_ERROR = 2


def sniff(data: bytes, filename: str) -> bool:
    # promptfoo writes evalId first; the version sits in metadata, after the results.
    return filename.lower().endswith(".json") and b'"evalId"' in data[:4096]


def read(data: bytes, filename: str, *, budget: Budget | None = None) -> EvalRun:
    budget = budget or Budget()
    document = load_json(data)
    results = document.get("results") if isinstance(document, dict) else None
    if not isinstance(results, dict) or not isinstance(results.get("results"), list):
        raise Refusal(f"{filename} is not a promptfoo results file (no results.results list).")
    version = results.get("version")
    if version not in KNOWN_RESULT_VERSIONS:
        raise Refusal(
            f"{filename} is a promptfoo results file of version {version!r}; we read version "
            f"{', '.join(map(str, sorted(KNOWN_RESULT_VERSIONS)))}."
        )
    cases: list[Case] = []
    for index, entry in enumerate(results["results"]):
        budget.check()
        cases.append(_case(entry, index, filename))
    stats = mapping(results.get("stats"))
    metrics = _check_stats(stats, cases, filename)
    metadata = mapping(document.get("metadata"))
    return EvalRun(
        format="promptfoo",
        adapter_version=VERSION,
        tool="promptfoo",
        tool_version=str(metadata.get("promptfooVersion") or ""),
        cases=tuple(cases),
        metrics=metrics,
        started_at=str(results.get("timestamp") or ""),
    )


def _case(entry: Any, index: int, filename: str) -> Case:
    if not isinstance(entry, dict) or not isinstance(entry.get("success"), bool):
        raise Refusal(f"{filename}: result {index + 1} has no pass or fail (success).")
    outcome: Literal["passed", "failed", "errored"]
    if entry["success"]:
        outcome = "passed"
    elif entry.get("failureReason") == _FAILURE_REASON_ERROR:
        outcome = "errored"
    else:
        outcome = "failed"
    scores: dict[str, float] = {}
    if (overall := number(entry.get("score"))) is not None:
        scores["score"] = overall
    named = entry.get("namedScores")
    if isinstance(named, dict):
        for key, value in named.items():
            if (score := number(value)) is not None:
                scores[str(key)] = score
    grading = mapping(entry.get("gradingResult"))
    response = mapping(entry.get("response"))
    prompt = mapping(entry.get("prompt"))
    test_case = mapping(entry.get("testCase"))
    vars_ = entry.get("vars") or test_case.get("vars")
    latency = number(entry.get("latencyMs"))
    return Case(
        id=str(entry.get("id") or index + 1),
        name=str(test_case.get("description") or excerpt(vars_) or f"test {index + 1}")[:200],
        outcome=outcome,
        scores=scores,
        input_excerpt=excerpt(prompt.get("raw") if prompt.get("raw") is not None else vars_),
        output_excerpt=excerpt(response.get("output")),
        reason="" if outcome == "passed" else excerpt(entry.get("error") or grading.get("reason")),
        duration_ms=latency,
    )


def _check_stats(stats: dict[str, Any], cases: list[Case], filename: str) -> dict[str, float]:
    counted = {
        "successes": sum(case.outcome == "passed" for case in cases),
        "failures": sum(case.outcome == "failed" for case in cases),
        "errors": sum(case.outcome == "errored" for case in cases),
    }
    for key, count in counted.items():
        stated = stats.get(key)
        if stated is not None and stated != count:
            raise Refusal(
                f"{filename} contradicts itself: its stats give {key} {stated}, its results "
                f"hold {count}."
            )
    return {f"stats/{key}": float(count) for key, count in counted.items()}
