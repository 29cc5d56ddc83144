from django.http import HttpResponse
from django.shortcuts import get_object_or_404

from committees.ical import meetings_calendar
from committees.models import Committee
from committees.selectors import meetings_of


def committee_calendar(request, committee_slug):
    """The committee's public meetings as an iCalendar feed to subscribe to."""
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
