"""The OTLP/JSON adapter, on traces the real OpenTelemetry SDK wrote (fixtures/otlp/) and on
malformed documents built here."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from cto.receipts.adapters import otlp
from cto.receipts.results import Hostile, Refusal, Trace

FIXTURES = Path(__file__).parent / "fixtures" / "otlp"
PASS = (FIXTURES / "trace-pass.jsonl").read_bytes()
FAIL = (FIXTURES / "trace-fail.jsonl").read_bytes()


def by_name(trace: Trace) -> dict[str, list[Any]]:
    found: dict[str, list[Any]] = {}
    for span in trace.spans:
        found.setdefault(span.name, []).append(span)
    return found


def minimal(**span: Any) -> dict[str, Any]:
    """One request with one span; keyword arguments replace the span's fields."""
    fields: dict[str, Any] = {
        "traceId": "0af7651916cd43dd8448eb211c80319c",
        "spanId": "b7ad6b7169203331",
        "name": "chat gpt-4o-mini",
        "startTimeUnixNano": "1772442000000000000",
        "endTimeUnixNano": "1772442000500000000",
        "attributes": [],
        "status": {},
    }
    fields.update(span)
    return {"resourceSpans": [{"resource": {}, "scopeSpans": [{"spans": [fields]}]}]}


def encode(document: Any) -> bytes:
    return json.dumps(document).encode()


def refusal(data: bytes) -> str:
    with pytest.raises(Refusal) as raised:
        otlp.read(data, "trace.json")
    return raised.value.reason


# What the real files hold


def test_passing_trace_has_six_spans_under_one_root_with_their_durations() -> None:
    trace = otlp.read(PASS, "trace-pass.jsonl")

    assert (trace.format, trace.adapter_version) == ("otlp", "1")
    assert (trace.tool, trace.tool_version) == ("opentelemetry", "1.45.2")
    [root] = [span for span in trace.spans if not span.parent_id]
    assert otlp.trace_ids(trace) == (root.trace_id,)
    assert root.name == "invoke_agent support-bot"
    assert [span.name for span in trace.spans] == [
        "invoke_agent support-bot",
        "chat gpt-4o-mini",
        "execute_tool get_order_status",
        "chat gpt-4o-mini",
        "evaluate answer_relevance",
        "release_gate answer_relevance",
    ]
    assert all(span.parent_id == root.span_id for span in trace.spans if span is not root)
    assert [span.duration_ms for span in trace.spans] == [1990, 870, 260, 640, 120, 20]
    assert {span.status for span in trace.spans} == {"ok", "unset"}


def test_model_calls_keep_their_model_provider_and_token_counts() -> None:
    chats = by_name(otlp.read(PASS, "trace-pass.jsonl"))["chat gpt-4o-mini"]

    assert [
        (
            span.attributes["gen_ai.request.model"],
            span.attributes["gen_ai.response.model"],
            span.attributes["gen_ai.usage.input_tokens"],
            span.attributes["gen_ai.usage.output_tokens"],
        )
        for span in chats
    ] == [
        ("gpt-4o-mini", "gpt-4o-mini-2024-07-18", 412, 38),
        ("gpt-4o-mini", "gpt-4o-mini-2024-07-18", 530, 61),
    ]
    assert chats[0].attributes["gen_ai.operation.name"] == "chat"
    assert chats[0].attributes["gen_ai.provider.name"] == "openai"
    assert chats[0].attributes["gen_ai.response.finish_reasons"] == "stop"
    assert chats[0].attributes["service.name"] == "support-bot"


def test_tool_and_eval_spans_keep_the_tool_name_and_the_score() -> None:
    spans = by_name(otlp.read(PASS, "trace-pass.jsonl"))

    [tool] = spans["execute_tool get_order_status"]
    assert tool.attributes["gen_ai.tool.name"] == "get_order_status"
    assert tool.attributes["gen_ai.operation.name"] == "execute_tool"
    [evaluation] = spans["evaluate answer_relevance"]
    assert evaluation.attributes["gen_ai.evaluation.score.value"] == 0.93
    assert evaluation.attributes["gen_ai.evaluation.score.label"] == "pass"


