"""`{% follow_button proposal %}`: the follow or stop-following form on a proposal's page.

A tag rather than view context, so the proposal page's view needs nothing for it."""

from django import template

from proposals.following.selectors import is_following
from proposals.permissions import may_follow

register = template.Library()


@register.inclusion_tag("proposals/following/button.html", takes_context=True)
def follow_button(context, proposal):
    request = context["request"]
    user = request.user
    following = is_following(user=user, proposal=proposal)
    return {
        "request": request,
        "user": user,
        "proposal": proposal,
        "following": following,
        "may_follow": following or may_follow(user, proposal),
        "csrf_token": context.get("csrf_token"),
    }
