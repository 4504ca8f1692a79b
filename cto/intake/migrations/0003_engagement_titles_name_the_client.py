"""Leads made before intake titles named the client ("Intake: You need a fractional AI CTO")
get the title a new lead gets ("Fractional AI CTO for Quayside Robotics"). A title an operator
has since changed is left as it is."""

from django.db import migrations

# Engagement.Kind's labels as they were when this migration was written.
KIND_LABELS = {"generic": "Fractional CTO", "ai": "Fractional AI CTO"}


def name_the_client(apps, schema_editor):
    IntakeResponse = apps.get_model("intake", "IntakeResponse")
    responses = IntakeResponse.objects.filter(
        engagement__title__startswith="Intake: "
    ).select_related("engagement__organization")
    for response in responses.iterator():
        engagement = response.engagement
        label = KIND_LABELS.get(engagement.kind, "Fractional CTO")
        engagement.title = f"{label} for {engagement.organization.name}"[:200]
        engagement.save(update_fields=["title"])


class Migration(migrations.Migration):
    dependencies = [
        ("intake", "0002_contact_proof"),
    ]

    operations = [migrations.RunPython(name_the_client, migrations.RunPython.noop)]
