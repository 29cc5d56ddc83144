"""`python manage.py newsletters_send`: send the scheduled newsletters whose time has come.

Run it beside the notices scheduler (every few minutes); sending is idempotent, so two runs at
once send each newsletter to each person once.
"""

from django.core.management.base import BaseCommand

from notices.newsletters.services import newsletters_send_due


class Command(BaseCommand):
    help = "Send the scheduled newsletters that are due."

    def handle(self, *args, **options):
        self.stdout.write(f"Newsletters sent: {newsletters_send_due()}.")
