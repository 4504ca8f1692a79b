from django.apps import AppConfig


class PricingConfig(AppConfig):
    name = "cto.pricing"
    label = "pricing"
    verbose_name = "Pricing and quotes"
