"""The SVG charts parse as XML, escape their text and have one axis per dimension."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from cto.core.charts import Series, bar_chart, radar_chart

SVG = "{http://www.w3.org/2000/svg}"
AXES = ["Use cases", "Models", "Data", "Evals", "Agents <&> tool permissions"]


def test_radar_has_one_axis_per_dimension_and_one_shape_per_series() -> None:
    svg = radar_chart(
        AXES,
        [
            Series("Earlier", [10, 20, None, 40, 50], "series-previous"),
            Series("Now", [60, 70, 80, 90, 100]),
        ],
        title="Readiness by dimension",
    )
    root = ET.fromstring(svg)
    assert len(root.findall(f"{SVG}line")) == len(AXES)
    labels = [text.get("aria-label") for text in root.findall(f"{SVG}text")]
    assert labels == AXES  # escaped on the way out, read back intact
    spans = root.findall(f"{SVG}text/{SVG}tspan")
    assert (
        " ".join(span.text for span in spans[-2:]) == "Agents <&> tool permissions"
    )  # wrapped in two
    shapes = [p for p in root.findall(f"{SVG}polygon") if p.get("class") != "grid"]
    assert [p.get("class") for p in shapes] == ["series-previous", "series-current"]
    assert "Data not scored" in root.find(f"{SVG}desc").text


def test_bars_show_values_and_earlier_markers() -> None:
    svg = bar_chart([("Evals", 75.0), ("Team", None)], title="Scores", previous=[50.0, 20.0])
    root = ET.fromstring(svg)
    bars = [r for r in root.findall(f"{SVG}rect") if r.get("class") == "bar"]
    markers = [r for r in root.findall(f"{SVG}rect") if r.get("class") == "previous"]
    assert len(bars) == 1  # Team has no score: no bar, "n/a" written
    assert len(markers) == 2
    assert "n/a" in [text.text for text in root.findall(f"{SVG}text")]


# A chart is shown at most 1:1 (a browser shrinks, never grows it): drawn wider than its column,
# its 12-unit labels render smaller than 12 px. Two charts side by side on the 64rem page leave
# each about 471 px; the audit's longest dimension titles are these.
HALF_COLUMN = 471
DIMENSIONS = [
    "Use cases and value",
    "Model selection",
    "Data, retrieval and permission boundaries",
    "Evals and release gates",
    "Agents and tool permissions",
    "AI infrastructure",
    "Governance",
    "Cost controls",
    "Security and vendor risk",
    "Team and hiring",
]


def test_the_radar_fits_half_a_page_with_its_labels_inside_it() -> None:
    svg = radar_chart(DIMENSIONS, [Series("Now", [50] * len(DIMENSIONS))], title="Readiness")
    root = ET.fromstring(svg)
    width = float(root.get("width"))
    assert width <= HALF_COLUMN
    assert root.get("viewBox") == f"0 0 {root.get('width')} {root.get('height')}"
    for text in root.findall(f"{SVG}text"):
        anchor = text.get("text-anchor")
        for span in text.findall(f"{SVG}tspan"):
            x, room = float(span.get("x")), 6.6 * len(span.text)
            left = {"start": x, "end": x - room, "middle": x - room / 2}[anchor]
            assert left >= 0, span.text  # no label clipped on either side
            assert left + room <= width, span.text
            assert len(span.text) <= 16 or " " not in span.text


def test_bars_stay_half_a_page_wide_whatever_their_labels_with_each_label_above_its_bar() -> None:
    svg = bar_chart([(title, 50.0) for title in DIMENSIONS], title="Scores")
    root = ET.fromstring(svg)
    assert float(root.get("width")) <= HALF_COLUMN
    labels = root.findall(f"{SVG}text[@class='bar-label']")
    bars = [r for r in root.findall(f"{SVG}rect") if r.get("class") == "bar"]
    assert [label.text for label in labels] == DIMENSIONS
    for label, bar in zip(labels, bars, strict=True):
        assert float(label.get("y")) < float(bar.get("y"))
        assert label.get("font-size") == "12"
