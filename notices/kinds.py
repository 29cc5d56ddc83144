"""The kinds of notice, each one a resident can turn off.

A kind is a short code stored on every delivery and in a preference; adding one is a line here
(its label shows on the preferences page). `ACCOUNT` messages (a proposal's receipt, a review's
outcome, a grant's next step) answer something the person did themselves; they too can be turned
off, since every message carries a one-click unsubscribe, but they are never held for a digest.
`SECURITY` messages (allauth's) are the one kind that cannot be turned off.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Kind(models.TextChoices):
    IDEAS_OPEN = "ideas_open", _("Ideas open in a round")
    VOTING_OPENS = "voting_opens", _("Voting opens")
    VOTING_CLOSES = "voting_closes", _("Voting closes in two days")
    RESULTS = "results", _("Results are published")
    VOTE_RECEIPT = "vote_receipt", _("Confirmation that your ballot is counted")
    FOLLOWING = "following", _("News about proposals and projects you follow")
    NEWSLETTER = "newsletter", _("Newsletters from the committees")
    ACCOUNT = "account", _("Answers about your own proposals")
    SECURITY = "security", _("Sign-up, e-mail address and password")


# What may wait for the daily digest: the vote receipt and answers come at once.
DIGESTIBLE = {
    Kind.IDEAS_OPEN,
    Kind.VOTING_OPENS,
    Kind.VOTING_CLOSES,
    Kind.RESULTS,
    Kind.FOLLOWING,
    Kind.NEWSLETTER,
}

# Sent whatever the person chose, with no unsubscribe link: allauth's sign-up confirmation,
# password reset and the like answer a request made a moment ago, and cannot be turned off.
ALWAYS = {Kind.SECURITY}

# What the preferences page offers, and what an unsubscribe link may turn off.
CHOOSABLE = [kind for kind in Kind if kind not in ALWAYS]
