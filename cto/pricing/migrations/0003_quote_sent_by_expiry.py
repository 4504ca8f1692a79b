from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("engagements", "0005_engagement_search_trigram_indexes"),
        ("pricing", "0002_quote_accepted_monthly"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddIndex(
            model_name="quote",
            index=models.Index(
                condition=models.Q(("status", "sent")),
                fields=["valid_until", "id"],
                name="quote_sent_by_expiry",
            ),
        ),
    ]
