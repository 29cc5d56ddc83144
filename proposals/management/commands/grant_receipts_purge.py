"""`python manage.py grant_receipts_purge`: delete grant receipts past their retention period.

Run it daily (cron or a systemd timer). The period is the setting GRANT_RECEIPT_RETENTION_DAYS,
counted from the payout.
"""

from django.conf import settings
from django.core.management.base import BaseCommand

from proposals.grants.services import grant_receipts_purge


class Command(BaseCommand):
    help = "Delete receipts of grant accounts kept longer than the retention period."

    def handle(self, *args, **options):
        deleted = grant_receipts_purge()
        self.stdout.write(
            f"Deleted {deleted} receipts older than {settings.GRANT_RECEIPT_RETENTION_DAYS} "
            "days after payout."
        )
