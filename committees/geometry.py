"""Which area a point lies in: point-in-polygon over GeoJSON geometry, pure Python, no ORM.

A geometry is a GeoJSON `Polygon` (an outer ring and any holes) or `MultiPolygon`, with
coordinates as `[longitude, latitude]`. A point is inside a polygon when it is inside the outer
ring and inside none of its holes; inside a multipolygon when inside any of its polygons.

The test is ray casting with half-open edges: a point exactly on an edge shared by two
neighbouring areas is counted in exactly one of them, so an address on a boundary street still
resolves to one area. Areas are a few kilometres across, so plane geometry on longitude and
latitude is exact enough: the ring is the same straight-edged shape either way.

An invalid outline is refused with a message for the person who imports or pastes it, in their
language, naming the polygon, ring and position; `committees.areas` adds the feature's number.
"""

from collections.abc import Sequence

from django.utils.translation import gettext as _

Ring = Sequence[Sequence[float]]

GEOMETRY_TYPES = ("Polygon", "MultiPolygon")


class GeometryError(ValueError):
    """A geometry that is not a valid GeoJSON Polygon or MultiPolygon."""


def point_in_ring(x: float, y: float, ring: Ring) -> bool:
    inside = False
    count = len(ring)
    j = count - 1
    for i in range(count):
        xi, yi = ring[i][0], ring[i][1]
        xj, yj = ring[j][0], ring[j][1]
        if (yi > y) != (yj > y) and x < (xj - xi) * (y - yi) / (yj - yi) + xi:
            inside = not inside
        j = i
    return inside


def point_in_polygon(x: float, y: float, rings: Sequence[Ring]) -> bool:
    if not rings or not point_in_ring(x, y, rings[0]):
        return False
    return not any(point_in_ring(x, y, hole) for hole in rings[1:])


def contains(geometry: dict, x: float, y: float) -> bool:
    """True when the point (longitude `x`, latitude `y`) lies in the GeoJSON geometry."""
    kind = geometry["type"]
    if kind == "Polygon":
        return point_in_polygon(x, y, geometry["coordinates"])
    if kind == "MultiPolygon":
        return any(point_in_polygon(x, y, polygon) for polygon in geometry["coordinates"])
    raise GeometryError(_("The outline must be a GeoJSON Polygon or MultiPolygon."))


def _where(polygon: int, ring: int, of_many: bool) -> str:
    """ "polygon 2, ring 1" in a MultiPolygon, "ring 1" in a Polygon (counted from 1)."""
    if of_many:
        return _("Polygon %(polygon)d, ring %(ring)d") % {"polygon": polygon, "ring": ring}
    return _("Ring %(ring)d") % {"ring": ring}


def _check_ring(ring, where: str) -> None:
    if not isinstance(ring, list) or len(ring) < 4:
        raise GeometryError(
            _("%(where)s: a ring needs at least four positions, the first repeated last.")
            % {"where": where}
        )
    for number, position in enumerate(ring, start=1):
        if (
            not isinstance(position, list)
            or len(position) < 2
            or not all(isinstance(v, int | float) and not isinstance(v, bool) for v in position[:2])
        ):
            raise GeometryError(
                _("%(where)s, position %(n)d: a position is [longitude, latitude] in numbers.")
                % {"where": where, "n": number}
            )
        if not (-180 <= position[0] <= 180 and -90 <= position[1] <= 90):
            raise GeometryError(
                _(
                    "%(where)s, position %(n)d: outside longitude -180 to 180 and latitude "
                    "-90 to 90."
                )
                % {"where": where, "n": number}
            )
    if ring[0][:2] != ring[-1][:2]:
        raise GeometryError(_("%(where)s: a ring must end where it starts.") % {"where": where})


def geometry_check(geometry) -> dict:
    """Return the geometry if it is a valid GeoJSON Polygon or MultiPolygon, else raise.

    The error says in the active language what is wrong and where: which polygon (in a
    MultiPolygon), which ring and which position, counted from 1.
    """
    if not isinstance(geometry, dict) or geometry.get("type") not in GEOMETRY_TYPES:
        raise GeometryError(_("The outline must be a GeoJSON Polygon or MultiPolygon."))
    coordinates = geometry.get("coordinates")
    of_many = geometry["type"] == "MultiPolygon"
    polygons = coordinates if of_many else [coordinates]
    if not isinstance(polygons, list) or not polygons or not coordinates:
        raise GeometryError(_("The outline has no coordinates."))
    for polygon_number, polygon in enumerate(polygons, start=1):
        if not isinstance(polygon, list) or not polygon:
            raise GeometryError(
                _("Polygon %(n)d has no outer ring.") % {"n": polygon_number}
                if of_many
                else _("The polygon has no outer ring.")
            )
        for ring_number, ring in enumerate(polygon, start=1):
            _check_ring(ring, _where(polygon_number, ring_number, of_many))
    return {"type": geometry["type"], "coordinates": coordinates}
