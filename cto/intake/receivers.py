"""What the intake does when something happens elsewhere: a sign-in proves an address."""

from __future__ import annotations

from typing import Any

from allauth.account.models import EmailAddress
from django.http import HttpRequest

from cto.intake.claims import intake_leads_prove_for
from cto.users.models import User


def prove_leads_at_sign_in(sender: Any, request: HttpRequest, user: User, **kwargs: Any) -> None:
    """A sign-in with a verified address (signing in by the emailed code verifies it) proves
    that address: the unproven leads sent for it are linked (intake_leads_prove_for)."""
    if EmailAddress.objects.filter(user=user, email=user.email, verified=True).exists():
        intake_leads_prove_for(user=user)
