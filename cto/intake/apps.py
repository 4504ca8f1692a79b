from django.apps import AppConfig


class IntakeConfig(AppConfig):
    name = "cto.intake"
    label = "intake"
    verbose_name = "Intake"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from cto.intake.receivers import prove_leads_at_sign_in

        user_logged_in.connect(prove_leads_at_sign_in, dispatch_uid="intake_prove_leads")
