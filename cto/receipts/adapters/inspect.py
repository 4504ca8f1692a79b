"""Inspect AI logs: the ``.eval`` archive (a zip of header.json and samples/*.json, its entries
zstd- or deflate-compressed) and the ``.json`` log (``--log-format json``), log version 2.

The run: the log must have status "success". A log whose run was cancelled, errored or had not
finished (an .eval still being written has no header.json) is refused with the status and the
error: a partial run does not decide a gate, and a Refusal makes the verdict "needs review"
with that reason. The tool's version is ``eval.packages.inspect_ai``; run-level metrics are
``results.scores``, named "<score>/<metric>" (e.g. "includes/accuracy").

Each sample (each epoch of it) is a case. Score values become numbers by Inspect's own
defaults (value_to_float): "C" (correct) 1, "P" (partial) 0.5, "I" (incorrect) and "N" (no
answer) 0, true/false 1/0, numbers as they are; a dictionary value gives one score per key,
"<scorer>/<key>"; any other value is refused rather than guessed. A sample that errored is
"errored"; one with no score is "errored" too (it was not scored, so it cannot count as
passed); otherwise it is "passed" when every one of its scores is at least 1 (correct) and
"failed" when any is below."""

from __future__ import annotations

from typing import Any, Literal

from cto.receipts.adapters.values import excerpt, mapping, number
from cto.receipts.results import Case, EvalRun, Refusal
from cto.receipts.safety import Budget, SafeZip, load_json

NAME = "inspect"
VERSION = "1"
KNOWN_LOG_VERSIONS = frozenset({2})
_LETTER_VALUES = {"C": 1.0, "P": 0.5, "I": 0.0, "N": 0.0}
_ZIP_MAGIC = b"PK\x03\x04"


def sniff(data: bytes, filename: str) -> bool:
    lower = filename.lower()
    if lower.endswith(".eval"):
        return data[:4] == _ZIP_MAGIC
    head = data[:4096]
    return lower.endswith(".json") and b'"eval_id"' in head and b'"status"' in head


def read(data: bytes, filename: str, *, budget: Budget | None = None) -> EvalRun:
    budget = budget or Budget()
    if data[:4] == _ZIP_MAGIC:
        header, samples = _from_archive(data, filename, budget)
    else:
        header = load_json(data)
        if not isinstance(header, dict) or not isinstance(header.get("eval"), dict):
            raise Refusal(f"{filename} is not an Inspect AI log (no eval section).")
        samples = header.get("samples") or []
    return _run(header, samples, filename, budget)


def _from_archive(data: bytes, filename: str, budget: Budget) -> tuple[dict[str, Any], list[Any]]:
    archive = SafeZip(data, budget=budget)
    if "header.json" not in archive.names:
        raise Refusal(
            f"{filename} has no header.json: the run had not finished when the file was "
            "copied, or it is not an Inspect AI log."
        )
    header = load_json(archive.read("header.json"))
    if not isinstance(header, dict) or not isinstance(header.get("eval"), dict):
        raise Refusal(f"{filename} is not an Inspect AI log (no eval section in header.json).")
    samples = []
    for name in archive.names:
        if name.startswith("samples/") and name.endswith(".json"):
            budget.check()
            samples.append(load_json(archive.read(name)))
    return header, samples


