"""Where a person lands after signing in: staff in their workspace, residents on the front page.

Apps to the right of `committees` may send some staff to a more precise place through the
`workspace_landing` hook, `fn(*, user) -> str | None` (polling staff to their polling station,
`voting.paper.workspace`); the first answer wins.
"""

from django.urls import reverse
from wagtail import hooks

from committees.models import CommitteeRole
from committees.permissions import is_signed_in

HOOK = "workspace_landing"


def landing_url_for(*, user) -> str | None:
    """The page a person lands on after signing in, or None for the usual front page."""
    if not is_signed_in(user):
        return None
    for fn in hooks.get_hooks(HOOK):
        url = fn(user=user)
        if url:
            return url
    if user.is_superuser or CommitteeRole.objects.filter(user=user).exists():
        return reverse("wagtailadmin_home")
    return None


def workspace_link(request) -> dict:
    """Template context: `workspace_url`, where the header's workspace link leads, or None.

    Residents have none. The answer is looked up only when a template asks for it (a callable),
    so pages that never show the header cost no query.
    """
    return {"workspace_url": lambda: landing_url_for(user=getattr(request, "user", None))}
