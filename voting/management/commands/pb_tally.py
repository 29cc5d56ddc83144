"""`manage.py pb_tally FILE.pb --rule greedy|mes|mes_add1 [--utility cost|points] --json`.

Recount a pabulib file: the same code as `python -m voting.tally`, which needs no Django.
"""

from django.core.management.base import BaseCommand, CommandError

from voting.tally.recount import (
    HELP,
    RULE_NAMES,
    UTILITY_HELP,
    UTILITY_NAMES,
    RecountError,
    recount,
)


class Command(BaseCommand):
    help = HELP

    def add_arguments(self, parser):
        parser.add_argument("file", help="a pabulib .pb file")
        parser.add_argument("--rule", choices=RULE_NAMES, default="greedy")
        parser.add_argument("--utility", choices=UTILITY_NAMES, default=None, help=UTILITY_HELP)
        parser.add_argument("--json", action="store_true", help="print one JSON object")

    def handle(self, *args, **options):
        try:
            text = recount(
                options["file"],
                rule=options["rule"],
                utility=options["utility"],
                as_json=options["json"],
            )
        except RecountError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(text)
