from django.db import migrations, models

# A pure module of arithmetic, the same the acceptance used: the totals written here are the
# ones the client signed.
from cto.pricing import calculator


def accepted_monthly_fill(apps, schema_editor):
    """Every accepted quote's monthly total, from its accepted option's lines."""
    Quote = apps.get_model("pricing", "Quote")
    QuoteLine = apps.get_model("pricing", "QuoteLine")
    accepted = Quote.objects.filter(status="accepted").select_related("accepted_option")
    for quote in accepted.iterator(chunk_size=500):
        option = quote.accepted_option
        lines = [
            calculator.Line(
                line.label,
                line.kind,
                line.period,
                amount=line.amount,
                factor=line.factor,
                reason=line.reason,
            )
            for line in QuoteLine.objects.filter(option=option).order_by("position", "id")
        ]
        totals = calculator.totals(
            lines, currency=quote.currency, minimum_term_months=option.minimum_term_months
        )
        Quote.objects.filter(pk=quote.pk).update(accepted_monthly=totals.monthly)


class Migration(migrations.Migration):
    dependencies = [
        ("engagements", "0005_engagement_search_trigram_indexes"),
        ("pricing", "0001_initial"),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name="quote",
            name="quote_accepted_is_signed",
        ),
        migrations.AddField(
            model_name="quote",
            name="accepted_monthly",
            field=models.DecimalField(
                blank=True,
                decimal_places=2,
                editable=False,
                help_text="The accepted option's monthly total, as signed",
                max_digits=12,
                null=True,
            ),
        ),
        migrations.RunPython(accepted_monthly_fill, migrations.RunPython.noop, elidable=True),
        migrations.AddConstraint(
            model_name="quote",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("status", "accepted"), _negated=True),
                    models.Q(
                        ("accepted_at__isnull", False),
                        ("accepted_option__isnull", False),
                        ("accepted_monthly__isnull", False),
                        models.Q(("signer_name", ""), _negated=True),
                    ),
                    _connector="OR",
                ),
                name="quote_accepted_is_signed",
            ),
        ),
    ]
