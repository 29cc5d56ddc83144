"""Enqueue what is due: run every few minutes (systemd timer), or with --loop (make run)."""

import time

from django.core.management.base import BaseCommand

from notices import scheduler


class Command(BaseCommand):
    help = "Enqueue due phase notices and daily digests, and requeue what a dead worker left."

    def add_arguments(self, parser):
        parser.add_argument(
            "--loop",
            type=int,
            metavar="SECONDS",
            help="Run again every SECONDS until stopped (for make run); once without it.",
        )

    def handle(self, *args, loop=None, **options):
        while True:
            done = scheduler.schedule()
            if options["verbosity"] > 1 or any(done.values()):
                self.stdout.write(", ".join(f"{name}: {n}" for name, n in done.items()))
            if not loop:
                return
            time.sleep(loop)
