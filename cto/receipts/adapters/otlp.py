"""OpenTelemetry traces as OTLP/JSON: the spans of one or several traces, with their parents,
times, status and an allow-list of GenAI attributes.

Reads the protocol's JSON encoding of an ExportTraceServiceRequest (resourceSpans[] ->
scopeSpans[] -> spans[], ids in hex, times as strings of nanoseconds), either as one document
or as JSON Lines, one request a line, as the SDKs' and the Collector's file exporters append
them. A file may hold several traces: the Trace keeps every span and each span knows its
trace_id; a span whose parent is not in the file stays as it is (the waterfall draws it as a
root).

Only the attributes in ``KEPT_ATTRIBUTES`` are copied (names, model, token counts, tool,
operation, evaluation score, error type) plus the resource's service.name. Prompt and
completion text (gen_ai.input.messages, gen_ai.output.messages, gen_ai.prompt, tool arguments
and results, events) is never decoded, let alone kept: it stays in the stored file.
"""

from __future__ import annotations

import math
import re
from typing import Any, Literal

from cto.receipts.results import Hostile, Refusal, Span, Trace
from cto.receipts.safety import Budget, check_size, load_json

NAME = "otlp"
VERSION = "1"

MAX_SPANS = 10_000
# A kept string (a model's or a tool's name) is short; a longer one is cut, never refused.
MAX_TEXT = 200
SNIFF_BYTES = 4096

# OpenTelemetry's GenAI semantic conventions (gen_ai.*), and error.type from the general ones.
KEPT_ATTRIBUTES = frozenset(
    {
        "gen_ai.operation.name",
        "gen_ai.provider.name",
        "gen_ai.system",  # the provider's attribute before gen_ai.provider.name replaced it
        "gen_ai.request.model",
        "gen_ai.response.model",
        "gen_ai.usage.input_tokens",
        "gen_ai.usage.output_tokens",
        "gen_ai.response.finish_reasons",
        "gen_ai.agent.name",
        "gen_ai.tool.name",
        "gen_ai.tool.type",
        "gen_ai.evaluation.name",
        "gen_ai.evaluation.score.value",
        "gen_ai.evaluation.score.label",
        "error.type",
    }
)
TOKEN_ATTRIBUTES = frozenset({"gen_ai.usage.input_tokens", "gen_ai.usage.output_tokens"})
# Older instrumentations (the conventions before 1.27) name the token counts so: read as the
# current names, so a rule on input tokens reads both.
TOKEN_ALIASES = {
    "gen_ai.usage.prompt_tokens": "gen_ai.usage.input_tokens",
    "gen_ai.usage.completion_tokens": "gen_ai.usage.output_tokens",
}
RESOURCE_ATTRIBUTES = frozenset({"service.name", "telemetry.sdk.name", "telemetry.sdk.version"})

_STATUS_CODES: dict[object, Literal["unset", "ok", "error"]] = {
    0: "unset",
    1: "ok",
    2: "error",
    "STATUS_CODE_UNSET": "unset",
    "STATUS_CODE_OK": "ok",
    "STATUS_CODE_ERROR": "error",
}
_TRACE_ID = re.compile(r"[0-9a-fA-F]{32}")
_SPAN_ID = re.compile(r"[0-9a-fA-F]{16}")
_NANOS = re.compile(r"[0-9]{1,20}")
_INT64 = 2**63
_UINT64 = 2**64

Value = str | int | float | bool


def sniff(data: bytes, filename: str) -> bool:
    """An OTLP/JSON trace export names resourceSpans in its first object, near the start."""
    head = data[:SNIFF_BYTES].lstrip()
    if not head.startswith(b"{"):
        return False
    return b'"resourceSpans"' in head or b'"resource_spans"' in head


def read(data: bytes, filename: str, *, budget: Budget | None = None) -> Trace:
    budget = budget or Budget()
    spans: list[Span] = []
    tools: list[str] = []
    versions: list[str] = []
    for where, request in _requests(data):
        try:
            for resource_spans in _list(request, "resourceSpans", "resource_spans", "file"):
                resource = _resource(resource_spans)
                _note(tools, resource.get("telemetry.sdk.name"))
                _note(versions, resource.get("telemetry.sdk.version"))
                for scope_spans in _list(resource_spans, "scopeSpans", "scope_spans", "resource"):
                    for raw in _list(scope_spans, "spans", "spans", "scope"):
                        budget.check()
                        if len(spans) == MAX_SPANS:
                            raise Hostile(f"The file holds more than {MAX_SPANS:,} spans.")
                        spans.append(_span(raw, len(spans) + 1, resource.get("service.name")))
        except Refusal as refusal:
            # The same kind again (a Hostile stays hostile), with where it happened.
            raise type(refusal)(f"{where}{refusal.reason}") from None
    if not spans:
        raise Refusal("The file holds no spans: an OTLP/JSON trace export names at least one.")
    _refuse_duplicates(spans)
    spans.sort(key=lambda span: (span.start_ns, span.trace_id, span.span_id))
    return Trace(
        format="otlp",
        adapter_version=VERSION,
        tool=", ".join(tools),
        tool_version=", ".join(versions),
        spans=tuple(spans),
    )


