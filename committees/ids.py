"""Ids as people and programs write them: in forms, query strings and socket messages."""

MAX_ID = 2**31 - 1  # the largest id an integer column holds in either database


def parse_id(value) -> int | None:
    """A positive id written in ASCII digits (or given as an int) that every id column can
    hold, or None, which matches nothing.

    Not `int(value)` after `str.isdigit()`: "²" is a digit to Python but not to int(), and a
    number too large for the column fails in the database instead of matching nothing.
    """
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        number = value
    elif isinstance(value, str) and value.isascii() and value.isdigit() and len(value) <= 10:
        number = int(value)
    else:
        return None
    return number if 0 < number <= MAX_ID else None