def _run(header: dict[str, Any], samples: Any, filename: str, budget: Budget) -> EvalRun:
    version = header.get("version")
    if version not in KNOWN_LOG_VERSIONS:
        raise Refusal(
            f"{filename} is an Inspect AI log of version {version!r}; we read version "
            f"{', '.join(map(str, sorted(KNOWN_LOG_VERSIONS)))}."
        )
    status = header.get("status")
    if status != "success":
        error = header.get("error")
        message = error.get("message") if isinstance(error, dict) else None
        raise Refusal(
            f"The Inspect AI run in {filename} has status {status!r}, not success"
            + (f" ({excerpt(message)})" if message else "")
            + ": a run that did not finish does not decide a gate."
        )
    if not isinstance(samples, list):
        raise Refusal(f"{filename}: its samples are not a list.")
    eval_ = header["eval"]
    config = mapping(eval_.get("config"))
    several_epochs = (number(config.get("epochs")) or 1) > 1
    cases: list[Case] = []
    for index, sample in enumerate(samples):
        budget.check()
        cases.append(_case(sample, index, several_epochs, filename))
    results = mapping(header.get("results"))
    completed = results.get("completed_samples")
    if cases and isinstance(completed, int) and completed != len(cases):
        raise Refusal(
            f"{filename} contradicts itself: {completed} samples completed, {len(cases)} logged."
        )
    packages = mapping(eval_.get("packages"))
    stats = mapping(header.get("stats"))
    return EvalRun(
        format="inspect",
        adapter_version=VERSION,
        tool="inspect_ai",
        tool_version=str(packages.get("inspect_ai") or ""),
        cases=tuple(cases),
        metrics=_metrics(results),
        started_at=str(stats.get("started_at") or eval_.get("created") or ""),
    )


def _metrics(results: dict[str, Any]) -> dict[str, float]:
    metrics: dict[str, float] = {}
    for score in results.get("scores") or []:
        if not isinstance(score, dict) or not isinstance(score.get("metrics"), dict):
            continue
        for metric_name, metric in score["metrics"].items():
            value = number(metric.get("value")) if isinstance(metric, dict) else None
            if value is not None:
                metrics[f"{score.get('name')}/{metric_name}"] = value
    return metrics


def _case(sample: Any, index: int, several_epochs: bool, filename: str) -> Case:
    if not isinstance(sample, dict):
        raise Refusal(f"{filename}: sample {index + 1} is not an object.")
    sample_id = str(sample.get("id", index + 1))
    case_id = f"{sample_id}#{sample.get('epoch')}" if several_epochs else sample_id
    scores: dict[str, float] = {}
    explanations: list[str] = []
    for scorer, score in (sample.get("scores") or {}).items():
        value = score.get("value") if isinstance(score, dict) else None
        scores.update(_score_values(str(scorer), value, case_id, filename))
        if isinstance(score, dict) and score.get("explanation"):
            explanations.append(f"{scorer}: {score['explanation']}")
    outcome: Literal["passed", "failed", "errored"]
    error = sample.get("error")
    if error:
        outcome = "errored"
        reason = excerpt(error.get("message") if isinstance(error, dict) else error)
    elif not scores:
        outcome, reason = "errored", "The sample was not scored."
    elif all(value >= 1 for value in scores.values()):
        outcome, reason = "passed", ""
    else:
        outcome = "failed"
        low = ", ".join(f"{name} {value:g}" for name, value in scores.items() if value < 1)
        reason = excerpt(f"Scored {low}. " + " ".join(explanations))
    output = mapping(sample.get("output"))
    total_time = number(sample.get("total_time"))
    return Case(
        id=case_id,
        name=excerpt(sample.get("input"))[:200] or f"sample {case_id}",
        outcome=outcome,
        scores=scores,
        input_excerpt=excerpt(_input_text(sample.get("input"))),
        output_excerpt=excerpt(output.get("completion")),
        reason=reason,
        duration_ms=None if total_time is None else total_time * 1000,
    )


def _score_values(scorer: str, value: Any, case_id: str, filename: str) -> dict[str, float]:
    if isinstance(value, dict):
        values: dict[str, float] = {}
        for key, item in value.items():
            values.update(_score_values(f"{scorer}/{key}", item, case_id, filename))
        return values
    if isinstance(value, bool):
        return {scorer: 1.0 if value else 0.0}
    if (numeric := number(value)) is not None:
        return {scorer: numeric}
    if isinstance(value, str) and value in _LETTER_VALUES:
        return {scorer: _LETTER_VALUES[value]}
    raise Refusal(
        f"{filename}: sample {case_id} has a {scorer} score of {excerpt(value)[:40]!r}, "
        "a value we do not read as a number."
    )


def _input_text(value: Any) -> Any:
    # A sample's input is a string or a list of chat messages; show the messages' text.
    if isinstance(value, list):
        texts = [m.get("content") for m in value if isinstance(m, dict)]
        return "\n".join(t for t in texts if isinstance(t, str)) or value
    return value
