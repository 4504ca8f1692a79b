"""Operators' intake admin: upload, validation errors, publish, preview, funnel, the lead's path."""

from __future__ import annotations

import datetime

import pytest
import yaml
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from cto.intake.models import TreeVersion
from cto.users.models import User
from tests.intake.factories import node, publish_shipped_tree, small_tree
from tests.intake.test_views import CONTACT, walk_to_result

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(client: Client, operator: User) -> Client:
    client.force_login(operator)
    return client


def upload(client: Client, content: bytes, *, publish: bool = False):
    data = {"file": SimpleUploadedFile("tree.yaml", content, content_type="application/x-yaml")}
    if publish:
        data["publish"] = "on"
    return client.post(reverse("admin:intake_treeversion_upload"), data)


def test_uploading_a_valid_tree_makes_a_draft_version(staff: Client) -> None:
    reply = upload(staff, yaml.safe_dump(small_tree()).encode())
    version = TreeVersion.objects.get()
    assert reply["Location"] == reverse("admin:intake_treeversion_change", args=[version.pk])
    assert version.status == TreeVersion.Status.DRAFT
    page = staff.get(reply["Location"])
    assert page.status_code == 200
    assert "<code>q2</code> (multiple): Which?" in page.text  # the preview
    assert "Median time to complete" in page.text  # the funnel


def test_uploading_a_broken_tree_lists_each_problem_and_stores_nothing(staff: Client) -> None:
    broken = small_tree()
    node(broken, "q1")["choices"][1]["next"] = "nowhere"
    broken["nodes"].append({"id": "orphan", "type": "text", "prompt": "?", "next": "end_ai"})
    reply = upload(staff, yaml.safe_dump(broken).encode(), publish=True)
    assert reply.status_code == 200
    assert "q1: Leads to &#x27;nowhere&#x27;, which is not a node." in reply.text
    assert "orphan: Not reachable from the start." in reply.text
    assert not TreeVersion.objects.exists()


def test_uploading_something_that_is_not_yaml_is_refused(staff: Client) -> None:
    reply = upload(staff, b"nodes: [unclosed")
    assert reply.status_code == 200
    assert "is not valid YAML" in reply.text
    assert not TreeVersion.objects.exists()


def test_the_publish_action_publishes(staff: Client) -> None:
    upload(staff, yaml.safe_dump(small_tree()).encode())
    version = TreeVersion.objects.get()
    staff.post(
        reverse("admin:intake_treeversion_changelist"),
        {"action": "publish", "_selected_action": [version.pk]},
    )
    version.refresh_from_db()
    assert version.is_published


def test_published_versions_cannot_be_deleted_or_edited(staff: Client) -> None:
    version = publish_shipped_tree()
    page = staff.get(reverse("admin:intake_treeversion_change", args=[version.pk]))
    assert 'name="definition"' not in page.text
    assert (
        staff.get(reverse("admin:intake_treeversion_delete", args=[version.pk])).status_code == 403
    )


def test_a_finished_intake_appears_on_its_lead_in_admin(staff: Client) -> None:
    version = publish_shipped_tree()
    prospect = Client()
    walk_to_result(prospect, version)
    prospect.post(reverse("intake:result"), CONTACT)
    response = version.responses.get()
    page = staff.get(reverse("admin:engagements_engagement_change", args=[response.engagement_id]))
    assert page.status_code == 200
    assert "Where does AI sit in your product" in page.text
    assert "It is part of what customers pay for" in page.text
    assert "Outcome:</strong> You need a fractional AI CTO" in page.text
    assert "cto-fit v1" in page.text
    # A prospect who took 16.9 seconds: the median reads as a person says it.
    assert response.completed_at is not None
    response.started_at = response.completed_at - datetime.timedelta(seconds=16.906798)
    response.save(update_fields=["started_at"])
    funnel = staff.get(reverse("admin:intake_treeversion_change", args=[version.pk]))
    assert "Submitted (became a lead)</th><td>1</td>" in funnel.text
    assert "Median time to complete</th><td>16 s</td>" in funnel.text
    listing = staff.get(reverse("admin:intake_intakeresponse_changelist"))
    assert "pat@acme.example" in listing.text


def test_clients_cannot_upload_trees(client: Client, client_user: User) -> None:
    client.force_login(client_user)
    reply = upload(client, yaml.safe_dump(small_tree()).encode())
    assert reply.status_code == 302
    assert not TreeVersion.objects.exists()
