"""The stage-change notification through a real Redis broker and a real worker process."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings

from cto.engagements import services
from cto.engagements.models import ActivityEvent
from cto.engagements.stages import Stage
from cto.users.models import User
from tests.celery_worker import celery_worker, wait_for
from tests.users.factories import MembershipFactory, OrganizationFactory


@pytest.mark.slow
@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_stage_change_is_emailed_by_a_worker_through_redis(tmp_path: Path, operator: User) -> None:
    assert settings.CELERY_BROKER_URL.startswith("redis://"), (
        "This test needs the Redis broker that `make test` sets up (CELERY_BROKER_URL)."
    )
    outbox = tmp_path / "mail"
    outbox.mkdir()
    member = MembershipFactory(organization=OrganizationFactory(name="Initech")).user
    engagement = services.engagement_create(
        organization=member.organizations.get(),
        title="Evals before launch",
        lead=operator,
        by=operator,
    )

    with celery_worker(log_dir=tmp_path, env={"EMAIL_URL": f"filemail://{outbox}"}) as log:
        services.engagement_transition(engagement=engagement, to=Stage.QUALIFIED, by=operator)
        event = ActivityEvent.objects.get(verb=ActivityEvent.Verb.STAGE_CHANGED)
        notified = wait_for(
            lambda: ActivityEvent.objects.filter(pk=event.pk, notified_at__isnull=False).exists()
        )
        assert notified, log.read_text()

    mails = "\n".join(path.read_text() for path in outbox.iterdir())
    assert f"To: {member.email}" in mails
    assert f"To: {operator.email}" in mails
    assert "Subject: [cto] Evals before launch: Stage moved from Lead to Qualified" in mails
    assert "notify_event" in log.read_text()
