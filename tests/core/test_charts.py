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
