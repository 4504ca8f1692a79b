"""cto/core/middleware.py (SlidingSessionExpiry): sessions end after SESSION_COOKIE_AGE of
idleness: a session in use has its expiry moved forward (at most once every
SESSION_TOUCH_SECONDS), an idle one runs out, and visitors who stored nothing never get a
session row."""

from __future__ import annotations

import datetime

import pytest
from django.contrib.sessions.models import Session
from django.core.cache import cache
from django.test import Client
from django.utils import timezone

from cto.core.middleware import SEEN_KEY
from cto.users.models import User

pytestmark = pytest.mark.django_db


def _expiry(client: Client) -> datetime.datetime:
    return Session.objects.get(session_key=client.session.session_key).expire_date


def test_a_session_in_use_slides_forward_but_not_on_every_request(
    client: Client, client_user: User
) -> None:
    client.force_login(client_user)
    client.get("/portal/")
    first = _expiry(client)
    client.get("/portal/")
    assert _expiry(client) == first  # touched a moment ago: no write
    session = client.session
    session[SEEN_KEY] = int(timezone.now().timestamp()) - 301  # last touched five minutes ago
    session.save()
    Session.objects.filter(session_key=session.session_key).update(
        expire_date=timezone.now() + datetime.timedelta(minutes=10)
    )
    client.get("/portal/")
    assert _expiry(client) > timezone.now() + datetime.timedelta(hours=7)


def test_an_idle_session_is_over(client: Client, client_user: User) -> None:
    client.force_login(client_user)
    assert client.get("/portal/").status_code == 200
    Session.objects.update(expire_date=timezone.now() - datetime.timedelta(seconds=1))
    cache.clear()  # the cached_db engine reads its cache first
    assert client.get("/portal/").status_code == 302


def test_a_visitor_who_stores_nothing_gets_no_session(client: Client) -> None:
    client.get("/pricing/")
    assert not Session.objects.exists()
