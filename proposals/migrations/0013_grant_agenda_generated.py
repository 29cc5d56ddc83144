"""Fill `AgendaItem.generated` for the agenda items grant applications already put on agendas,
so they too are shown in each reader's language.

Everything is taken from the application, except the pool's remaining amount at the time of the
recommendation, which nothing else kept: it is read back from the stored economy text when its
last two lines are the "applied for" line (its number equal to the amount applied for) and the
pool line; otherwise it is left out and the line is not shown.
"""

import re

from django.db import migrations

DIGITS = re.compile(r"\d[\d.,\u00a0 ]*")


def _number(line: str) -> int | None:
    found = DIGITS.search(line)
    if not found:
        return None
    digits = re.sub(r"\D", "", found.group())
    return int(digits) if digits else None


def _pool_remaining(economy: str, applied: int) -> int | None:
    lines = [line for line in (economy or "").splitlines() if line.strip()]
    if len(lines) < 2 or _number(lines[-2]) != applied:
        return None
    return _number(lines[-1])


def _decision(application, item) -> dict | None:
    if application.stage in ("granted", "accounts", "paid") and application.granted_amount:
        return {
            "kind": "granted",
            "amount": application.granted_amount,
            "reason": application.decision_reason,
        }
    if application.stage == "refused":
        return {"kind": "refused", "amount": None, "reason": application.decision_reason}
    if application.stage == "withdrawn" and item.decision:
        return {"kind": "withdrawn", "amount": None, "reason": ""}
    return None


def fill(apps, schema_editor):
    GrantApplication = apps.get_model("proposals", "GrantApplication")
    AgendaItem = apps.get_model("committees", "AgendaItem")
    applications = GrantApplication.objects.filter(
        agenda_item__isnull=False, agenda_item__generated__isnull=True
    ).select_related("proposal", "agenda_item")
    for application in applications.iterator():
        item = application.agenda_item
        if not application.recommendation:
            continue
        proposal = application.proposal
        item.generated = {
            "kind": "grant_application",
            "application": application.pk,
            "case": proposal.case_number,
            "title": proposal.title,
            "applicant": (
                None if proposal.submitter_kind == "resident" else application.applicant_name
            ),
            "recommendation": application.recommendation,
            "recommended_amount": application.recommended_amount,
            "reason": application.recommendation_reason,
            "activity_date": (
                application.activity_date.isoformat() if application.activity_date else None
            ),
            "advertising": application.advertising,
            "volunteers": application.volunteers,
            "lines": [
                [line.text, line.amount]
                for line in application.lines.filter(actual=False).order_by("kind", "pk")
            ],
            "applied": application.amount_applied,
            "pool_remaining": _pool_remaining(item.economy, application.amount_applied),
            "decision": _decision(application, item),
        }
        AgendaItem.objects.filter(pk=item.pk).update(generated=item.generated)


class Migration(migrations.Migration):
    dependencies = [
        ("proposals", "0012_assisted_support_account"),
        ("committees", "0010_agenda_item_generated"),
    ]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
