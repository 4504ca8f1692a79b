from django.db import migrations, models
from django.db.models.functions import Coalesce


def items_assign_by_side(apps, schema_editor):
    """Give every item without an owner the person ``checklist_apply`` now assigns: the
    client's side to the engagement's contact (or the organisation's first member), the
    practice's to the lead operator; active people only. Two UPDATEs, whatever the count."""
    Checklist = apps.get_model("checklists", "Checklist")
    ChecklistItem = apps.get_model("checklists", "ChecklistItem")
    Membership = apps.get_model("users", "Membership")
    unowned = ChecklistItem.objects.filter(owner__isnull=True)
    of_checklist = Checklist.objects.filter(pk=models.OuterRef("checklist_id"))
    lead = of_checklist.filter(engagement__lead__is_active=True).values("engagement__lead")[:1]
    contact = of_checklist.filter(engagement__contact__is_active=True).values(
        "engagement__contact"
    )[:1]
    first_member = (
        Membership.objects.filter(
            organization__engagements__checklist=models.OuterRef("checklist_id"),
            user__is_active=True,
        )
        .order_by("created_at", "pk")
        .values("user")[:1]
    )
    unowned.filter(owner_side="practice").update(owner=models.Subquery(lead))
    unowned.filter(owner_side="client").update(
        owner=Coalesce(models.Subquery(contact), models.Subquery(first_member))
    )


class Migration(migrations.Migration):
    dependencies = [
        ("checklists", "0004_item_settled_by"),
        ("engagements", "0005_engagement_search_trigram_indexes"),
        ("users", "0002_invitations_and_team_events"),
    ]

    operations = [migrations.RunPython(items_assign_by_side, migrations.RunPython.noop)]
