"""Maps drawn on the server: a committee's area outline and numbered places, as inline SVG.

A map has to be useful without a tile server, a script library or a CDN: the outline comes from
the committee area's boundary (`Area.boundary`, GeoJSON in longitude and latitude) and each place
is a numbered link, listed again as text beside the drawing. The projection is Web Mercator, the
one slippy-map tile servers use, so that with `MAP_TILE_URL` set the tiles covering the bounding
box (zoom, columns and rows computed here) lie exactly under the drawing as plain `<img>`
elements, and the page still needs no script.

Pure computation apart from `committee_boundary`, the one read; `committees.templatetags.area_maps`
renders the result with `committees/map.html`.
"""

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from committees.models import Area, Committee

# The drawing's own units (the SVG viewBox); the page scales it to the column's width.
WIDTH = 640
HEIGHT = 420
PADDING = 0.08  # of the bounding box, on every side
# The smallest span shown (in Web Mercator's 0..1 world), so that one place alone is shown in
# its neighbourhood (about 2 km across at Copenhagen's latitude), not magnified without end.
MIN_SPAN = 0.00009
TILE_SIZE = 256
MAX_ZOOM = 18
SUBDOMAINS = "abc"  # `{s}` in a tile URL, as Leaflet and most tile servers name them
MAX_LATITUDE = 85.05112878  # where Web Mercator's square world ends


@dataclass(frozen=True)
class Place:
    """Something to mark: a label and where its link goes, at a longitude and latitude."""

    label: str
    url: str
    longitude: float
    latitude: float
    note: str = ""


@dataclass(frozen=True)
class MapPoint:
    number: int
    label: str
    url: str
    note: str
    x: float
    y: float


@dataclass(frozen=True)
class MapTile:
    """One raster tile, placed in percent of the drawing so it scales with it."""

    url: str
    left: float
    top: float
    width: float
    height: float


@dataclass(frozen=True)
class AreaMap:
    width: int
    height: int
    outline: str  # SVG path data, empty without a boundary
    points: tuple[MapPoint, ...]
    tiles: tuple[MapTile, ...]
    zoom: int
    attribution: str


def mercator(longitude: float, latitude: float) -> tuple[float, float]:
    """Web Mercator in the unit square: (0, 0) is the north-west corner of the world."""
    latitude = max(-MAX_LATITUDE, min(MAX_LATITUDE, latitude))
    sine = math.sin(math.radians(latitude))
    u = (longitude + 180.0) / 360.0
    v = 0.5 - math.log((1 + sine) / (1 - sine)) / (4 * math.pi)
    return u, v


def tile_url(template: str, *, zoom: int, x: int, y: int) -> str:
    return (
        template.replace("{z}", str(zoom))
        .replace("{x}", str(x))
        .replace("{y}", str(y))
        .replace("{s}", SUBDOMAINS[(x + y) % len(SUBDOMAINS)])
        .replace("{r}", "")
    )


def _rings(boundary: dict | None) -> list[Sequence[Sequence[float]]]:
    if not boundary:
        return []
    if boundary.get("type") == "Polygon":
        return list(boundary["coordinates"])
    if boundary.get("type") == "MultiPolygon":
        return [ring for polygon in boundary["coordinates"] for ring in polygon]
    return []


def _box(coordinates: list[tuple[float, float]]) -> tuple[float, float, float, float]:
    """The padded bounding box in the unit square, widened to the drawing's proportions."""
    us = [u for u, _v in coordinates]
    vs = [v for _u, v in coordinates]
    span_u = max(max(us) - min(us), MIN_SPAN)
    span_v = max(max(vs) - min(vs), MIN_SPAN)
    centre_u = (max(us) + min(us)) / 2
    centre_v = (max(vs) + min(vs)) / 2
    span_u *= 1 + 2 * PADDING
    span_v *= 1 + 2 * PADDING
    if span_u / span_v < WIDTH / HEIGHT:
        span_u = span_v * WIDTH / HEIGHT
    else:
        span_v = span_u * HEIGHT / WIDTH
    return centre_u - span_u / 2, centre_v - span_v / 2, span_u, span_v


def _tiles(template: str, *, u0: float, v0: float, scale: float) -> tuple[int, list[MapTile]]:
    """The tiles that cover the drawing, at the zoom whose tiles come closest to 256 px."""
    zoom = max(0, min(MAX_ZOOM, round(math.log2(scale / TILE_SIZE))))
    count = 2**zoom
    size = scale / count  # a tile's side in the drawing's units
    # The last tile is the one the edge falls in, or ends on: not the next, which would lie
    # wholly outside the drawing.
    first_x, last_x = math.floor(u0 * count), math.ceil((u0 + WIDTH / scale) * count) - 1
    first_y, last_y = math.floor(v0 * count), math.ceil((v0 + HEIGHT / scale) * count) - 1
    tiles = []
    for y in range(max(first_y, 0), min(last_y, count - 1) + 1):
        for x in range(max(first_x, 0), min(last_x, count - 1) + 1):
            tiles.append(
                MapTile(
                    url=tile_url(template, zoom=zoom, x=x, y=y),
                    left=round((x / count - u0) * scale / WIDTH * 100, 4),
                    top=round((y / count - v0) * scale / HEIGHT * 100, 4),
                    # A hair wider than exact, so that no seam shows between neighbours.
                    width=round(size / WIDTH * 100 + 0.05, 4),
                    height=round(size / HEIGHT * 100 + 0.05, 4),
                )
            )
    return zoom, tiles


def map_draw(
    *,
    boundary: dict | None,
    places: Iterable[Place] = (),
    tile_template: str = "",
    attribution: str = "",
) -> AreaMap | None:
    """The map of an outline and places, or None when there is nothing to draw."""
    rings = _rings(boundary)
    places = list(places)
    projected_rings = [[mercator(p[0], p[1]) for p in ring] for ring in rings]
    projected_places = [mercator(place.longitude, place.latitude) for place in places]
    everything = [p for ring in projected_rings for p in ring] + projected_places
    if not everything:
        return None
    u0, v0, span_u, _span_v = _box(everything)
    scale = WIDTH / span_u

    def at(u: float, v: float) -> tuple[float, float]:
        return round((u - u0) * scale, 1), round((v - v0) * scale, 1)

    outline = " ".join(
        "M" + " L".join("{},{}".format(*at(u, v)) for u, v in ring) + " Z"
        for ring in projected_rings
        if ring
    )
    points = tuple(
        MapPoint(
            number=number,
            label=place.label,
            url=place.url,
            note=place.note,
            x=at(u, v)[0],
            y=at(u, v)[1],
        )
        for number, (place, (u, v)) in enumerate(zip(places, projected_places, strict=True), 1)
    )
    zoom, tiles = _tiles(tile_template, u0=u0, v0=v0, scale=scale) if tile_template else (0, [])
    return AreaMap(
        width=WIDTH,
        height=HEIGHT,
        outline=outline,
        points=points,
        tiles=tuple(tiles),
        zoom=zoom,
        attribution=attribution if tiles else "",
    )


def committee_boundary(*, committee: Committee) -> dict | None:
    """The outline of the committee's own area (None until one is imported)."""
    return (
        Area.objects.filter(committee=committee, kind=Area.Kind.COMMITTEE)
        .values_list("boundary", flat=True)
        .first()
    )