def trace_ids(trace: Trace) -> tuple[str, ...]:
    """The trace ids the file holds, in order of their first span."""
    return tuple(dict.fromkeys(span.trace_id for span in trace.spans))


def _requests(data: bytes) -> list[tuple[str, Any]]:
    """Each ExportTraceServiceRequest with where it stands, for the refusal's sentence: the
    whole file when it is one document, "Line n: " when it is JSON Lines."""
    check_size(data)
    lines = [(number, line) for number, line in enumerate(data.splitlines(), 1) if line.strip()]
    first = lines[0][1].strip() if lines else b""
    # A pretty-printed document's first line is a lone "{"; a JSON Lines file's is an object.
    if len(lines) < 2 or not (first.startswith(b"{") and first.endswith(b"}")):
        return [("", load_json(data))]
    if len(lines) > MAX_SPANS:
        raise Hostile(f"The file holds more than {MAX_SPANS:,} lines.")
    requests = []
    for number, line in lines:
        try:
            requests.append((f"Line {number}: ", load_json(line)))
        except Refusal as refusal:
            raise type(refusal)(f"Line {number}: {refusal.reason}") from None
    return requests


def _list(parent: Any, name: str, snake_name: str, within: str) -> list[Any]:
    # The protocol's JSON writes lowerCamelCase; protobuf's JSON readers also accept the
    # fields' original names, so a file written that way is read too.
    if not isinstance(parent, dict):
        raise Refusal(f"The {within} is not a JSON object where OTLP/JSON has one.")
    value = parent.get(name, parent.get(snake_name))
    if value is None:
        if within == "file":
            raise Refusal("The file has no resourceSpans: it is not an OTLP/JSON trace export.")
        return []
    if not isinstance(value, list):
        raise Refusal(f"{name} is not a list.")
    return value


def _resource(resource_spans: dict[str, Any]) -> dict[str, Value]:
    resource = resource_spans.get("resource") or {}
    if not isinstance(resource, dict):
        raise Refusal("A resource is not a JSON object.")
    return _attributes(resource.get("attributes"), RESOURCE_ATTRIBUTES, "A resource")


def _span(raw: Any, number: int, service: Value | None) -> Span:
    if not isinstance(raw, dict):
        raise Refusal(f"Span {number} is not a JSON object.")
    name = raw.get("name")
    if not isinstance(name, str) or not name.strip():
        raise Refusal(f"Span {number} has no name.")
    label = f"Span {number} ({_clip(name, 60)!r})"
    trace_id = _hex_id(raw.get("traceId", raw.get("trace_id")), _TRACE_ID, 32, "traceId", label)
    span_id = _hex_id(raw.get("spanId", raw.get("span_id")), _SPAN_ID, 16, "spanId", label)
    parent = raw.get("parentSpanId", raw.get("parent_span_id")) or ""
    parent_id = _hex_id(parent, _SPAN_ID, 16, "parentSpanId", label) if parent else ""
    start = _nanos(raw.get("startTimeUnixNano", raw.get("start_time_unix_nano")), label, "start")
    end = _nanos(raw.get("endTimeUnixNano", raw.get("end_time_unix_nano")), label, "end")
    if end < start:
        raise Refusal(f"{label} ends before it starts.")
    attributes = _attributes(raw.get("attributes"), KEPT_ATTRIBUTES | TOKEN_ALIASES.keys(), label)
    for old, current in TOKEN_ALIASES.items():
        if old in attributes:
            attributes.setdefault(current, attributes[old])
            del attributes[old]
    for key in TOKEN_ATTRIBUTES & attributes.keys():
        count = attributes[key]
        if isinstance(count, bool) or not isinstance(count, int) or count < 0:
            raise Refusal(f"{label}: {key} is not a whole number of tokens.")
    if isinstance(service, str):
        attributes["service.name"] = service
    return Span(
        trace_id=trace_id.lower(),
        span_id=span_id.lower(),
        parent_id=parent_id.lower(),
        name=_clip(name, MAX_TEXT),
        start_ns=start,
        end_ns=end,
        status=_status(raw.get("status"), label),
        attributes=attributes,
    )


