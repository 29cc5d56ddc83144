"""Residents per district, from `committees/data/copenhagen_population.csv` (source in its header).

The statistics pages read turnout as a share of a round's eligible residents: the population
of the districts whose residents may vote in it. Pure lookup; no ORM.
"""

import csv
from functools import cache
from pathlib import Path

POPULATION_FILE = Path(__file__).resolve().parent / "data" / "copenhagen_population.csv"


@cache
def district_population() -> dict[str, int]:
    """District name -> residents (all ages)."""
    with POPULATION_FILE.open(encoding="utf-8") as handle:
        lines = (line for line in handle if not line.startswith("#"))
        return {row["district"]: int(row["population"]) for row in csv.DictReader(lines)}


def population_of(district_names) -> int | None:
    """Residents of these districts together; None when any of them has no figure."""
    table = district_population()
    names = list(district_names)
    if not names or any(name not in table for name in names):
        return None
    return sum(table[name] for name in names)
