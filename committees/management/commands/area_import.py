"""`python manage.py area_import FILE.geojson [--demo]`: load committee and local areas."""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from committees.areas import AreaDataError, areas_import, nothing_imported


class Command(BaseCommand):
    help = (
        "Load area boundaries from a GeoJSON FeatureCollection: one feature per committee area "
        '(properties.committee = slug, or its name), and local areas ("kind": "local", "name"). '
        "Import boundaries before addresses. All or nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--demo", action="store_true", help="Mark the areas as demo data.")

    def handle(self, *args, file: Path, demo: bool, **options):
        try:
            collection = json.loads(file.read_text(encoding="utf-8-sig"))
        except OSError as exc:
            raise CommandError(f"{file}: {exc.strerror}") from None
        except ValueError as exc:
            raise CommandError(
                _("%(file)s: not JSON (%(problem)s)") % {"file": file, "problem": exc}
            ) from None
        try:
            areas = areas_import(collection=collection, demo=demo)
        except AreaDataError as exc:
            for problem in exc.problems:
                self.stderr.write(f"{file}: {problem}")
            raise CommandError(nothing_imported(len(exc.problems))) from None
        self.stdout.write(
            ngettext(
                "%(count)d area boundary imported.",
                "%(count)d area boundaries imported.",
                len(areas),
            )
            % {"count": len(areas)}
        )
