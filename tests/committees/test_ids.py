import pytest

from committees.ids import MAX_ID, parse_id


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("1", 1),
        ("0042", 42),
        (7, 7),
        (str(MAX_ID), MAX_ID),
        (str(MAX_ID + 1), None),
        ("9" * 40, None),
        ("0", None),
        ("-3", None),
        (-3, None),
        ("²", None),
        ("١٢", None),  # Arabic-Indic digits: int() reads them, no id is written so
        (" 12", None),
        ("1.5", None),
        ("", None),
        (None, None),
        (True, None),
        ([1], None),
    ],
)
def test_parse_id(value, expected):
    assert parse_id(value) == expected
