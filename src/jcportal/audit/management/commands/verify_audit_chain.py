from django.core.management.base import BaseCommand, CommandError

from jcportal.audit.models import AuditEpoch, AuditEvent
from jcportal.audit.services import pruned_epochs, verify_chain


class Command(BaseCommand):
    help = (
        "Verify the hash chain of the audit log (entries and the seals of its months); exits with an error "
        "when any entry or seal was tampered with. Months whose entries were pruned are listed by their seal."
    )

    def handle(self, *args, **options):  # type: ignore[no-untyped-def]
        problems = list(verify_chain())
        for problem in problems:
            self.stderr.write(problem)
        if problems:
            raise CommandError(f"audit chain broken: {len(problems)} problem(s)")
        for epoch in pruned_epochs():
            self.stdout.write(
                f"pruned month {epoch.period}: entries #{epoch.first_sequence}–#{epoch.last_sequence} "
                f"({epoch.entries}), seal {epoch.seal_hash}"
            )
        sealed = AuditEpoch.objects.count()
        summary = f"audit chain intact ({AuditEvent.objects.count()} entries)"
        if sealed:
            summary += f"; {sealed} sealed month(s), {len(pruned_epochs())} pruned"
        self.stdout.write(self.style.SUCCESS(summary))
