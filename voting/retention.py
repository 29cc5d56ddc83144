"""Retention: personal data from verification and paper entry is deleted when it has served.

A round keeps, for `VotingConfig.retention_days` after voting closes, what lets staff answer
complaints and recounts: voter keys (who took part, as keyed hashes), check-ins at polling
stations, paper entries as keyed, the round's voting codes, its voter roll (birth dates and
addresses from the municipality's extract), and the owner tags that let a voter replace their
ballot. After that, `round_personal_data_purge` deletes or blanks them.
Ballots, their receipt codes and the turnout by channel, area and age band stay, so results
can still be recounted and published.

Verified identities (the provider's pseudonymous subject and the person key) belong to no
single round; they are deleted `VERIFIED_IDENTITY_RETENTION_DAYS` after verification, and the
person verifies again at the next round.

`manage.py purge_personal_data` runs both; `make run` calls it on start, production runs it
daily (README).
"""

import datetime

from django.conf import settings
from django.db import transaction
from django.db.models import CharField, Q, Value
from django.db.models.functions import Cast, Concat
from django.utils import timezone

from committees.models import BudgetRound
from committees.services import audit_record
from voting import ballot_box
from voting.models import (
    Ballot,
    PaperEntry,
    Participation,
    RollEntry,
    VerifiedIdentity,
    VotingCode,
    VotingConfig,
)

PURGED_KEY_PREFIX = "purged-"


def round_purge_due_at(*, budget_round: BudgetRound, config: VotingConfig) -> datetime.datetime:
    return budget_round.voting_end + datetime.timedelta(days=config.retention_days)


@transaction.atomic
def round_personal_data_purge(
    *, budget_round: BudgetRound, now: datetime.datetime | None = None
) -> dict[str, int]:
    """Delete the round's personal data from verification and paper entry; counted per kind.

    Refuses before the retention period has run out, so an early call cannot destroy what a
    complaint or recount still needs.
    """
    now = now or timezone.now()
    config, _created = VotingConfig.objects.select_for_update().get_or_create(
        budget_round=budget_round
    )
    if now < round_purge_due_at(budget_round=budget_round, config=config):
        raise ValueError(f"round {budget_round.pk}: retention period not over")
    # Ballots still sealed in the mixing buffer carry owner tags too: write them out first.
    ballot_box.ballots_flush(budget_round=budget_round, everything=True)
    counts = {
        "participation_keys": Participation.objects.filter(budget_round=budget_round)
        .exclude(voter_key__startswith=PURGED_KEY_PREFIX)
        .update(voter_key=Concat(Value(PURGED_KEY_PREFIX), Cast("pk", CharField()))),
        "check_ins": Participation.objects.filter(
            budget_round=budget_round, checked_in_by__isnull=False
        ).update(checked_in_by=None),
        "ballot_links": Ballot.objects.filter(budget_round=budget_round)
        .filter(Q(owner_tag__isnull=False) | Q(entered_by__isnull=False))
        .update(owner_tag=None, entered_by=None),
        "paper_entries": PaperEntry.objects.filter(station__budget_round=budget_round).delete()[0],
        "voting_codes": VotingCode.objects.filter(budget_round=budget_round).delete()[0],
        "voter_roll": RollEntry.objects.filter(budget_round=budget_round).delete()[0],
    }
    first_time = config.personal_data_purged_at is None
    config.personal_data_purged_at = now
    config.save(update_fields=["personal_data_purged_at"])
    if first_time or any(counts.values()):
        audit_record(
            actor=None,
            action="round.personal_data_purged",
            obj=budget_round,
            data=counts,
            committee_id=budget_round.committee_id,
        )
    return counts


def identities_expired(*, now: datetime.datetime | None = None):
    now = now or timezone.now()
    days = settings.VERIFIED_IDENTITY_RETENTION_DAYS
    return VerifiedIdentity.objects.filter(verified_at__lt=now - datetime.timedelta(days=days))


def rounds_due_for_purge(*, now: datetime.datetime | None = None) -> list[BudgetRound]:
    """Rounds whose retention period is over and that still hold personal data."""
    now = now or timezone.now()
    due = []
    candidates = BudgetRound.objects.filter(voting_end__lte=now).select_related("voting_config")
    for budget_round in candidates:
        config = getattr(budget_round, "voting_config", None) or VotingConfig(
            budget_round=budget_round
        )
        if config.personal_data_purged_at is None and now >= round_purge_due_at(
            budget_round=budget_round, config=config
        ):
            due.append(budget_round)
    return due


def personal_data_purge(*, now: datetime.datetime | None = None) -> dict[str, object]:
    """Everything whose time is up: due rounds, then expired verified identities."""
    now = now or timezone.now()
    rounds = {
        budget_round.pk: round_personal_data_purge(budget_round=budget_round, now=now)
        for budget_round in rounds_due_for_purge(now=now)
    }
    identities = identities_expired(now=now).delete()[0]
    return {"rounds": rounds, "identities": identities}
