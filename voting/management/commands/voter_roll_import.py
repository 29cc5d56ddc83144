"""`manage.py voter_roll_import ROUND_ID FILE.csv`: put the municipality's extract on a round's
voter roll. The columns are in `voting.roll.services` and docs/voting.md."""

from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from committees.models import BudgetRound
from voting.roll import services


class Command(BaseCommand):
    help = (
        "Read a CSV extract (cpr, birth_date, address; access_address_id, street + "
        "house_number + postcode, or area = the committee area) onto a round's voter roll. "
        "Each person is placed in exactly one committee area and must live in the round's. "
        "CPR numbers are turned into keyed hashes as they are read and never stored. A file "
        "with any bad line is refused as a whole, with every bad line named."
    )

    def add_arguments(self, parser):
        parser.add_argument("round_id", type=int)
        parser.add_argument("file", type=Path)

    def handle(self, *args, round_id: int, file: Path, **options):
        budget_round = BudgetRound.objects.filter(pk=round_id).first()
        if budget_round is None:
            raise CommandError(f"There is no round with id {round_id}.")
        try:
            data = file.read_bytes()
        except OSError as exc:
            raise CommandError(f"Cannot read {file}: {exc.strerror}.") from exc
        try:
            rows, lines = services.roll_csv_rows(data)
            count = services.roll_import(budget_round=budget_round, rows=rows, lines=lines)
        except ValidationError as exc:
            raise CommandError(
                "Nothing was imported.\n" + "\n".join(exc.messages), returncode=1
            ) from exc
        self.stdout.write(
            self.style.SUCCESS(
                f"{count} people put on the voter roll of '{budget_round.title}' "
                f"(round {budget_round.pk})."
            )
        )
