"""Signals other apps listen to, so that this app never imports them."""

from django.dispatch import Signal

# Sent inside the transition's transaction, after the stage is saved: engagement, before, after, by.
stage_changed = Signal()