def test_failing_trace_read_line_by_line_has_the_error_and_the_slow_model_call() -> None:
    assert len(FAIL.strip().splitlines()) == 6  # the exporter wrote a line per span
    trace = otlp.read(FAIL, "trace-fail.jsonl")
    spans = by_name(trace)

    assert len(trace.spans) == 6
    assert [span.name for span in trace.spans if span.status == "error"] == [
        "invoke_agent support-bot",
        "execute_tool get_order_status",
        "release_gate answer_relevance",
    ]
    assert spans["execute_tool get_order_status"][0].attributes["error.type"] == "TimeoutError"
    assert spans["execute_tool get_order_status"][0].duration_ms == 2000
    assert [span.duration_ms for span in spans["chat gpt-4o-mini"]] == [4820, 640]
    assert spans["evaluate answer_relevance"][0].attributes["gen_ai.evaluation.score.value"] == 0.41


def test_prompt_and_completion_text_in_the_file_never_reaches_the_trace() -> None:
    assert b"order service did not answer" in FAIL  # the exception event's message
    for data in (PASS, FAIL):
        # The file does carry them, as attributes and as events.
        for written in (b"PROMPT-TEXT", b"COMPLETION-TEXT", b"SYSTEM-TEXT", b"TOOL-RESULT"):
            assert written in data
        assert b"EXPLANATION-TEXT" in data
        trace = otlp.read(data, "trace.jsonl")

        text = repr(trace)
        for marker in ("TEXT", "TOOL-RESULT", "4417", "9921", "did not answer", "timed out"):
            assert marker not in text
        kept = {key for span in trace.spans for key in span.attributes}
        assert kept <= otlp.KEPT_ATTRIBUTES | {"service.name"}
        assert not kept & {
            "gen_ai.input.messages",
            "gen_ai.output.messages",
            "gen_ai.prompt",
            "gen_ai.completion",
            "gen_ai.system_instructions",
            "gen_ai.tool.call.arguments",
            "gen_ai.tool.call.result",
            "gen_ai.conversation.id",
        }


def test_one_pretty_printed_document_reads_like_its_json_lines() -> None:
    spans = []
    for line in FAIL.splitlines():
        spans.extend(json.loads(line)["resourceSpans"][0]["scopeSpans"][0]["spans"])
    request = json.loads(FAIL.splitlines()[0])
    request["resourceSpans"][0]["scopeSpans"][0]["spans"] = spans
    pretty = json.dumps(request, indent=2).encode()

    assert otlp.read(pretty, "trace.json") == otlp.read(FAIL, "trace-fail.jsonl")


def test_two_traces_in_one_file_keep_both_and_each_span_its_trace() -> None:
    # The file exporter appends: two runs into one file are these two files end to end.
    trace = otlp.read(PASS + FAIL, "traces.jsonl")

    ids = otlp.trace_ids(trace)
    assert len(ids) == 2
    assert len(trace.spans) == 12
    assert {span.trace_id for span in trace.spans} == set(ids)
    roots = [span for span in trace.spans if not span.parent_id]
    assert [root.status for root in roots] == ["ok", "error"]


def test_sniff_knows_otlp_json_and_nothing_else() -> None:
    assert otlp.sniff(PASS, "trace-pass.jsonl")
    assert otlp.sniff(json.dumps(minimal(), indent=2).encode(), "upload.bin")
    assert not otlp.sniff(b'{"results": {"stats": {}}}', "results.json")
    assert not otlp.sniff(b"<testsuites/>", "junit.xml")
    assert not otlp.sniff(b"PK\x03\x04", "log.eval")


# The older token names and the field names protobuf also reads


def test_older_token_attribute_names_read_as_the_current_ones() -> None:
    data = encode(
        minimal(
            attributes=[
                {"key": "gen_ai.usage.prompt_tokens", "value": {"intValue": "120"}},
                {"key": "gen_ai.usage.completion_tokens", "value": {"intValue": 7}},
                {"key": "gen_ai.system", "value": {"stringValue": "anthropic"}},
            ]
        )
    )

    [span] = otlp.read(data, "trace.json").spans
    assert span.attributes == {
        "gen_ai.usage.input_tokens": 120,
        "gen_ai.usage.output_tokens": 7,
        "gen_ai.system": "anthropic",
    }


