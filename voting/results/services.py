"""Writes of a round's result: the committee confirms the tally, or overrides it in public.

Confirming fixes the outcome and the SHA-256 of the anonymised ballot file
(`voting.results.ballot_file.export_round`), moves the proposals on the ballot to selected or
not selected, and after commit e-mails the authors and followers
(`voting.results.notifications`).
"""

import hashlib

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from committees.models import BudgetRound, Phase
from committees.services import audit_record, round_lock
from proposals.models import State as ProposalState
from proposals.services import proposal_transition_by_system
from voting import ballot_box, permissions
from voting.models import Ballot, PaperEntry, RoundResult
from voting.results.ballot_file import export_round
from voting.results.notifications import send_results_published
from voting.selectors import round_projects, round_results


@transaction.atomic
def result_confirm(
    *,
    moderator,
    budget_round: BudgetRound,
    final_selected: list[str] | None = None,
    reason: str = "",
):
    """The committee confirms the rule's outcome, or overrides it with a public reason.

    Proposals on the ballot become selected or not selected; both outcomes stay on record.
    """
    if not permissions.can_moderate_round(moderator, budget_round):
        raise PermissionDenied(_("Only the committee's moderators can confirm the result."))
    if budget_round.phase not in (Phase.RESULTS, Phase.IMPLEMENTATION):
        raise ValidationError(_("The result can be confirmed once voting has closed."))
    # Late paper keying locks the same row (voting.paper.services._require_keying_open).
    BudgetRound.objects.select_for_update().only("pk").get(pk=budget_round.pk)
    if RoundResult.objects.filter(budget_round=budget_round).exists():
        raise ValidationError(_("The result of this round is already confirmed."))
    unkeyed = (
        PaperEntry.objects.filter(station__budget_round=budget_round)
        .exclude(status=PaperEntry.Status.ACCEPTED)
        .count()
    )
    if unkeyed:
        raise ValidationError(
            ngettext(
                "%(count)d paper ballot still waits for its second keying or a new keying; "
                "finish it at the polling station's page first.",
                "%(count)d paper ballots still wait for their second keying or a new keying; "
                "finish them at the polling stations' pages first.",
                unkeyed,
            )
            % {"count": unkeyed}
        )
    # Voting has closed: the mixing buffer writes every ballot it still holds, as one batch
    # (at least BALLOT_MIX_SIZE of them, unless the round had fewer ballots in all).
    ballot_box.ballots_flush(budget_round=budget_round, everything=True)
    outcome = round_results(budget_round=budget_round)
    projects = round_projects(budget_round=budget_round)
    final = list(outcome.selected if final_selected is None else final_selected)
    reason = (reason or "").strip()
    if set(final) != set(outcome.selected):
        if not reason:
            raise ValidationError(_("Give a public reason for changing the result."))
        if not set(final) <= set(projects):
            raise ValidationError(_("Only projects on the ballot can be selected."))
        if sum(projects[p].cost for p in final) > budget_round.pot:
            raise ValidationError(_("The selected projects cost more than the pot."))
    text = export_round(budget_round)
    result = RoundResult.objects.create(
        budget_round=budget_round,
        rule=budget_round.tally_rule,
        computed_selected=outcome.selected,
        final_selected=final,
        override_reason=reason if set(final) != set(outcome.selected) else "",
        ballots_sha256=hashlib.sha256(text.encode()).hexdigest(),
        ballot_count=Ballot.objects.filter(budget_round=budget_round).count(),
        confirmed_by=moderator,
        confirmed_at=timezone.now(),
    )
    round_lock(budget_round=budget_round)  # voting can no longer be extended or closed again
    for pid, proposal in projects.items():
        if proposal.state == ProposalState.FEASIBLE:
            target = ProposalState.SELECTED if pid in final else ProposalState.NOT_SELECTED
            # One e-mail tells each author the outcome: the results e-mail, after commit.
            proposal_transition_by_system(proposal=proposal, target=target, notify=False)
    audit_record(
        actor=moderator,
        action="voting.result_confirm",
        obj=budget_round,
        reason=result.override_reason,
        committee_id=budget_round.committee_id,
        data={"computed": outcome.selected, "final": final, "sha256": result.ballots_sha256},
    )
    round_id = budget_round.pk
    transaction.on_commit(lambda: _notify_results(round_id))
    return result


def _notify_results(round_id: int) -> None:
    send_results_published(round_id=round_id)
