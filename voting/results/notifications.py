"""The e-mail that a round's results are out, queued for each recipient (notices) and rendered
in their own language when sent. Followers of the committee get it from the scheduler, with the
same key, so a person who is both hears it once."""

from collections import defaultdict

from committees.models import BudgetRound
from notices.kinds import Kind
from notices.services import notice_send
from proposals.models import Proposal, State
from voting.selectors import round_result_recipients


def send_results_published(*, round_id: int) -> int:
    """Called once, after the confirmation committed. Returns how many e-mails were queued."""
    budget_round = BudgetRound.objects.select_related("committee").get(pk=round_id)
    recipients = round_result_recipients(budget_round=budget_round)
    own: dict[int, list[Proposal]] = defaultdict(list)
    for proposal in Proposal.objects.filter(
        budget_round=budget_round,
        state__in=[State.SELECTED, State.NOT_SELECTED],
        author__in=[r.pk for r in recipients],
    ).order_by("case_number"):
        own[proposal.author_id].append(proposal)
    for user in recipients:
        notice_send(
            user=user,
            key=f"results:r{budget_round.pk}",
            template="voting/email/results_published",
            context={"round": budget_round, "proposals": own.get(user.pk, [])},
            kind=Kind.RESULTS,
        )
    return len(recipients)
