"""`python manage.py audit_verify`: check that no audit entry was changed, removed or inserted."""

from django.core.management.base import BaseCommand, CommandError

from committees.models import AuditEntry
from committees.services import audit_chain_verify


class Command(BaseCommand):
    help = "Verify the hash chain of the audit log; exits with an error naming broken entries."

    def handle(self, *args, **options):
        problems = audit_chain_verify()
        if problems:
            for problem in problems:
                self.stderr.write(problem)
            raise CommandError(f"The audit log is broken: {len(problems)} problem(s).")
        count = AuditEntry.objects.count()
        self.stdout.write(f"The audit log is intact: {count} entries verified.")
