"""How old a person is on the voting day: pure date arithmetic, no ORM.

A person's age goes up on their birthday. Someone born on 29 February is a year older on
1 March in a year without that day (the tuple comparison below gives exactly that), so a child
born 29 February 2016 turns 10 on 1 March 2026.

A verified identity keeps no birth date: only how old the person was, in whole years, on the
day of the check (`known_on`), exactly or as a range. `age_range_on` carries that range to a
later day; `admits` decides a minimum age on that day, or says it cannot (None) when the
birthday may fall in between, and the person is asked to verify again on the day.
"""

import datetime


def age_on(birth_date: datetime.date, day: datetime.date) -> int:
    """Whole years from `birth_date` to `day`."""
    return day.year - birth_date.year - ((day.month, day.day) < (birth_date.month, birth_date.day))


def age_range_on(
    *, age_min: int, age_max: int | None, known_on: datetime.date, day: datetime.date
) -> tuple[int, int | None] | None:
    """The person's age on `day`, from their age on `known_on`; None before `known_on`."""
    if day < known_on:
        return None
    if day == known_on:
        return age_min, age_max
    years = age_on(known_on, day)  # whole years between the two days
    # A birthday may have fallen in the part-year after those whole years.
    return age_min + years, None if age_max is None else age_max + years + 1


def admits(
    *,
    minimum: int,
    age_min: int,
    age_max: int | None,
    known_on: datetime.date | None,
    day: datetime.date,
) -> bool | None:
    """True: old enough on `day`; False: too young; None: cannot tell without a new check."""
    if known_on is None:
        return None
    found = age_range_on(age_min=age_min, age_max=age_max, known_on=known_on, day=day)
    if found is None:
        return None
    low, high = found
    if low >= minimum:
        return True
    if high is not None and high < minimum:
        return False
    return None
