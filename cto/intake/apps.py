from django.apps import AppConfig
from django.core.exceptions import ImproperlyConfigured


class IntakeConfig(AppConfig):
    name = "cto.intake"
    label = "intake"
    verbose_name = "Intake"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from cto.intake.selectors import intake_call_policy

        try:
            intake_call_policy()  # a misspelt day, hour or zone stops the start, not a prospect
        except ValueError as error:
            raise ImproperlyConfigured(f"The intake's first call settings: {error}") from error

        from cto.intake.receivers import prove_leads_at_sign_in

        user_logged_in.connect(prove_leads_at_sign_in, dispatch_uid="intake_prove_leads")
