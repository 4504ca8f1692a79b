from django.db import migrations, models


def last_answered_at_fill(apps, schema_editor):
    """Each existing audit's latest answer time, from its answers, in one UPDATE."""
    Audit = apps.get_model("audits", "Audit")
    AuditAnswer = apps.get_model("audits", "AuditAnswer")
    latest = (
        AuditAnswer.objects.filter(audit=models.OuterRef("pk"))
        .order_by()
        .values("audit")
        .annotate(last=models.Max("updated_at"))
        .values("last")
    )
    Audit.objects.update(last_answered_at=models.Subquery(latest))


class Migration(migrations.Migration):
    dependencies = [
        ("audits", "0002_audit_open_partial_index"),
    ]

    operations = [
        migrations.AddField(
            model_name="audit",
            name="last_answered_at",
            field=models.DateTimeField(blank=True, editable=False, null=True),
        ),
        migrations.RunPython(last_answered_at_fill, migrations.RunPython.noop, elidable=True),
    ]
