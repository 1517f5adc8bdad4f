from django.core.management.base import BaseCommand, CommandError

from jcportal.audit.models import AuditEvent
from jcportal.audit.services import verify_chain


class Command(BaseCommand):
    help = "Verify the hash chain of the audit log; exits with an error when any entry was tampered with."

    def handle(self, *args, **options):  # type: ignore[no-untyped-def]
        problems = list(verify_chain())
        for problem in problems:
            self.stderr.write(problem)
        if problems:
            raise CommandError(f"audit chain broken: {len(problems)} problem(s)")
        self.stdout.write(self.style.SUCCESS(f"audit chain intact ({AuditEvent.objects.count()} entries)"))
