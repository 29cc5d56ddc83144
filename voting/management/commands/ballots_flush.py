"""`manage.py ballots_flush [--round ID]`: write out the mixing buffer (voting/ballot_box.py)."""

from django.core.management.base import BaseCommand, CommandError

from committees.models import BudgetRound
from voting import ballot_box


class Command(BaseCommand):
    help = (
        "Write the ballots that still wait in the mixing buffer of every round whose voting has "
        "closed (confirming a result does it too). With --round, write one round's buffer even "
        "while it votes, e.g. before BALLOT_SEAL_KEY is changed: its last batch may then be "
        "smaller than BALLOT_MIX_SIZE. Safe to run as often as you like."
    )

    def add_arguments(self, parser):
        parser.add_argument("--round", type=int, help="the id of one round, even while it votes")

    def handle(self, *args, **options):
        if options["round"] is None:
            report = ballot_box.ballots_flush_closed()
        else:
            budget_round = BudgetRound.objects.filter(pk=options["round"]).first()
            if budget_round is None:
                raise CommandError(f"There is no round with id {options['round']}.")
            report = {
                budget_round.pk: ballot_box.ballots_flush(
                    budget_round=budget_round, everything=True
                )
            }
        for round_id, count in report.items():
            self.stdout.write(f"round {round_id}: {count} ballot(s) written")
        self.stdout.write(f"{len(report)} round(s) with buffered ballots")
