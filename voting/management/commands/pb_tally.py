"""`manage.py pb_tally FILE.pb --rule greedy|mes|mes_add1 --json`: recount a pabulib file."""

import json

from django.core.management.base import BaseCommand, CommandError

from voting import tally
from voting.tally.pabulib import PbFormatError, read_pb

RULES = {"greedy": tally.greedy, "mes": tally.mes, "mes_add1": tally.mes_add1}


class Command(BaseCommand):
    help = "Tally a pabulib .pb file (approval or cumulative) with one of the platform's tally."

    def add_arguments(self, parser):
        parser.add_argument("file", help="a pabulib .pb file")
        parser.add_argument("--rule", choices=sorted(RULES), default="greedy")
        parser.add_argument("--json", action="store_true", help="print one JSON object")

    def handle(self, *args, **options):
        path = options["file"]
        try:
            instance = read_pb(path)
        except FileNotFoundError as exc:
            raise CommandError(f"{path}: no such file") from exc
        except PbFormatError as exc:
            raise CommandError(f"{path}: {exc}") from exc
        except UnicodeDecodeError as exc:
            raise CommandError(f"{path}: not UTF-8 text ({exc.reason})") from exc
        if instance.vote_type not in {"approval", "cumulative", "choose-1", "knapsack", "scoring"}:
            raise CommandError(
                f"{path}: vote_type {instance.vote_type!r} is not supported "
                "(approval, cumulative, knapsack and choose-1 files are)"
            )
        try:
            outcome = RULES[options["rule"]](
                costs=instance.costs(), budget=instance.budget, ballots=instance.ballots()
            )
        except ValueError as exc:
            raise CommandError(f"{path}: {exc}") from exc
        result = {
            "rule": options["rule"],
            "selected": outcome.selected,
            "total_cost": outcome.total_cost,
        }
        if options["json"]:
            self.stdout.write(json.dumps(result, ensure_ascii=False))
            return
        self.stdout.write(f"Rule: {result['rule']}")
        self.stdout.write(f"Selected ({len(outcome.selected)}): {', '.join(outcome.selected)}")
        self.stdout.write(f"Total cost: {outcome.total_cost} of {instance.budget}")
