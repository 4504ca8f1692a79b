"""JUnit XML (pytest ``--junitxml``, DeepEval's test runs, most CI runners).

The root is ``<testsuites>`` or a single ``<testsuite>``; every ``<testcase>`` under it is a
case: with a ``<failure>`` child it failed, with an ``<error>`` child it errored, with a
``<skipped>`` child it was skipped, with none it passed. The XML is parsed only by defusedxml,
DTDs and entities refused (cto.receipts.safety.load_xml). The tool is the suite's name when it
is "pytest", else "junit"; JUnit XML states no tool version, so ``tool_version`` is empty. JUnit
has no versions of its own to refuse: a file without a single test case is refused instead."""

from __future__ import annotations

from typing import Literal
from xml.etree.ElementTree import Element

from cto.receipts.adapters.values import excerpt
from cto.receipts.results import Case, EvalRun, Refusal
from cto.receipts.safety import Budget, load_xml

NAME = "junit"
VERSION = "1"
_OUTCOME_CHILDREN: tuple[tuple[str, Literal["failed", "errored", "skipped"]], ...] = (
    ("error", "errored"),
    ("failure", "failed"),
    ("skipped", "skipped"),
)


def sniff(data: bytes, filename: str) -> bool:
    head = data[:2048].lstrip()
    return filename.lower().endswith(".xml") and (b"<testsuite" in head)


def read(data: bytes, filename: str, *, budget: Budget | None = None) -> EvalRun:
    budget = budget or Budget()
    root = load_xml(data)
    if root.tag not in ("testsuites", "testsuite"):
        raise Refusal(f"{filename} is not JUnit XML (its root is <{root.tag}>).")
    suites = [root] if root.tag == "testsuite" else list(root.iter("testsuite"))
    cases: list[Case] = []
    for element in root.iter("testcase"):
        budget.check()
        cases.append(_case(element, len(cases)))
    if not cases:
        raise Refusal(f"{filename} holds no test cases.")
    first = suites[0] if suites else root
    tool = "pytest" if first.get("name") == "pytest" else "junit"
    return EvalRun(
        format="junit",
        adapter_version=VERSION,
        tool=tool,
        tool_version="",
        cases=tuple(cases),
        metrics={},
        started_at=first.get("timestamp", ""),
    )


def _case(element: Element, index: int) -> Case:
    classname, name = element.get("classname", ""), element.get("name", "")
    full_name = f"{classname}::{name}" if classname else name or f"test {index + 1}"
    outcome: Literal["passed", "failed", "errored", "skipped"] = "passed"
    reason = ""
    for tag, child_outcome in _OUTCOME_CHILDREN:
        child = element.find(tag)
        if child is not None:
            outcome = child_outcome
            reason = excerpt(child.get("message") or (child.text or "").strip())
            break
    output = element.find("system-out")
    try:
        duration_ms: float | None = float(element.get("time", "")) * 1000
    except ValueError:
        duration_ms = None
    return Case(
        id=full_name,
        name=full_name[:200],
        outcome=outcome,
        input_excerpt="",
        output_excerpt=excerpt((output.text or "").strip()) if output is not None else "",
        reason=reason,
        duration_ms=duration_ms,
    )
