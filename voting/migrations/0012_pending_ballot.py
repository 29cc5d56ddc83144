"""The mixing buffer: ballots wait here, sealed, until a shuffled batch writes them."""

import uuid

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("committees", "0006_grant_pool_ledger_and_deadlines"),
        ("voting", "0010_identity_areas_and_exact_age"),
    ]

    operations = [
        migrations.CreateModel(
            name="PendingBallot",
            fields=[
                (
                    "id",
                    models.UUIDField(
                        default=uuid.uuid4, editable=False, primary_key=True, serialize=False
                    ),
                ),
                ("sealed", models.BinaryField()),
                (
                    "budget_round",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="committees.budgetround",
                    ),
                ),
            ],
            options={
                "verbose_name": "ballot waiting to be mixed",
                "verbose_name_plural": "ballots waiting to be mixed",
            },
        ),
    ]
