"""Site-wide pages: the language switch, the privacy statement and the accessibility statement."""

from django.conf import settings
from django.template.response import TemplateResponse
from django.utils.translation import check_for_language
from django.views.decorators.http import require_POST
from django.views.i18n import set_language as django_set_language


def _without_language_prefix(path: str) -> str:
    """'/en/x/' -> '/x/'. Wagtail's catch-all route would otherwise take '/en/' for a page slug."""
    for code, _name in settings.LANGUAGES:
        prefix = f"/{code}/"
        if path.startswith(prefix):
            return "/" + path[len(prefix) :]
    return path


@require_POST
def set_language(request):
    """Django's language switch, remembered on the account of a signed-in person."""
    if "next" in request.POST:
        request.POST = request.POST.copy()
        request.POST["next"] = _without_language_prefix(request.POST["next"])
    response = django_set_language(request)
    language = request.POST.get("language")
    user = request.user
    if user.is_authenticated and language and check_for_language(language):
        if user.preferred_language != language:
            user.preferred_language = language
            user.save(update_fields=["preferred_language"])
    return response


def privacy_statement(request):
    return TemplateResponse(request, "pbsite/privacy.html")


def accessibility_statement(request):
    return TemplateResponse(request, "pbsite/accessibility.html")
