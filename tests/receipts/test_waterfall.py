"""The trace waterfall: rows in tree order and an SVG that parses, names errors in words and
escapes what a stranger's file put in a span's name."""

from __future__ import annotations

import re
from pathlib import Path
from xml.etree import ElementTree

import pytest

from cto.receipts.adapters import otlp
from cto.receipts.results import Span, Trace
from cto.receipts.waterfall import duration_text, waterfall, waterfall_rows

FIXTURES = Path(__file__).parent / "fixtures" / "otlp"
SVG = "{http://www.w3.org/2000/svg}"
TRACE_ID = "0af7651916cd43dd8448eb211c80319c"
MS = 1_000_000


def fixture(name: str) -> Trace:
    return otlp.read((FIXTURES / name).read_bytes(), name)


def span(span_id: str, parent: str = "", *, start: int = 0, end: int = 10, **extra: object) -> Span:
    return Span(
        trace_id=str(extra.pop("trace_id", TRACE_ID)),
        span_id=span_id,
        parent_id=parent,
        name=str(extra.pop("name", f"span {span_id}")),
        start_ns=1_772_442_000_000_000_000 + start * MS,
        end_ns=1_772_442_000_000_000_000 + end * MS,
        status=extra.pop("status", "unset"),  # type: ignore[arg-type]  # tests pass a literal
        attributes=dict(extra.pop("attributes", {})),  # type: ignore[call-overload]  # a dict
    )


def trace_of(*spans: Span) -> Trace:
    return Trace(format="otlp", adapter_version="1", tool="", tool_version="", spans=spans)


def labels(svg: str) -> list[str]:
    root = ElementTree.fromstring(svg)
    return [
        "".join(text.itertext())
        for text in root.iter(f"{SVG}text")
        if text.get("class") == "span-label"
    ]


def bar_widths(svg: str) -> list[float]:
    root = ElementTree.fromstring(svg)
    return [
        float(rect.get("width", "0"))
        for rect in root.iter(f"{SVG}rect")
        if rect.get("class") == "bar"
    ]


# Rows


def test_rows_follow_the_tree_with_times_from_the_trace_start() -> None:
    rows = waterfall_rows(fixture("trace-fail.jsonl"))

    assert [(row.depth, row.name) for row in rows] == [
        (0, "invoke_agent support-bot"),
        (1, "chat gpt-4o-mini"),
        (1, "execute_tool get_order_status"),
        (1, "chat gpt-4o-mini"),
        (1, "evaluate answer_relevance"),
        (1, "release_gate answer_relevance"),
    ]
    assert [row.offset_ms for row in rows] == [0, 40, 4870, 6880, 7530, 7655]
    assert [row.duration_ms for row in rows] == [7680, 4820, 2000, 640, 120, 20]


def test_rows_carry_model_tokens_tool_score_and_error() -> None:
    rows = waterfall_rows(fixture("trace-fail.jsonl"))

    chat, tool, evaluation, gate = rows[1], rows[2], rows[4], rows[5]
    assert (chat.model, chat.input_tokens, chat.output_tokens) == (
        "gpt-4o-mini-2024-07-18",
        412,
        38,
    )
    assert chat.details == "4.82 s \u00b7 gpt-4o-mini-2024-07-18 \u00b7 412 in / 38 out tokens"
    assert (tool.tool, tool.is_error, tool.error_type) == ("get_order_status", True, "TimeoutError")
    assert tool.details == "error: TimeoutError \u00b7 2 s \u00b7 tool get_order_status"
    assert evaluation.score == "0.41 (fail)"
    assert gate.details.startswith("error: gate_blocked")


def test_children_are_ordered_by_start_and_nested_depth_first() -> None:
    trace = trace_of(
        span("0000000000000004", "0000000000000002", start=30, end=40),
        span("0000000000000003", "0000000000000001", start=50, end=60),
        span("0000000000000002", "0000000000000001", start=20, end=45),
        span("0000000000000001", start=0, end=100),
    )

    rows = waterfall_rows(trace)
    assert [(row.span_id[-1], row.depth) for row in rows] == [
        ("1", 0),
        ("2", 1),
        ("4", 2),
        ("3", 1),
    ]


def test_a_span_whose_parent_is_missing_is_a_root_marked_as_such() -> None:
    trace = trace_of(
        span("0000000000000001", start=0, end=100),
        span("0000000000000002", "00000000000000ff", start=10, end=20),
    )

    rows = waterfall_rows(trace)
    assert [(row.depth, row.orphan) for row in rows] == [(0, False), (0, True)]
    assert rows[1].details.endswith("parent not in file")


def test_spans_in_a_cycle_of_parents_are_still_drawn_once() -> None:
    trace = trace_of(
        span("0000000000000001", "0000000000000002", start=0, end=10),
        span("0000000000000002", "0000000000000001", start=5, end=10),
    )

    rows = waterfall_rows(trace)
    assert [(row.span_id[-1], row.depth) for row in rows] == [("1", 0), ("2", 1)]


def test_a_chain_ten_thousand_deep_is_ordered_without_recursion() -> None:
    chain = [
        span(f"{n + 1:016x}", f"{n:016x}" if n else "", start=n, end=n + 1) for n in range(10_000)
    ]

    rows = waterfall_rows(trace_of(*reversed(chain)))
    assert [row.depth for row in rows] == list(range(10_000))
    assert "10000 spans" in waterfall(trace_of(*chain))


