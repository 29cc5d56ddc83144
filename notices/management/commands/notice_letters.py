"""`python manage.py notice_letters --round ID --notice voting_opens --out letters.zip`.

Letters for the residents on the round's voter roll who have no account to be e-mailed at: one
ZIP with the PDF letters and the CSV manifest for the print or Digital Post supplier
(notices/letters.py). The batch is recorded in the audit log (how many, which notice, never
who).
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from committees.models import BudgetRound
from committees.services import audit_record
from notices.letters import LETTER_KINDS, notice_letters


class Command(BaseCommand):
    help = "Make the paper letters of a round's notice for residents on the roll without e-mail."

    def add_arguments(self, parser):
        parser.add_argument("--round", type=int, required=True, dest="round_id")
        parser.add_argument("--notice", required=True, choices=[str(kind) for kind in LETTER_KINDS])
        parser.add_argument("--out", type=Path, required=True, help="the ZIP file to write")

    def handle(self, *args, round_id: int, notice: str, out: Path, **options):
        try:
            budget_round = BudgetRound.objects.select_related("committee").get(pk=round_id)
        except BudgetRound.DoesNotExist:
            raise CommandError(f"No round with id {round_id}.") from None
        try:
            archive, count = notice_letters(budget_round=budget_round, kind=notice)
        except ValueError as exc:
            raise CommandError(str(exc)) from None
        try:
            out.write_bytes(archive)
        except OSError as exc:
            raise CommandError(f"Cannot write {out}: {exc.strerror}.") from None
        audit_record(
            actor=None,
            action="notices.letters",
            obj=budget_round,
            committee_id=budget_round.committee_id,
            data={"notice": notice, "count": count},
        )
        self.stdout.write(f"Letters: {count}, written to {out}.")
