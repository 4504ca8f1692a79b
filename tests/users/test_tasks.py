"""cto/users/tasks.py through a real worker: the invitation is emailed through Redis."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings

from cto.users.models import Invitation, Membership
from tests.celery_worker import celery_worker, wait_for
from tests.users.conftest import NEWCOMER, _invite
from tests.users.factories import MembershipFactory

pytestmark = pytest.mark.django_db


@pytest.mark.slow
@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_the_invitation_is_emailed_by_a_worker_through_redis(tmp_path: Path) -> None:
    assert settings.CELERY_BROKER_URL.startswith("redis://"), (
        "This test needs the Redis broker that `make test` sets up (CELERY_BROKER_URL)."
    )
    outbox = tmp_path / "mail"
    outbox.mkdir()
    owner = MembershipFactory(role=Membership.Role.OWNER).user
    organization = owner.organizations.get()

    with celery_worker(log_dir=tmp_path, env={"EMAIL_URL": f"filemail://{outbox}"}) as log:
        invitation = _invite(organization, owner)
        sent = wait_for(
            lambda: Invitation.objects.filter(pk=invitation.pk, sent_at__isnull=False).exists()
        )
        assert sent, log.read_text()

    mails = "\n".join(path.read_text() for path in outbox.iterdir())
    assert f"To: {NEWCOMER}" in mails
    assert invitation.get_absolute_url() in mails
    assert "send_invitation" in log.read_text()
