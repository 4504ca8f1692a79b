from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("engagements", "0005_engagement_search_trigram_indexes"),
        ("reports", "0004_report_requested_by_may_be_blank"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddIndex(
            model_name="report",
            index=models.Index(
                condition=models.Q(("status", "failed")),
                fields=["updated_at", "id"],
                name="report_failed",
            ),
        ),
    ]