def test_snake_case_field_names_and_named_status_codes_are_read() -> None:
    data = encode(
        {
            "resource_spans": [
                {
                    "scope_spans": [
                        {
                            "spans": [
                                {
                                    "trace_id": "0af7651916cd43dd8448eb211c80319c",
                                    "span_id": "B7AD6B7169203331",
                                    "name": "execute_tool search",
                                    "start_time_unix_nano": 1772442000000000000,
                                    "end_time_unix_nano": 1772442000250000000,
                                    "status": {"code": "STATUS_CODE_ERROR"},
                                }
                            ]
                        }
                    ]
                }
            ]
        }
    )

    [span] = otlp.read(data, "trace.json").spans
    assert (span.span_id, span.status, span.duration_ms) == ("b7ad6b7169203331", "error", 250)
    assert (span.parent_id, span.attributes) == ("", {})


def test_a_span_whose_parent_is_not_in_the_file_keeps_its_parent_id() -> None:
    data = encode(minimal(parentSpanId="00f067aa0ba902b7"))

    [span] = otlp.read(data, "trace.json").spans
    assert span.parent_id == "00f067aa0ba902b7"


def test_a_long_model_name_is_cut_not_refused() -> None:
    data = encode(
        minimal(attributes=[{"key": "gen_ai.request.model", "value": {"stringValue": "m" * 5000}}])
    )

    [span] = otlp.read(data, "trace.json").spans
    assert len(str(span.attributes["gen_ai.request.model"])) == otlp.MAX_TEXT


# Refused, with a reason a person can act on


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"traceId": "0af7651916cd43dd"}, "traceId is not 32 hexadecimal characters"),
        ({"traceId": "Cvdlgk5kNDdhEjrIERwDGQ=="}, "generic protobuf-to-JSON converter"),
        ({"traceId": "0" * 32}, "traceId is all zeros"),
        ({"spanId": "xyz"}, "spanId is not 16 hexadecimal characters"),
        ({"spanId": None}, "spanId is not 16 hexadecimal characters"),
        ({"parentSpanId": "b7ad6b71"}, "parentSpanId is not 16 hexadecimal characters"),
        ({"name": ""}, "Span 1 has no name"),
        ({"startTimeUnixNano": "soon"}, "has no start time"),
        ({"startTimeUnixNano": "0"}, "has no start time"),
        ({"endTimeUnixNano": str(2**64)}, "has no end time"),
        ({"endTimeUnixNano": "1772441999000000000"}, "ends before it starts"),
        ({"status": {"code": 7}}, "status code is not unset (0), ok (1) or error (2)"),
        ({"attributes": {"gen_ai.request.model": "x"}}, "attributes are not a list"),
    ],
)
def test_malformed_span_is_refused_with_its_reason(change: dict[str, Any], reason: str) -> None:
    assert reason in refusal(encode(minimal(**change)))


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ({"stringValue": "412"}, "is not a whole number of tokens"),
        ({"intValue": "-3"}, "is not a whole number of tokens"),
        ({"intValue": "4.5"}, "is not an integer"),
        ({"intValue": str(2**63)}, "out of a 64-bit integer's range"),
        ({"doubleValue": "NaN"}, "is not a finite number"),
        ({"stringValue": "a", "intValue": "1"}, "has no value of one type"),
        ({"kvlistValue": {"values": []}}, "is not a string, number, boolean or array"),
    ],
)
def test_malformed_kept_attribute_is_refused(value: dict[str, Any], reason: str) -> None:
    attributes = [{"key": "gen_ai.usage.input_tokens", "value": value}]

    assert reason in refusal(encode(minimal(attributes=attributes)))


def test_content_attributes_are_skipped_whatever_their_shape() -> None:
    # Never decoded, so a value of any shape under a content key cannot refuse the file.
    attributes = [{"key": "gen_ai.input.messages", "value": {"kvlistValue": {"values": [1]}}}]

    [span] = otlp.read(encode(minimal(attributes=attributes)), "trace.json").spans
    assert span.attributes == {}


def test_nested_arrays_in_a_kept_attribute_are_refused() -> None:
    nested: dict[str, Any] = {"arrayValue": {"values": [{"arrayValue": {"values": []}}]}}
    attributes = [{"key": "gen_ai.response.finish_reasons", "value": nested}]

    assert "is not a string, number, boolean or array" in refusal(
        encode(minimal(attributes=attributes))
    )


