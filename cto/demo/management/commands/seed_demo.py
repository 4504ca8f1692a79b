from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from cto.demo.seed import seed_demo


class Command(BaseCommand):
    help = "Create the demo operator, clients and engagements (safe to run again)."

    def handle(self, *args: Any, **options: Any) -> None:
        logins = seed_demo()
        self.stdout.write(self.style.SUCCESS("Demo data is in place. Sign in with:"))
        for login in logins:
            self.stdout.write(f"  {login.role:<9} {login.email:<26} password: {login.password}")
        self.stdout.write("  (clients can also sign in with a code sent by email: see the console)")
