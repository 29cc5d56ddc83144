"""`python manage.py address_import FILE.csv [--demo]`: load the official address list."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import ngettext

from committees.areas import AreaDataError, addresses_import, nothing_imported


class Command(BaseCommand):
    help = (
        "Load access addresses (access_address_id, street, house_number, postcode, longitude, "
        "latitude; or the address register's CSV column names) and place each in the committee "
        "area whose boundary contains it. All or nothing: every bad line is named."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--demo", action="store_true", help="Mark the addresses as demo data.")

    def handle(self, *args, file: Path, demo: bool, **options):
        try:
            with file.open(encoding="utf-8-sig", newline="") as lines:
                report = addresses_import(lines=lines, demo=demo)
        except OSError as exc:
            raise CommandError(f"{file}: {exc.strerror}") from None
        except AreaDataError as exc:
            for problem in exc.problems:
                self.stderr.write(f"{file}: {problem}")
            raise CommandError(nothing_imported(len(exc.problems))) from None
        self.stdout.write(
            ngettext(
                "%(imported)d address imported, %(outside)d outside every area.",
                "%(imported)d addresses imported, %(outside)d outside every area.",
                report.imported,
            )
            % {"imported": report.imported, "outside": report.outside}
        )
        for name, count in sorted(report.by_area.items()):
            self.stdout.write(f"  {name}: {count}")