def test_two_traces_keep_their_own_trees() -> None:
    rows = waterfall_rows(
        otlp.read(
            (FIXTURES / "trace-pass.jsonl").read_bytes()
            + (FIXTURES / "trace-fail.jsonl").read_bytes(),
            "both.jsonl",
        )
    )

    assert [row.depth for row in rows] == [0, 1, 1, 1, 1, 1] * 2
    assert len({row.trace_id for row in rows[:6]}) == len({row.trace_id for row in rows[6:]}) == 1
    assert rows[0].trace_id != rows[6].trace_id


# The SVG


def test_svg_parses_and_has_one_labelled_row_per_span_in_tree_order() -> None:
    trace = fixture("trace-pass.jsonl")
    svg = waterfall(trace, title="First trace")

    root = ElementTree.fromstring(svg)
    assert root.find(f"{SVG}title").text == "First trace"  # type: ignore[union-attr]
    desc = root.find(f"{SVG}desc").text  # type: ignore[union-attr]
    assert desc == ("6 spans over 1.99 s; no errors; longest: invoke_agent support-bot, 1.99 s.")
    assert [label.split(" \u2014 ")[0] for label in labels(svg)] == [
        row.name for row in waterfall_rows(trace)
    ]
    assert labels(svg)[1] == (
        "chat gpt-4o-mini \u2014 870 ms \u00b7 gpt-4o-mini-2024-07-18 \u00b7 412 in / 38 out tokens"
    )
    assert len(bar_widths(svg)) == 6


def test_error_spans_are_marked_in_words_not_colour_alone() -> None:
    svg = waterfall(fixture("trace-fail.jsonl"))

    marked = [label for label in labels(svg) if "error" in label]
    assert [label.split(" \u2014 ")[0] for label in marked] == [
        "invoke_agent support-bot",
        "execute_tool get_order_status",
        "release_gate answer_relevance",
    ]
    assert svg.count('class="span span-error"') == 3
    assert "3 in error: invoke_agent support-bot, execute_tool get_order_status" in svg


def test_the_word_error_survives_a_narrow_chart() -> None:
    svg = waterfall(fixture("trace-fail.jsonl"), width=300)

    label = next(label for label in labels(svg) if label.startswith("execute_tool"))
    assert "error: TimeoutError" in label


def test_hostile_names_are_escaped_and_the_svg_still_parses() -> None:
    hostile = '<script>alert("x")</script> & <b>'
    trace = trace_of(
        span(
            "0000000000000001",
            name=hostile,
            status="error",
            attributes={"gen_ai.request.model": "m&m<>", "error.type": "\"quoted'"},
        ),
    )
    svg = waterfall(trace, title="A <title> & more")

    assert "<script>" not in svg
    assert "<b>" not in svg
    assert "&lt;script&gt;" in svg
    assert "&amp; &lt;b&gt;" in svg
    assert labels(svg) == [hostile + " \u2014 error: \"quoted' \u00b7 10 ms \u00b7 m&m<>"]


def test_characters_xml_cannot_hold_are_replaced() -> None:
    svg = waterfall(trace_of(span("0000000000000001", name="bad\x00\x1bname\ud800")))

    assert labels(svg) == ["bad\ufffd\ufffdname\ufffd \u2014 10 ms"]


def test_bars_scale_with_the_width_and_keep_their_proportions() -> None:
    trace = fixture("trace-pass.jsonl")

    wide, narrow = bar_widths(waterfall(trace, width=800)), bar_widths(waterfall(trace, width=400))
    assert wide[0] == 800  # the root spans the whole trace
    assert narrow[0] == 400
    # Coordinates are written to a tenth of a unit.
    assert [w / 2 for w in wide] == pytest.approx(narrow, abs=0.1)
    assert re.search(r'viewBox="0 0 400 \d+" width="400"', waterfall(trace, width=400))


def test_a_zero_length_span_still_gets_a_visible_bar() -> None:
    trace = trace_of(
        span("0000000000000001", end=1000), span("0000000000000002", start=500, end=500)
    )

    assert bar_widths(waterfall(trace, width=500))[1] == 2.0


def test_time_axis_has_round_ticks_in_ms_or_seconds() -> None:
    def ticks(svg: str) -> list[str]:
        root = ElementTree.fromstring(svg)
        return [t.text or "" for t in root.iter(f"{SVG}text") if t.get("class") == "tick"]

    assert ticks(waterfall(fixture("trace-pass.jsonl"))) == ["0 ms", "500 ms", "1 s", "1.5 s"]
    assert ticks(waterfall(fixture("trace-fail.jsonl"))) == ["0 ms", "2 s", "4 s", "6 s"]


def test_only_the_first_rows_are_drawn_and_the_rest_are_counted() -> None:
    spans = [span(f"{n + 1:016x}", start=n, end=n + 5) for n in range(250)]

    svg = waterfall(trace_of(*spans), max_rows=200)
    assert len(bar_widths(svg)) == 200
    assert labels(svg)[-1] == "50 more spans: see the table"
    assert "250 spans over 254 ms; no errors" in svg


def test_durations_read_in_ms_under_a_second_and_in_seconds_above() -> None:
    assert [duration_text(ms) for ms in (0, 0.25, 12.34, 870, 1000, 4820, 61_000)] == [
        "0 ms",
        "0.25 ms",
        "12.3 ms",
        "870 ms",
        "1 s",
        "4.82 s",
        "61 s",
    ]
