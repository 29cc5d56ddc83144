"""The migration that splits "recommended, on the agenda" into two stages, both ways."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from proposals.grants import services as grant_services
from proposals.models import GrantApplication, GrantStage
from tests import factories

BEFORE = [("proposals", "0014_grant_decision_minutes_as_data")]
AFTER = [("proposals", "0015_grant_stage_on_agenda")]


def _stages(executor, target) -> dict[int, str]:
    model = executor.loader.project_state(target).apps.get_model("proposals", "GrantApplication")
    return dict(model.objects.values_list("pk", "stage"))


@pytest.mark.django_db(transaction=True)
def test_a_recommended_application_with_its_agenda_item_is_on_the_agenda_and_back():
    committee = factories.committee("Østerbro Lokaludvalg")
    secretariat = factories.moderator(committee=committee)
    pool = factories.grant_pool(committee=committee)
    on_agenda, item_deleted, complete = (factories.grant_application(pool=pool) for _ in range(3))
    for application in (on_agenda, item_deleted, complete):
        grant_services.grant_completeness_check(
            actor=secretariat, application=application, complete=True
        )
    for application in (on_agenda, item_deleted):
        grant_services.grant_recommend(
            actor=secretariat, application=application, recommendation="full", reason="Ja."
        )
        grant_services.grant_put_on_agenda(actor=secretariat, application=application)
    GrantApplication.objects.get(pk=item_deleted.pk).agenda_item.delete()
    try:
        executor = MigrationExecutor(connection)
        executor.migrate(BEFORE)
        # Before the split, an application on the agenda is "recommended", item or not.
        assert _stages(executor, BEFORE) == {
            on_agenda.pk: "recommended",
            item_deleted.pk: "recommended",
            complete.pk: "complete",
        }
        executor = MigrationExecutor(connection)
        executor.migrate(AFTER)
        # After it, only one with its agenda item is on the agenda; the other waits to be put
        # on one again.
        assert _stages(executor, AFTER) == {
            on_agenda.pk: GrantStage.ON_AGENDA,
            item_deleted.pk: GrantStage.RECOMMENDED,
            complete.pk: GrantStage.COMPLETE,
        }
    finally:
        MigrationExecutor(connection).migrate(
            MigrationExecutor(connection).loader.graph.leaf_nodes()
        )
