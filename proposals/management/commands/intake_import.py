"""`python manage.py intake_import FILE --round ID --staff EMAIL [--place TEXT]`: paper idea forms.

The same import as the staff page (proposals/intake/services.py, `proposals_import`), for a file
on the server: every line is checked first, every problem is printed with its line number, and
only a file without problems is written, in one transaction. The member of staff named by
--staff must be in the round's committee secretariat; the audit log names them.
The columns are described in docs/intake.md, "Paper idea forms".
"""

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError

from committees.models import BudgetRound
from proposals.intake.services import proposals_import


class Command(BaseCommand):
    help = "Import paper idea forms from a CSV file into a round: all lines or none."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--round", type=int, required=True, dest="round_id")
        parser.add_argument("--staff", required=True, help="e-mail address of the staff member")
        parser.add_argument("--place", default="", help="where the forms were collected")

    def handle(self, *args, file: Path, round_id: int, staff: str, place: str, **options):
        try:
            budget_round = BudgetRound.objects.select_related("committee").get(pk=round_id)
        except BudgetRound.DoesNotExist:
            raise CommandError(f"No round with id {round_id}.") from None
        try:
            user = get_user_model().objects.get(email__iexact=staff)
        except get_user_model().DoesNotExist:
            raise CommandError(f"No user with the e-mail address {staff}.") from None
        try:
            content = file.read_bytes()
        except OSError as exc:
            raise CommandError(f"Cannot read {file}: {exc.strerror}.") from None
        try:
            imported = proposals_import(
                staff=user, budget_round=budget_round, content=content, place=place
            )
        except PermissionDenied as exc:
            raise CommandError(str(exc)) from None
        except ValidationError as exc:
            for message in exc.messages:
                self.stderr.write(message)
            raise CommandError("Nothing was imported.") from None
        for proposal in imported:
            self.stdout.write(f"{proposal.case_number}\t{proposal.title}")
        self.stdout.write(f"Imported: {len(imported)}.")