def _hex_id(value: Any, pattern: re.Pattern[str], length: int, field: str, label: str) -> str:
    if not isinstance(value, str) or not pattern.fullmatch(value):
        raise Refusal(
            f"{label}: its {field} is not {length} hexadecimal characters (OTLP/JSON writes ids "
            "in hex; a generic protobuf-to-JSON converter writes base64, which is not OTLP/JSON)."
        )
    if set(value) == {"0"}:
        raise Refusal(f"{label}: its {field} is all zeros, which OpenTelemetry calls invalid.")
    return value


def _nanos(value: Any, label: str, which: str) -> int:
    # int64 fields are strings in protobuf's JSON; a number is accepted as its readers do.
    if isinstance(value, str) and _NANOS.fullmatch(value):
        nanos = int(value)
    elif isinstance(value, int) and not isinstance(value, bool):
        nanos = value
    else:
        raise Refusal(f"{label} has no {which} time in nanoseconds.")
    if not 0 < nanos < _UINT64:
        raise Refusal(f"{label} has no {which} time in nanoseconds.")
    return nanos


def _status(value: Any, label: str) -> Literal["unset", "ok", "error"]:
    if value is None:
        return "unset"
    if not isinstance(value, dict):
        raise Refusal(f"{label}: its status is not a JSON object.")
    code = value.get("code", 0)
    if isinstance(code, bool) or not isinstance(code, int | str) or code not in _STATUS_CODES:
        raise Refusal(f"{label}: its status code is not unset (0), ok (1) or error (2).")
    return _STATUS_CODES[code]


def _attributes(value: Any, kept: frozenset[str] | set[str], label: str) -> dict[str, Value]:
    """The kept keys' values; every other attribute is skipped without reading its value."""
    if value is None:
        return {}
    if not isinstance(value, list):
        raise Refusal(f"{label}: its attributes are not a list.")
    attributes: dict[str, Value] = {}
    for pair in value:
        if not isinstance(pair, dict) or not isinstance(pair.get("key"), str):
            raise Refusal(f"{label}: an attribute is not a key and a value.")
        key = pair["key"]
        if key in kept:
            attributes[key] = _value(pair.get("value"), f"{label}: attribute {key}")
    return attributes


def _value(value: Any, label: str, *, in_array: bool = False) -> Value:
    """An AnyValue of a kept attribute: a scalar, or an array of scalars joined by commas."""
    if not isinstance(value, dict) or len(value) != 1:
        raise Refusal(f"{label} has no value of one type.")
    ((kind, raw),) = value.items()
    if kind == "stringValue" and isinstance(raw, str):
        return _clip(raw, MAX_TEXT)
    if kind == "boolValue" and isinstance(raw, bool):
        return raw
    if kind == "intValue":
        return _int64(raw, label)
    if kind == "doubleValue":
        return _double(raw, label)
    if kind == "arrayValue" and not in_array and isinstance(raw, dict):
        items = raw.get("values", [])
        if isinstance(items, list):
            values = (_value(item, label, in_array=True) for item in items)
            return _clip(", ".join(str(item) for item in values), MAX_TEXT)
    raise Refusal(f"{label} is not a string, number, boolean or array of them.")


def _int64(raw: Any, label: str) -> int:
    if isinstance(raw, str) and re.fullmatch(r"-?[0-9]{1,19}", raw):
        number = int(raw)
    elif isinstance(raw, int) and not isinstance(raw, bool):
        number = raw
    else:
        raise Refusal(f"{label} is not an integer.")
    if not -_INT64 <= number < _INT64:
        raise Refusal(f"{label} is out of a 64-bit integer's range.")
    return number


def _double(raw: Any, label: str) -> float:
    if isinstance(raw, bool) or not isinstance(raw, int | float):
        # protobuf's JSON writes NaN and the infinities as strings: no value to keep here.
        raise Refusal(f"{label} is not a finite number.")
    number = float(raw)
    if not math.isfinite(number):
        raise Refusal(f"{label} is not a finite number.")
    return number


def _note(found: list[str], value: Value | None) -> None:
    if isinstance(value, str) and value and value not in found:
        found.append(value)


# Control characters and lone surrogates are valid in a JSON string but not in PostgreSQL's
# text (NUL), in XML (the SVG) or in UTF-8 (a lone surrogate cannot be encoded).
_UNWRITABLE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff]")


def _clip(text: str, limit: int) -> str:
    """A kept string, writable anywhere and at most ``limit`` characters."""
    text = _UNWRITABLE.sub("\ufffd", text)
    return text if len(text) <= limit else text[: limit - 1] + "\u2026"


def _refuse_duplicates(spans: list[Span]) -> None:
    seen: set[tuple[str, str]] = set()
    for span in spans:
        key = (span.trace_id, span.span_id)
        if key in seen:
            raise Refusal(f"The span id {span.span_id} appears twice in trace {span.trace_id}.")
        seen.add(key)
