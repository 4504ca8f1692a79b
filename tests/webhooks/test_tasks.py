"""A delivery through a real Redis broker and a real worker process: published after the
change commits, sent by the worker, signed as the library verifies."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings
from standardwebhooks.webhooks import Webhook

from cto.engagements import services as engagement_services
from cto.users.models import User
from cto.webhooks import services
from cto.webhooks.models import Delivery
from tests.celery_worker import celery_worker, wait_for
from tests.users.factories import OrganizationFactory
from tests.webhooks.conftest import Receiver


@pytest.mark.slow
@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_an_event_is_delivered_by_a_worker_through_redis(
    tmp_path: Path, operator: User, receiver: Receiver
) -> None:
    assert settings.CELERY_BROKER_URL.startswith("redis://"), (
        "This test needs the Redis broker that `make test` sets up (CELERY_BROKER_URL)."
    )
    created = services.endpoint_create(
        organization=None,
        url=receiver.url,
        description="",
        types=["engagement.created"],
        by=operator,
    )
    env = {"WEBHOOK_ALLOW_HTTP": "1", "WEBHOOK_ALLOWED_NETWORKS": "127.0.0.1/32"}
    with celery_worker(log_dir=tmp_path, env=env) as log:
        engagement = engagement_services.engagement_create(
            organization=OrganizationFactory(), title="Hooked", by=operator
        )
        delivery = Delivery.objects.get()
        assert wait_for(lambda: Delivery.objects.filter(status="delivered").exists()), (
            log.read_text()
        )
    (request,) = receiver.requests
    assert request.headers["webhook-id"] == delivery.message_id
    event = Webhook(created.secret).verify(request.body, request.headers)
    assert (event["type"], event["data"]["engagement"]["id"]) == (
        "engagement.created",
        engagement.pk,
    )
