from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "cto.core"
    label = "core"
    verbose_name = "Core"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from cto.core.middleware import stamp_session_at_login

        user_logged_in.connect(stamp_session_at_login, dispatch_uid="stamp_session_at_login")
