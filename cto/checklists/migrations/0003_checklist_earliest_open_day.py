from django.db import migrations, models


def earliest_open_day_fill(apps, schema_editor):
    """Every existing checklist's earliest open day, from its items, in one UPDATE."""
    Checklist = apps.get_model("checklists", "Checklist")
    ChecklistItem = apps.get_model("checklists", "ChecklistItem")
    earliest = (
        ChecklistItem.objects.filter(checklist=models.OuterRef("pk"), dropped_at__isnull=True)
        .exclude(status__in=["done", "not_applicable"])
        .order_by()
        .values("checklist")
        .annotate(day=models.Min("due_day"))
        .values("day")
    )
    Checklist.objects.update(earliest_open_day=models.Subquery(earliest))


class Migration(migrations.Migration):
    dependencies = [
        ("checklists", "0002_checklist_item_open_partial_index"),
        ("engagements", "0005_engagement_search_trigram_indexes"),
    ]

    operations = [
        migrations.AddField(
            model_name="checklist",
            name="earliest_open_day",
            field=models.PositiveSmallIntegerField(
                blank=True,
                editable=False,
                help_text="The due day of its earliest open item; empty when every item is finished",
                null=True,
            ),
        ),
        migrations.RunPython(earliest_open_day_fill, migrations.RunPython.noop, elidable=True),
        migrations.AddIndex(
            model_name="checklist",
            index=models.Index(
                condition=models.Q(("earliest_open_day__isnull", False)),
                fields=["earliest_open_day"],
                name="checklist_with_open_items",
            ),
        ),
    ]
