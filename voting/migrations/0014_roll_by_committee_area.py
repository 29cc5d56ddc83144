"""A voter roll entry names the person's committee area, no longer their district: Indre By and
Christianshavn share a district, and each round's roll must hold only its own area's people.

An entry of a district that exactly one committee serves moves to that committee's area. An
entry of a district several committees share cannot be placed without guessing: its area is
left empty (it still votes with its code, and counts in no district's turnout); import the
roll again to place it. There were no production rolls when this was written.
"""

import django.db.models.deletion
from django.db import migrations, models


def district_to_committee_area(apps, schema_editor):
    RollEntry = apps.get_model("voting", "RollEntry")
    Area = apps.get_model("committees", "Area")
    for district_id in (
        RollEntry.objects.exclude(old_area=None).values_list("old_area", flat=True).distinct()
    ):
        areas = list(Area.objects.filter(kind="committee", committee__district_id=district_id)[:2])
        if len(areas) == 1:
            RollEntry.objects.filter(old_area_id=district_id).update(area=areas[0])


def committee_area_to_district(apps, schema_editor):
    RollEntry = apps.get_model("voting", "RollEntry")
    for entry in RollEntry.objects.exclude(area=None).select_related("area__committee"):
        entry.old_area_id = entry.area.committee.district_id
        entry.save(update_fields=["old_area"])


class Migration(migrations.Migration):
    dependencies = [
        ("committees", "0007_committee_areas_and_addresses"),
        ("voting", "0013_ballot_list"),
    ]

    operations = [
        migrations.RenameField(model_name="rollentry", old_name="area", new_name="old_area"),
        migrations.AddField(
            model_name="rollentry",
            name="area",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to="committees.area",
            ),
        ),
        migrations.RunPython(district_to_committee_area, committee_area_to_district),
        migrations.RemoveField(model_name="rollentry", name="old_area"),
    ]
