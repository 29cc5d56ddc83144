"""`python manage.py pb_export ROUND_ID -o FILE.pb`: a round's anonymised ballots in pabulib form.

The file is `voting.results.ballot_file.export_round`, the same the results page serves.
"""

import hashlib

from django.core.management.base import BaseCommand, CommandError

from committees.models import BudgetRound
from voting.results.ballot_file import export_round


class Command(BaseCommand):
    help = "Write a round's anonymised ballots and projects as a pabulib .pb file."

    def add_arguments(self, parser):
        parser.add_argument("round_id", type=int)
        parser.add_argument("-o", "--output", required=True, help="the .pb file to write")

    def handle(self, *args, **options):
        budget_round = BudgetRound.objects.filter(pk=options["round_id"]).first()
        if budget_round is None:
            raise CommandError(f"There is no round {options['round_id']}.")
        text = export_round(budget_round)
        with open(options["output"], "w", encoding="utf-8", newline="\n") as fh:
            fh.write(text)
        digest = hashlib.sha256(text.encode()).hexdigest()
        self.stdout.write(f"Wrote {options['output']} (SHA-256 {digest})")
