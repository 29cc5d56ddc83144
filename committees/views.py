from django.conf import settings
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
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
    return TemplateResponse(request, "committees/privacy.html")


def accessibility_statement(request):
    return TemplateResponse(request, "committees/accessibility.html")


def committee_calendar(request, committee_slug):
    """The committee's public meetings as an iCalendar feed to subscribe to."""
    from committees.ical import meetings_calendar
    from committees.models import Committee
    from committees.selectors import meetings_of

    committee = get_object_or_404(Committee, slug=committee_slug)
    page = getattr(committee, "page", None)
    body = meetings_calendar(
        committee=committee,
        meetings=meetings_of(committee=committee),
        base_url=request.build_absolute_uri("/").rstrip("/"),
        page_url=page.url if page else "/",
    )
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="{committee.slug}.ics"'
    return response
