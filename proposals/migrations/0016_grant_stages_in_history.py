"""A grant application's status history records its stages, before and after each step, and
the meeting of its agenda step: data, worded when read (the stages filled in for the lines
already written: 0017_grant_stages_of_stored_history)."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("committees", "0011_minutes_agenda_decision"),
        ("proposals", "0015_grant_stage_on_agenda"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="statuschange",
            name="from_stage",
            field=models.CharField(
                blank=True, default="", max_length=16, verbose_name="stage before"
            ),
        ),
        migrations.AddField(
            model_name="statuschange",
            name="meeting",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to="committees.meeting",
                verbose_name="meeting",
            ),
        ),
        migrations.AddField(
            model_name="statuschange",
            name="to_stage",
            field=models.CharField(
                blank=True, default="", max_length=16, verbose_name="stage after"
            ),
        ),
        migrations.AddConstraint(
            model_name="statuschange",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    (
                        "from_stage__in",
                        [
                            "",
                            "draft",
                            "submitted",
                            "incomplete",
                            "complete",
                            "recommended",
                            "on_agenda",
                            "granted",
                            "refused",
                            "accounts",
                            "paid",
                            "withdrawn",
                        ],
                    ),
                    (
                        "to_stage__in",
                        [
                            "",
                            "draft",
                            "submitted",
                            "incomplete",
                            "complete",
                            "recommended",
                            "on_agenda",
                            "granted",
                            "refused",
                            "accounts",
                            "paid",
                            "withdrawn",
                        ],
                    ),
                ),
                name="status_change_grant_stage_known",
            ),
        ),
    ]
