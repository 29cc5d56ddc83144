"""Writes of the newsletters: who gets one, sending it, a test copy to oneself.

Every copy goes through the notices app's one door, `notices.services.notice_send`: queued after
the transaction, rendered in the recipient's language, with a one-click unsubscribe. The key
`newsletter:<pk>` makes sending idempotent: a newsletter sent twice (two scheduler runs, a retry)
reaches each person once. Newsletters are a kind of their own (`Kind.NEWSLETTER`), chosen apart
from the news about what one follows; a resident who turned it off is not sent one, and is
counted as unsubscribed. (Those who had turned off "news about what you follow" before
newsletters had a kind of their own keep newsletters off: notices migration 0002.)
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from committees.models import User
from committees.permissions import is_moderator_of
from notices.kinds import Kind
from notices.models import CommitteeFollow, Delivery
from notices.newsletters.models import Audience, Newsletter
from notices.services import notice_send
from proposals.models import Proposal, Support
from voting.models import RoundFollow

TEMPLATE = "newsletters/email/newsletter"
NEWSLETTER_KIND = Kind.NEWSLETTER


def audience_users(*, newsletter: Newsletter):
    """The active accounts the newsletter goes to, each once."""
    committee_id = newsletter.committee_id
    public = ~Q(state="draft")
    if newsletter.audience == Audience.FOLLOWERS:
        ids = CommitteeFollow.objects.filter(committee_id=committee_id).values("user_id")
    elif newsletter.audience == Audience.AUTHORS:
        ids = Proposal.objects.filter(
            public, budget_round__committee_id=committee_id, author__isnull=False
        ).values("author_id")
    elif newsletter.audience == Audience.SUPPORTERS:
        ids = Support.objects.filter(proposal__budget_round__committee_id=committee_id).values(
            "user_id"
        )
    elif newsletter.audience == Audience.ROUND_FOLLOWERS:
        ids = RoundFollow.objects.filter(budget_round__committee_id=committee_id).values("user_id")
    else:  # one round: its authors, supporters and followers
        round_id = newsletter.budget_round_id
        users = User.objects.filter(
            Q(pk__in=Proposal.objects.filter(public, budget_round_id=round_id).values("author_id"))
            | Q(pk__in=Support.objects.filter(proposal__budget_round_id=round_id).values("user_id"))
            | Q(pk__in=RoundFollow.objects.filter(budget_round_id=round_id).values("user_id"))
        )
        return users.filter(is_active=True).order_by("pk")
    return User.objects.filter(pk__in=ids, is_active=True).order_by("pk")


def _require_staff(user, newsletter: Newsletter) -> None:
    if not is_moderator_of(user, newsletter.committee_id):
        raise PermissionDenied(_("Only the committee's staff can send its newsletters."))


def newsletter_test_send(*, user, newsletter: Newsletter):
    """A copy to the member of staff themselves, now, whatever the audience."""
    _require_staff(user, newsletter)
    stamp = timezone.now().strftime("%Y%m%d%H%M%S%f")
    return notice_send(
        user=user,
        key=f"newsletter-test:{newsletter.pk}:{stamp}",
        template=TEMPLATE,
        context={"newsletter": newsletter},
        kind=Kind.ACCOUNT,
    )


@transaction.atomic
def newsletter_send(*, newsletter: Newsletter, user=None) -> int:
    """Send the newsletter to its audience, once; returns how many copies were queued.

    `user` is the member of staff who sends it now (checked), None for the scheduler.
    """
    if user is not None:
        _require_staff(user, newsletter)
    newsletter = Newsletter.objects.select_for_update().get(pk=newsletter.pk)
    if newsletter.sent_at is not None:
        raise ValidationError(_("This newsletter has already been sent."))
    count = 0
    for recipient in audience_users(newsletter=newsletter).iterator():
        if notice_send(
            user=recipient,
            key=newsletter.delivery_key,
            template=TEMPLATE,
            context={"newsletter": newsletter},
            kind=NEWSLETTER_KIND,
        ):
            count += 1
    newsletter.sent_at = timezone.now()
    newsletter.recipients = count
    newsletter.save(update_fields=["sent_at", "recipients"])
    return count


def newsletters_send_due(*, now=None) -> int:
    """Send every scheduled newsletter whose time has come; returns how many were sent."""
    now = now or timezone.now()
    due = Newsletter.objects.filter(sent_at__isnull=True, scheduled_at__lte=now)
    sent = 0
    for newsletter in due:
        try:
            newsletter_send(newsletter=newsletter)
        except ValidationError:  # sent meanwhile by another run: nothing to do
            continue
        sent += 1
    return sent


def newsletter_counts(*, newsletter: Newsletter) -> dict[str, int]:
    """Sent, failed and unsubscribed (turned off by the recipient), from the outbox."""
    state = Delivery.State
    return Delivery.objects.filter(key__startswith=f"{newsletter.delivery_key}:u").aggregate(
        sent=Count("pk", filter=Q(state__in=[state.SENT, state.DIGESTED])),
        failed=Count("pk", filter=Q(state=state.FAILED)),
        unsubscribed=Count("pk", filter=Q(state=state.SKIPPED)),
        waiting=Count("pk", filter=Q(state__in=[state.QUEUED, state.SENDING, state.HELD])),
    )
