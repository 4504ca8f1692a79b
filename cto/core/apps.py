from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "cto.core"
    label = "core"
    verbose_name = "Core"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in
        from django.urls import register_converter

        from cto.core.converters import IdConverter

        # Before any URLconf is read: the apps' patterns use <id:...> for row ids.
        register_converter(IdConverter, "id")

        from cto.core.middleware import stamp_session_at_login

        user_logged_in.connect(stamp_session_at_login, dispatch_uid="stamp_session_at_login")
