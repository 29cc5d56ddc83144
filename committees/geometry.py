"""Which area a point lies in: point-in-polygon over GeoJSON geometry, pure Python, no ORM.

A geometry is a GeoJSON `Polygon` (an outer ring and any holes) or `MultiPolygon`, with
coordinates as `[longitude, latitude]`. A point is inside a polygon when it is inside the outer
ring and inside none of its holes; inside a multipolygon when inside any of its polygons.

The test is ray casting with half-open edges: a point exactly on an edge shared by two
neighbouring areas is counted in exactly one of them, so an address on a boundary street still
resolves to one area. Areas are a few kilometres across, so plane geometry on longitude and
latitude is exact enough: the ring is the same straight-edged shape either way.
"""

from collections.abc import Sequence

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
    raise GeometryError(f"unsupported geometry type {kind!r}")


def _check_ring(ring) -> None:
    if not isinstance(ring, list) or len(ring) < 4:
        raise GeometryError("a ring needs at least four positions (the first repeated last)")
    for position in ring:
        if (
            not isinstance(position, list)
            or len(position) < 2
            or not all(isinstance(v, int | float) and not isinstance(v, bool) for v in position[:2])
        ):
            raise GeometryError("a position is [longitude, latitude] in numbers")
        if not (-180 <= position[0] <= 180 and -90 <= position[1] <= 90):
            raise GeometryError("a position is outside longitude -180..180, latitude -90..90")
    if ring[0][:2] != ring[-1][:2]:
        raise GeometryError("a ring must end where it starts")


def geometry_check(geometry) -> dict:
    """Return the geometry if it is a valid GeoJSON Polygon or MultiPolygon, else raise."""
    if not isinstance(geometry, dict) or geometry.get("type") not in GEOMETRY_TYPES:
        raise GeometryError("the geometry must be a GeoJSON Polygon or MultiPolygon")
    coordinates = geometry.get("coordinates")
    polygons = [coordinates] if geometry["type"] == "Polygon" else coordinates
    if not isinstance(polygons, list) or not polygons:
        raise GeometryError("the geometry has no coordinates")
    for polygon in polygons:
        if not isinstance(polygon, list) or not polygon:
            raise GeometryError("a polygon needs an outer ring")
        for ring in polygon:
            _check_ring(ring)
    return {"type": geometry["type"], "coordinates": coordinates}
