from django.apps import AppConfig


class ReceiptsConfig(AppConfig):
    name = "cto.receipts"
    label = "receipts"
    verbose_name = "Receipts"
