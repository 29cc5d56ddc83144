"""`python manage.py track_funded_projects`: a tracked project for every funded proposal.

New results create them as proposals become selected; this catches up older rounds. Safe to rerun.
"""

from django.core.management.base import BaseCommand

from proposals.tracking.services import tracked_projects_backfill


class Command(BaseCommand):
    help = "Create the missing tracked projects of selected, in-progress and completed proposals."

    def handle(self, *args, **options):
        created = tracked_projects_backfill()
        self.stdout.write(f"Tracked projects created: {created}.")
