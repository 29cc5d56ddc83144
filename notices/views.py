"""The preferences page on "Mit borgerbudget", and the unsubscribe link of every message."""

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from notices import permissions, selectors, services
from notices.forms import PreferenceForm
from notices.kinds import CHOOSABLE, Kind


def preferences(request):
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not permissions.can_manage_preferences(request.user):
        raise PermissionDenied
    preference = services.preference_for(request.user)
    initial = {
        "wanted": [kind for kind in CHOOSABLE if kind not in preference.muted],
        "digest": preference.digest,
        "committees": selectors.followed_committees(user=request.user),
    }
    form = PreferenceForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        services.preference_update(
            user=request.user,
            muted=[kind for kind in CHOOSABLE if kind not in form.cleaned_data["wanted"]],
            digest=form.cleaned_data["digest"],
            committees=form.cleaned_data["committees"],
        )
        messages.success(request, _("Your e-mail choices are saved."))
        return redirect("notices:preferences")
    return TemplateResponse(request, "notices/preferences.html", {"form": form})


@csrf_exempt  # the signed token is the authority; mail providers POST without a session
def unsubscribe(request, token: str):
    """GET shows a button (link scanners must not unsubscribe); POST unsubscribes at once,
    also as the RFC 8058 one-click POST that mail programs send."""
    found = services.unsubscribe_read(token)
    if found is None:
        return TemplateResponse(request, "notices/unsubscribe.html", {"invalid": True}, status=404)
    user, kind = found
    if request.method == "POST":
        services.unsubscribe(user=user, kind=kind)
        return TemplateResponse(
            request, "notices/unsubscribe.html", {"done": True, "kind_label": Kind(kind).label}
        )
    return TemplateResponse(request, "notices/unsubscribe.html", {"kind_label": Kind(kind).label})
