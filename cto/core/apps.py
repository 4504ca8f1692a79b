from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "cto.core"
    label = "core"
    verbose_name = "Core"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in
        from django.db.models.signals import post_migrate

        from cto.core.changes import install_after_migrate
        from cto.core.middleware import stamp_session_at_login
        from cto.core.versioning import forget_published_versions

        user_logged_in.connect(stamp_session_at_login, dispatch_uid="stamp_session_at_login")
        # Once per migrate (sent for this app after every app's migrations have run).
        post_migrate.connect(install_after_migrate, sender=self, dispatch_uid="changes_install")
        post_migrate.connect(
            forget_published_versions, sender=self, dispatch_uid="forget_published_versions"
        )
