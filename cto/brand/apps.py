from django.apps import AppConfig


class BrandConfig(AppConfig):
    name = "cto.brand"
    label = "brand"
    verbose_name = "Practice brand"

    def ready(self) -> None:
        from cto.brand import checks  # noqa: F401 - registers the settings check
