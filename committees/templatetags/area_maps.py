"""`{% area_map committee places "proposals:detail" %}`: the committee's area map on a page.

`places` (a list, or one object) are any objects with `title`, `pk`, `latitude` and
`longitude` (and optionally `location_text`), linked through the URL name given (none: not
linked), so that this app draws proposals' points without importing the proposals app. Those
without a point are left out of the drawing and its list.
"""

from django import template
from django.conf import settings
from django.urls import reverse

from committees.maps import Place, committee_boundary, map_draw

register = template.Library()


@register.inclusion_tag("committees/map.html")
def area_map(committee, places=(), url_name: str = "", heading: str = "", section: str = ""):
    if hasattr(places, "latitude"):
        places = [places]
    marked = [
        Place(
            label=item.title,
            url=reverse(url_name, args=[item.pk]) if url_name else "",
            longitude=float(item.longitude),
            latitude=float(item.latitude),
            note=getattr(item, "location_text", ""),
        )
        for item in places
        if item.latitude is not None and item.longitude is not None
    ]
    drawing = map_draw(
        boundary=committee_boundary(committee=committee),
        places=marked,
        tile_template=settings.MAP_TILE_URL,
        attribution=settings.MAP_ATTRIBUTION,
    )
    return {
        "map": drawing,
        "committee": committee,
        "heading": heading,
        "section": section,  # a heading for a section of its own, shown only with a map
        "key": committee.slug,
    }
