"""`manage.py purge_personal_data [--dry-run]`: delete personal data whose retention is over."""

from django.core.management.base import BaseCommand

from voting import retention


class Command(BaseCommand):
    help = (
        "Delete personal data from verification and paper entry of rounds whose retention "
        "period is over, and verified identities past theirs. Safe to run as often as you like."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="only say what is due")

    def handle(self, *args, **options):
        if options["dry_run"]:
            rounds = retention.rounds_due_for_purge()
            identities = retention.identities_expired().count()
            self.stdout.write(
                f"due: {len(rounds)} round(s) {[r.pk for r in rounds]}, "
                f"{identities} verified identit(y/ies)"
            )
            return
        report = retention.personal_data_purge()
        for round_id, counts in report["rounds"].items():
            figures = ", ".join(f"{kind} {count}" for kind, count in counts.items())
            self.stdout.write(f"round {round_id}: {figures}")
        self.stdout.write(
            f"purged {len(report['rounds'])} round(s) and {report['identities']} verified "
            "identit(y/ies)"
        )
