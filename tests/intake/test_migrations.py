"""cto/intake/migrations: leads made when titles read "Intake: <outcome>" are renamed as a new
lead is named, and a title an operator changed since is kept."""

from __future__ import annotations

import dataclasses
import importlib

import pytest
from django.apps import apps as django_apps

from cto.engagements.models import Engagement
from cto.intake import services
from tests.intake.test_services import CONTACT, finished_response

pytestmark = pytest.mark.django_db


def test_old_intake_titles_name_the_client_and_edited_titles_stay() -> None:
    old = services.intake_submit(response=finished_response(), contact=CONTACT)
    edited = services.intake_submit(
        response=finished_response(), contact=dataclasses.replace(CONTACT, email="sam@acme.example")
    )
    Engagement.objects.filter(pk=old.pk).update(title="Intake: You need a fractional AI CTO")
    Engagement.objects.filter(pk=edited.pk).update(title="Support agent, phase two")
    migration = importlib.import_module(
        "cto.intake.migrations.0003_engagement_titles_name_the_client"
    )
    migration.name_the_client(django_apps, None)
    old.refresh_from_db()
    edited.refresh_from_db()
    assert old.title == "Fractional AI CTO for Acme Robotics"
    assert edited.title == "Support agent, phase two"
