"""The e-mail that a round's results are out, to each recipient in their own language."""

import logging
from collections import defaultdict

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from committees.models import BudgetRound
from proposals.models import Proposal, State
from voting.selectors import round_result_recipients

logger = logging.getLogger(__name__)


def send_results_published(*, round_id: int) -> int:
    """Called once, after the confirmation committed. Returns how many e-mails went out."""
    budget_round = BudgetRound.objects.select_related("committee").get(pk=round_id)
    recipients = round_result_recipients(budget_round=budget_round)
    own: dict[int, list[Proposal]] = defaultdict(list)
    for proposal in Proposal.objects.filter(
        budget_round=budget_round,
        state__in=[State.SELECTED, State.NOT_SELECTED],
        author__in=[r.pk for r in recipients],
    ).order_by("case_number"):
        own[proposal.author_id].append(proposal)
    site_url = settings.WAGTAILADMIN_BASE_URL.rstrip("/")
    sent = 0
    for user in recipients:
        language = user.preferred_language or settings.LANGUAGE_CODE
        with translation.override(language):
            context = {
                "user": user,
                "round": budget_round,
                "proposals": own.get(user.pk, []),
                "results_url": site_url + reverse("voting:results", args=[budget_round.pk]),
            }
            subject = render_to_string("voting/email/results_published_subject.txt", context)
            body = render_to_string("voting/email/results_published.txt", context)
        try:
            send_mail(" ".join(subject.split()), body, None, [user.email])
            sent += 1
        except Exception:  # the result is published; a lost e-mail must not undo it
            logger.exception("Could not send the results e-mail to user %s", user.pk)
    return sent
