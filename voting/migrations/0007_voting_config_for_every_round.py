"""Every round has its voting settings: reading them no longer creates the row.

Rows were created on first read before; a round nobody read yet gets its row now. It was
counted with cost before the utility choice existed (0006), so it keeps cost.
"""

from django.db import migrations


def create_missing(apps, schema_editor):
    BudgetRound = apps.get_model("committees", "BudgetRound")
    VotingConfig = apps.get_model("voting", "VotingConfig")
    VotingConfig.objects.bulk_create(
        VotingConfig(budget_round=budget_round, utility="cost")
        for budget_round in BudgetRound.objects.filter(voting_config__isnull=True)
    )


class Migration(migrations.Migration):
    dependencies = [
        ("voting", "0006_voting_config_utility"),
        ("committees", "0006_grant_pool_ledger_and_deadlines"),
    ]

    operations = [migrations.RunPython(create_missing, migrations.RunPython.noop)]
