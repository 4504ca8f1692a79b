"""The week-one checklist on a fresh demo (cto.demo.seed): its items have owners, so the daily
reminder reaches someone and the client's "Mine" lists their side's items."""

from __future__ import annotations

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from cto.checklists import services
from cto.checklists.models import Checklist
from cto.demo.seed import CLIENTS, OPERATOR, seed_demo

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(settings) -> Checklist:  # type: ignore[no-untyped-def]
    settings.CHECKLIST_WORKING_DAYS = ["mon", "tue", "wed", "thu", "fri"]  # as shipped
    seed_demo()
    return Checklist.objects.select_related("engagement").get(
        engagement__title="Platform modernisation"
    )


def test_the_daily_reminder_on_a_fresh_demo_emails_the_owner_of_an_overdue_item(
    demo: Checklist,
) -> None:
    overdue = [i for i in demo.items.open() if i.is_overdue]
    assert overdue  # the engagement started six days ago

    sent = services.reminders_send(today=timezone.localdate())

    assert sent >= 1
    to_operator = [m for m in mail.outbox if m.to == [OPERATOR.email]]
    assert len(to_operator) == 1
    for late in overdue:
        assert late.owner is not None
        assert late.title in next(m.body for m in mail.outbox if m.to == [late.owner.email])


def test_mine_for_the_demo_client_lists_their_sides_items(demo: Checklist) -> None:
    login = next(
        login for login, _, organization in CLIENTS if organization == "Brightline Logistics"
    )
    client = Client()
    assert client.login(email=login.email, password=login.password)

    page = client.get(reverse("checklists:detail", args=[demo.engagement_id]), {"filter": "mine"})

    assert page.status_code == 200
    listed = [item.key for section in page.context["view"].sections for item in section.items]
    client_side = set(demo.items.filter(owner_side="client").values_list("key", flat=True))
    assert client_side  # the client's side has work in the demo
    assert set(listed) == client_side
    assert "Access to code, cloud and tools" in page.text
