"""The demo practice (cto/demo/seed.py): a realistic brand, in place before the demo's report is
asked for, and left alone once an operator has edited it."""

from __future__ import annotations

import pytest

from cto.brand.models import Brand
from cto.brand.selectors import brand_current
from cto.brand.services import brand_save
from cto.demo.seed import seed_demo
from cto.reports.models import Report

pytestmark = pytest.mark.django_db


def test_the_demo_practice_is_branded_and_its_report_carries_the_brand() -> None:
    seed_demo()
    assert brand_current().name == "Proofwork"
    assert brand_current().address_lines[1] == "Studio 4, 21 Kingsland Road"
    report = Report.objects.get(kind=Report.Kind.WEEK_ONE)
    assert report.snapshot["brand"]["name"] == "Proofwork"
    assert report.snapshot["brand"]["logo_svg"].startswith(
        '<svg xmlns="http://www.w3.org/2000/svg"'
    )

    brand = Brand.objects.get()
    brand.name = "Proofwork Studio"
    brand_save(brand=brand)
    seed_demo()
    assert Brand.objects.get().name == "Proofwork Studio"
