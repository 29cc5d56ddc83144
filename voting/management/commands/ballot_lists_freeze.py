"""`manage.py ballot_lists_freeze`: write the ballot list of every round whose voting has opened.

The first reader after `voting_start` writes a round's list anyway (`voting.ballot_list`); run
from the scheduler every minute, this writes it at the opening itself. Safe to run as often as
you like: a list is written once."""

from django.core.management.base import BaseCommand
from django.utils import timezone

from committees.models import BudgetRound
from voting.ballot_list import ballot_list_freeze


class Command(BaseCommand):
    help = "Write the list of projects on the ballot of every round whose voting has opened."

    def handle(self, *args, **options):
        due = BudgetRound.objects.filter(
            voting_start__lte=timezone.now(), ballot_list__isnull=True
        ).order_by("pk")
        for budget_round in due:
            ballot_list = ballot_list_freeze(budget_round=budget_round)
            self.stdout.write(f"round {budget_round.pk}: {ballot_list.entries.count()} project(s)")
