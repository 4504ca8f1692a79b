"""Signals other apps listen to, so that this app never imports them."""

from django.dispatch import Signal

# Sent inside the submission's transaction, once the lead exists: response, engagement.
intake_submitted = Signal()