def test_a_span_id_twice_in_one_trace_is_refused() -> None:
    document = minimal()
    spans = document["resourceSpans"][0]["scopeSpans"][0]["spans"]
    spans.append(copy.deepcopy(spans[0]))

    assert "appears twice" in refusal(encode(document))


def test_more_spans_than_the_bound_are_refused() -> None:
    document = minimal()
    template = document["resourceSpans"][0]["scopeSpans"][0]["spans"][0]
    document["resourceSpans"][0]["scopeSpans"][0]["spans"] = [
        {**template, "spanId": f"{number + 1:016x}"} for number in range(otlp.MAX_SPANS + 1)
    ]

    with pytest.raises(Hostile) as raised:
        otlp.read(encode(document), "trace.json")
    assert raised.value.reason == "The file holds more than 10,000 spans."


def test_a_hostile_line_of_json_lines_stays_hostile_with_its_line() -> None:
    line = encode(minimal())
    deep = b"[" * 100 + b"]" * 100
    with pytest.raises(Hostile) as raised:
        otlp.read(line + b"\n" + deep + b"\n", "trace.jsonl")
    assert raised.value.reason == "Line 2: The JSON is nested deeper than 64 levels."


def test_a_malformed_span_is_a_plain_refusal() -> None:
    document = minimal()
    del document["resourceSpans"][0]["scopeSpans"][0]["spans"][0]["name"]
    with pytest.raises(Refusal) as raised:
        otlp.read(encode(document), "trace.json")
    assert type(raised.value) is Refusal


def test_exactly_the_bound_of_spans_is_read() -> None:
    document = minimal()
    template = document["resourceSpans"][0]["scopeSpans"][0]["spans"][0]
    document["resourceSpans"][0]["scopeSpans"][0]["spans"] = [
        {**template, "spanId": f"{number + 1:016x}"} for number in range(otlp.MAX_SPANS)
    ]

    assert len(otlp.read(encode(document), "trace.json").spans) == otlp.MAX_SPANS


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "not valid JSON"),
        (b"{not json", "not valid JSON"),
        (b"[]", "is not a JSON object"),
        (b'{"resourceSpans": {}}', "resourceSpans is not a list"),
        (b'{"resourceLogs": []}', "no resourceSpans: it is not an OTLP/JSON trace export"),
        (b'{"resourceSpans": []}', "holds no spans"),
        (b'{"resourceSpans": [{"scopeSpans": [{"spans": [42]}]}]}', "Span 1 is not a JSON object"),
    ],
)
def test_malformed_documents_are_refused(data: bytes, reason: str) -> None:
    assert reason in refusal(data)


def test_deep_json_is_refused_through_the_bounded_loader() -> None:
    deep = b'{"resourceSpans": ' + b"[" * 200 + b"]" * 200 + b"}"

    assert "nested deeper than 64 levels" in refusal(deep)


def test_a_bad_line_of_json_lines_is_named_by_its_number() -> None:
    lines = FAIL.splitlines()
    lines[2] = b'{"resourceSpans": ' + b"[" * 100 + b"]" * 100 + b"}"

    assert refusal(b"\n".join(lines)).startswith("Line 3: The JSON is nested deeper")
    lines[2] = b'{"resourceMetrics": []}'
    assert refusal(b"\n".join(lines)).startswith("Line 3: The file has no resourceSpans")


def test_an_oversized_file_is_refused_before_parsing() -> None:
    assert "receipts are read up to 20 MB" in refusal(b" " * (20 * 1024 * 1024 + 1))


def test_control_characters_and_lone_surrogates_in_kept_text_are_replaced() -> None:
    data = encode(
        minimal(
            name="chat\u0000 \u0007model \ud800",
            attributes=[{"key": "gen_ai.tool.name", "value": {"stringValue": "look\u001bup"}}],
        )
    )

    [span] = otlp.read(data, "trace.json").spans
    assert span.name == "chat\ufffd \ufffdmodel \ufffd"
    assert span.attributes["gen_ai.tool.name"] == "look\ufffdup"
    span.name.encode("utf-8")  # would raise on a lone surrogate
