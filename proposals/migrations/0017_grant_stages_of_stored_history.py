"""A grant application's status history records its stages (and the meeting of its agenda step).

Forwards, the lines already written for grant applications get the stages their states stand
for: every move of a grant application's proposal was one step of the grant process, so its
states say its stages, with one exception told apart by the process's own rule: a decision
(granted, refused) is taken from "on the agenda", while the recommendation led to
"recommended". A withdrawal from that state came from "on the agenda" when the application
still has its agenda item; otherwise "before" is left blank (recommended, or an item since
deleted: not known). Steps that moved no state (returned for information, sent in again, put
on an agenda, accounts returned) left no line, and none is invented: when and by whom they were
taken is not known.

Backwards, the lines only the stages tell apart (same state before and after) go; the stages
go with their columns (0016).
"""

from django.db import migrations, models

# The stage each state of a grant application's proposal stands for (GRANT_TRANSITIONS).
STAGE_OF_STATE = {
    "draft": "draft",
    "submitted": "submitted",
    "in_review": "complete",
    "feasible": "recommended",
    "selected": "granted",
    "not_selected": "refused",
    "in_progress": "accounts",
    "completed": "paid",
    "withdrawn": "withdrawn",
}


def forwards(apps, schema_editor):
    StatusChange = apps.get_model("proposals", "StatusChange")
    GrantApplication = apps.get_model("proposals", "GrantApplication")
    grants = GrantApplication.objects.values("proposal_id")
    unfilled = StatusChange.objects.filter(proposal_id__in=grants, to_stage="", from_stage="")
    rows = StatusChange.objects.filter(pk__in=list(unfilled.values_list("pk", flat=True)))
    for state, stage in STAGE_OF_STATE.items():
        rows.filter(to_state=state).update(to_stage=stage)
        rows.filter(from_state=state).exclude(from_state="feasible").update(from_stage=stage)
    feasible = rows.filter(from_state="feasible")
    feasible.filter(to_state__in=["selected", "not_selected"]).update(from_stage="on_agenda")
    on_agenda = GrantApplication.objects.filter(agenda_item__isnull=False).values("proposal_id")
    feasible.filter(to_state="withdrawn", proposal_id__in=on_agenda).update(from_stage="on_agenda")


def backwards(apps, schema_editor):
    StatusChange = apps.get_model("proposals", "StatusChange")
    StatusChange.objects.filter(from_state=models.F("to_state")).exclude(to_stage="").delete()


class Migration(migrations.Migration):
    dependencies = [
        ("proposals", "0016_grant_stages_in_history"),
    ]

    operations = [
        migrations.RunPython(forwards, backwards),
    ]
