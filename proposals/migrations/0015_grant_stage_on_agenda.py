"""Recommended and on the agenda become two stages of a grant application.

Until now the working group's recommendation put the application on the agenda in the same
step. An application recommended that way is on a meeting's agenda: with its agenda item it is
now "on the agenda" (the decision takes it from there). One recommended whose item has since
been deleted from the agenda stays "recommended", so the secretariat puts it on an agenda again.
Backwards, every application on the agenda is "recommended" again.
"""

from django.db import migrations, models


def forwards(apps, schema_editor):
    GrantApplication = apps.get_model("proposals", "GrantApplication")
    GrantApplication.objects.filter(stage="recommended", agenda_item__isnull=False).update(
        stage="on_agenda"
    )


def backwards(apps, schema_editor):
    GrantApplication = apps.get_model("proposals", "GrantApplication")
    GrantApplication.objects.filter(stage="on_agenda").update(stage="recommended")


class Migration(migrations.Migration):
    dependencies = [
        ("committees", "0011_minutes_agenda_decision"),
        ("proposals", "0014_grant_decision_minutes_as_data"),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name="grantapplication",
            name="grant_stage_known",
        ),
        migrations.AlterField(
            model_name="grantapplication",
            name="stage",
            field=models.CharField(
                choices=[
                    ("draft", "Draft"),
                    ("submitted", "Received"),
                    ("incomplete", "Returned: information missing"),
                    ("complete", "Complete"),
                    ("recommended", "Recommended"),
                    ("on_agenda", "On the agenda"),
                    ("granted", "Granted"),
                    ("refused", "Refused"),
                    ("accounts", "Accounts submitted"),
                    ("paid", "Paid"),
                    ("withdrawn", "Withdrawn"),
                ],
                default="draft",
                max_length=16,
                verbose_name="stage",
            ),
        ),
        migrations.AddConstraint(
            model_name="grantapplication",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    (
                        "stage__in",
                        [
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
                    )
                ),
                name="grant_stage_known",
            ),
        ),
        migrations.RunPython(forwards, backwards),
    ]
