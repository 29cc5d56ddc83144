"""Importing area outlines and addresses: every error is in the reader's language and says
where, down to the feature, polygon, ring and position, or the line of the address file."""

import io
import json

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from committees.areas import AreaDataError, addresses_import, areas_import
from committees.geometry import GeometryError, geometry_check
from committees.models import Address, Area
from tests import factories

SQUARE = [[12.5, 55.6], [12.6, 55.6], [12.6, 55.7], [12.5, 55.7], [12.5, 55.6]]
OPEN = SQUARE[:-1] + [[12.5, 55.65]]


def _error(geometry) -> str:
    with pytest.raises(GeometryError) as caught:
        geometry_check(geometry)
    return str(caught.value)


@pytest.mark.parametrize(
    ("geometry", "danish", "english"),
    [
        (
            {"type": "Point", "coordinates": [12.5, 55.6]},
            "Omridset skal være en GeoJSON Polygon eller MultiPolygon.",
            "The outline must be a GeoJSON Polygon or MultiPolygon.",
        ),
        (
            {"type": "Polygon", "coordinates": []},
            "Omridset har ingen koordinater.",
            "The outline has no coordinates.",
        ),
        (
            {"type": "Polygon", "coordinates": [SQUARE, OPEN]},
            "Ring 2: en ring skal slutte, hvor den begynder.",
            "Ring 2: a ring must end where it starts.",
        ),
        (
            {"type": "MultiPolygon", "coordinates": [[SQUARE], [SQUARE[:3]]]},
            "Polygon 2, ring 1: en ring skal have mindst fire positioner, og den første "
            "gentages til sidst.",
            "Polygon 2, ring 1: a ring needs at least four positions, the first repeated last.",
        ),
        (
            {"type": "Polygon", "coordinates": [[*SQUARE[:2], [12.6, "55,7"], *SQUARE[3:]]]},
            "Ring 1, position 3: en position er [længdegrad, breddegrad] i tal.",
            "Ring 1, position 3: a position is [longitude, latitude] in numbers.",
        ),
        (
            {"type": "Polygon", "coordinates": [[*SQUARE[:3], [55.7, 512.5], SQUARE[4]]]},
            "Ring 1, position 4: uden for længdegrad -180 til 180 og breddegrad -90 til 90.",
            "Ring 1, position 4: outside longitude -180 to 180 and latitude -90 to 90.",
        ),
        (
            {"type": "MultiPolygon", "coordinates": [[SQUARE], []]},
            "Polygon 2 har ingen ydre ring.",
            "Polygon 2 has no outer ring.",
        ),
    ],
)
def test_an_invalid_outline_says_what_and_where_in_danish_and_english(geometry, danish, english):
    assert _error(geometry) == danish  # tests start in Danish, the site's language
    with translation.override("en"):
        assert _error(geometry) == english


def _feature(committee: str, coordinates) -> dict:
    return {
        "type": "Feature",
        "properties": {"committee": committee},
        "geometry": {"type": "Polygon", "coordinates": coordinates},
    }


@pytest.mark.django_db
def test_area_import_names_the_feature_and_imports_nothing(tmp_path):
    factories.committee("Østerbro Lokaludvalg")
    factories.committee("Valby Lokaludvalg")
    path = tmp_path / "omraader.geojson"
    path.write_text(
        json.dumps(
            {
                "type": "FeatureCollection",
                "features": [
                    _feature("Østerbro Lokaludvalg", [SQUARE]),
                    _feature("Valby Lokaludvalg", [OPEN]),
                ],
            }
        ),
        encoding="utf-8",
    )
    errors = io.StringIO()
    with pytest.raises(CommandError, match="^Intet blev importeret: 1 problem.$"):
        call_command("area_import", str(path), stdout=io.StringIO(), stderr=errors)
    assert f"{path}: Objekt 2: Ring 1: en ring skal slutte, hvor den begynder." in errors.getvalue()
    assert not Area.objects.exclude(boundary=None).exists()

    with translation.override("en"), pytest.raises(AreaDataError) as caught:
        areas_import(collection=json.loads(path.read_text(encoding="utf-8")))
    assert caught.value.problems == ["Feature 2: Ring 1: a ring must end where it starts."]


@pytest.mark.django_db
def test_area_import_of_a_file_that_is_not_json(tmp_path):
    path = tmp_path / "omraader.geojson"
    path.write_text("{", encoding="utf-8")
    with pytest.raises(CommandError, match=r"omraader.geojson: ikke JSON \("):
        call_command("area_import", str(path), stdout=io.StringIO(), stderr=io.StringIO())


@pytest.mark.django_db
def test_area_import_says_how_many_in_danish(tmp_path):
    factories.committee("Østerbro Lokaludvalg")
    path = tmp_path / "omraader.geojson"
    path.write_text(
        json.dumps(
            {"type": "FeatureCollection", "features": [_feature("Østerbro Lokaludvalg", [SQUARE])]}
        ),
        encoding="utf-8",
    )
    out = io.StringIO()
    call_command("area_import", str(path), stdout=out)
    assert out.getvalue().strip() == "1 områdegrænse importeret."


ADDRESS_HEADER = "access_address_id,street,house_number,postcode,longitude,latitude\n"
GOOD = "0a3f507a-b2e6-32b8-e044-0003ba298018,Østerbrogade,1,2100,12.55,55.65\n"
BAD_COORDINATES = "0a3f507a-b2e6-32b8-e044-0003ba298019,Østerbrogade,3,2100,200,-91\n"


@pytest.mark.django_db
def test_address_import_names_the_line_and_the_coordinate(tmp_path):
    path = tmp_path / "adresser.csv"
    path.write_text(ADDRESS_HEADER + GOOD + BAD_COORDINATES, encoding="utf-8")
    errors = io.StringIO()
    with pytest.raises(CommandError, match="^Intet blev importeret: 1 problem.$"):
        call_command("address_import", str(path), stdout=io.StringIO(), stderr=errors)
    assert (
        f"{path}: Linje 3: længdegraden er ikke et tal fra -180 til 180; "
        "breddegraden er ikke et tal fra -90 til 90." in errors.getvalue()
    )
    assert not Address.objects.exists()

    with translation.override("en"), pytest.raises(AreaDataError) as caught:
        addresses_import(lines=io.StringIO(ADDRESS_HEADER + GOOD + BAD_COORDINATES))
    assert caught.value.problems == [
        "Line 3: the longitude is not a number from -180 to 180; "
        "the latitude is not a number from -90 to 90."
    ]


@pytest.mark.django_db
def test_address_import_says_how_many_in_danish(tmp_path):
    path = tmp_path / "adresser.csv"
    path.write_text(ADDRESS_HEADER + GOOD, encoding="utf-8")
    out = io.StringIO()
    call_command("address_import", str(path), stdout=out)
    assert out.getvalue().splitlines()[0] == "1 adresse importeret, 1 uden for alle områder."
