from django.core.management.base import BaseCommand, CommandError

from jcportal.demo.services import (
    ALL_LOGINS,
    DEMO_API_CLIENT,
    DEMO_API_TOKEN,
    DEMO_TOTP_SECRET,
    DemoDataRefused,
    seed_demo,
)


class Command(BaseCommand):
    help = "Create the demo Jobcenter, staff, households and the documented demo logins (idempotent)."

    def add_arguments(self, parser):  # type: ignore[no-untyped-def]
        parser.add_argument("--quiet-logins", action="store_true", help="do not print the demo logins")

    def handle(self, *args, **options):  # type: ignore[no-untyped-def]
        try:
            result = seed_demo()
        except DemoDataRefused as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            self.style.SUCCESS(
                f"demo data ready: {result['households']} households ({result['households_created']} new)"
            )
        )
        if not options["quiet_logins"]:
            self.stdout.write("\nDemo logins (user / password):")
            for login in ALL_LOGINS:
                self.stdout.write(f"  {login.username:24} {login.password:30} {login.description}")
            self.stdout.write(f"\nStaff second factor (TOTP) secret for all demo staff: {DEMO_TOTP_SECRET}")
            self.stdout.write(
                f"API client {DEMO_API_CLIENT} (all scopes), token: {DEMO_API_TOKEN}\n"
                "  e.g. curl -H 'Authorization: Bearer <token>' http://127.0.0.1:8000/api/v1/events/\n"
            )
