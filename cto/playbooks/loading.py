"""Loading all the shipped content at once: the release step (`manage.py load_playbooks`) and
the demo seeder both call `playbooks_load`."""

from __future__ import annotations

from django.db import transaction

from cto.audits.playbooks import audit_template_load_shipped
from cto.checklists.playbooks import checklist_template_load_shipped
from cto.intake.playbooks import tree_load_shipped
from cto.playbooks.files import Loaded
from cto.pricing.playbooks import tier_load_shipped
from cto.users.models import User

# In the order they depend on each other's content (audits and quotes read intake answers).
LOADERS = (
    ("decision trees", tree_load_shipped),
    ("audit templates", audit_template_load_shipped),
    ("checklist templates", checklist_template_load_shipped),
    ("pricing tiers", tier_load_shipped),
)


@transaction.atomic
def playbooks_load(*, publish: bool, by: User | None = None) -> dict[str, list[Loaded]]:
    """Load every kind of shipped content (publishing the versioned kinds if asked), all or
    nothing: a ValidationError in one file leaves the database as it was. Returns what each
    kind loaded."""
    return {kind: load(publish=publish, by=by) for kind, load in LOADERS}
