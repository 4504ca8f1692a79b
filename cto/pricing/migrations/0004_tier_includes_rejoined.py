from django.db import migrations

# The shipped playbook once wrote this tier's inclusions as a YAML flow list, which split one
# item at its comma into two bullets. Tiers loaded then keep the split (the loader never
# overwrites a tier): join the pair back where it is still there, side by side.
SPLIT = ("One early trace", "eval and failure mode")
JOINED = "One early trace, eval and failure mode"


def rejoin(items: list) -> list:
    joined: list = []
    for item in items:
        if joined and (joined[-1], item) == SPLIT:
            joined[-1] = JOINED
        else:
            joined.append(item)
    return joined


def tier_includes_rejoin(apps, schema_editor):
    PricingTier = apps.get_model("pricing", "PricingTier")
    for tier in PricingTier.objects.all():
        items = tier.includes if isinstance(tier.includes, list) else []
        if rejoin(items) != items:
            PricingTier.objects.filter(pk=tier.pk).update(includes=rejoin(items))


class Migration(migrations.Migration):
    dependencies = [
        ("pricing", "0003_quote_sent_by_expiry"),
    ]

    operations = [
        migrations.RunPython(tier_includes_rejoin, migrations.RunPython.noop, elidable=True),
    ]
