"""The practice's brand in the PDF, read back from real files: the cover's mark and name, the
running header, the contact on the last page, the colours and the author; and a version keeps
the brand it was asked for with, byte for byte, after the brand changes."""

from __future__ import annotations

from typing import Any

import pypdf
import pytest

from cto.brand.models import Brand
from cto.brand.services import brand_save
from cto.engagements.models import Engagement
from cto.reports import pdf, services
from cto.users.models import User
from tests.brand.factories import brand_create
from tests.reports.conftest import Say, engagement_with_everything, reader_of, rendered, request

pytestmark = pytest.mark.django_db

NAME = "Kestrel Technology Partners"
# A violet found nowhere else in a report: where it is drawn, the logo is.
LOGO = (
    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 40 20">'
    '<rect id="provenance" width="40" height="20" fill="#5b21b6"/></svg>'
)


def pdf_color(hex_color: str, operator: str = "rg") -> str:
    """How WeasyPrint writes a colour into a content stream."""
    channels = (int(hex_color[index : index + 2], 16) / 255 for index in (1, 3, 5))
    return " ".join(f"{channel:f}" for channel in channels) + f" {operator}"


def drawing_of(page: pypdf.PageObject) -> str:
    """The page's content stream and those of the forms it draws (an inline SVG is one)."""
    parts = [page.get_contents().get_data().decode("latin-1")]

    def walk(resources: Any) -> None:
        if resources is None:
            return
        for xobject in (resources.get_object().get("/XObject") or {}).values():
            xobject = xobject.get_object()
            parts.append(xobject.get_data().decode("latin-1"))
            walk(xobject.get("/Resources"))

    walk(page.get("/Resources"))
    return "\n".join(parts)


@pytest.fixture
def week_one(engagement: Engagement, operator: User) -> tuple[Any, bytes]:
    brand_create(logo_svg=LOGO)
    report = request(engagement, "week_one", by=operator)
    return report, rendered(report)


def test_the_cover_shows_the_practice_s_mark_and_name(week_one: tuple[Any, bytes]) -> None:
    _, data = week_one
    cover = reader_of(data).pages[0]
    text = cover.extract_text()
    assert f"{NAME} · Fractional CTO for AI products".upper() in text
    assert "FRACTIONAL CTO PRACTICE" not in text
    drawing = drawing_of(cover)
    assert pdf_color("#5b21b6") in drawing  # the logo
    assert pdf_color("#0f5132") in drawing  # the title, in the primary colour
    assert reader_of(data).metadata.author == NAME


def test_the_running_header_names_the_practice(week_one: tuple[Any, bytes]) -> None:
    _, data = week_one
    second = reader_of(data).pages[1].extract_text()
    assert f"{NAME} · Week-one deliverable" in " ".join(second.split())


def test_the_last_page_carries_the_practice_s_address_and_contact(
    week_one: tuple[Any, bytes],
) -> None:
    _, data = week_one
    last = reader_of(data).pages[-1].extract_text()
    assert "Appendix: provenance" in last
    lines = [line.strip() for line in last.splitlines()]
    for line in ("Kestrel Technology Partners GmbH", "Torstrasse 140", "10119 Berlin", "Germany"):
        assert line in lines
    contact = "office@kestrel-partners.eu · +49 30 1234 5678 · https://kestrel-partners.eu"
    assert contact in " ".join(last.split())  # the cell may wrap it over two lines


def test_a_logo_id_cannot_take_over_the_report_s_own_anchor(
    week_one: tuple[Any, bytes],
) -> None:
    report, _ = week_one
    html = services.report_html(report)
    assert html.count('id="provenance"') == 1
    assert 'id="logo-provenance"' in html


def test_a_version_keeps_its_brand_byte_for_byte_after_the_brand_changes(
    week_one: tuple[Any, bytes], engagement: Engagement, operator: User
) -> None:
    report, before = week_one
    brand = Brand.objects.get()
    brand.name = "Osprey Advisory"
    brand.primary_color = "#7c2d12"
    brand_save(brand=brand)

    again = pdf.render(services.report_html(report)).pdf
    assert again == before
    assert report.snapshot["brand"]["name"] == NAME

    newer = rendered(request(engagement, "week_one", by=operator))
    assert "OSPREY ADVISORY" in reader_of(newer).pages[0].extract_text()
    assert pdf_color("#7c2d12") in drawing_of(reader_of(newer).pages[0])


def test_the_intake_summary_carries_the_brand_too(operator: User) -> None:
    brand_create()
    engagement = engagement_with_everything(say=Say())
    data = rendered(request(engagement, "intake_summary", by=operator))
    reader = reader_of(data)
    assert NAME.upper() in reader.pages[0].extract_text()
    assert "Torstrasse 140" in reader.pages[-1].extract_text()
    assert reader.metadata.author == NAME
