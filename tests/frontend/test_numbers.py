"""Numbers in prose: one percent format per language, and no "kr.." at the end of a sentence."""

import re
from pathlib import Path

import pytest
from django.urls import reverse

from frontend.money import format_kroner
from frontend.numbers import format_percent
from tests import factories
from voting import keys
from voting.models import Participation
from voting.results import statistics

CATALOGUE = Path(__file__).resolve().parents[2] / "locale" / "da" / "LC_MESSAGES" / "django.po"
# Placeholders that hold an amount of money formatted by frontend.money ("1.234 kr." in Danish).
MONEY = ("amount", "applied", "pot", "cost", "high", "low", "had", "granted", "total", "left")


@pytest.mark.parametrize(
    ("value", "danish", "english"),
    [
        (12.5, "12,5 %", "12.5%"),
        (40, "40 %", "40%"),
        (3.14159, "3,1 %", "3.1%"),
        (0.0, "0 %", "0%"),
    ],
)
def test_percent_is_written_the_way_each_language_writes_it(value, danish, english):
    assert format_percent(value, language="da") == danish
    assert format_percent(value, language="en") == english
    assert format_percent(None, language="da") == ""


def _msgstrs() -> list[tuple[str, str]]:
    text = CATALOGUE.read_text(encoding="utf-8")
    entries = []
    for block in text.split("\n\n"):
        if "#, fuzzy" in block or "msgid_plural" in block:
            continue
        match = re.search(r'^msgid ((?:".*"\n?)+)msgstr ((?:".*"\n?)+)', block, re.M)
        if match:
            joined = ["".join(re.findall(r'"(.*)"', part)) for part in match.groups()]
            entries.append((joined[0], joined[1]))
    return entries


def test_no_danish_sentence_ends_in_kr_followed_by_a_full_stop():
    """'1.234 kr.' already ends with the abbreviation's full stop: a Danish sentence that ends
    with an amount takes no second one."""
    assert format_kroner(1234, language="da").endswith("kr.")
    doubled = [
        msgid
        for msgid, msgstr in _msgstrs()
        if re.search(r"%\((" + "|".join(MONEY) + r")\)s\.(\s|$)", msgstr)
        or re.search(r"kr\.\.", msgstr)
    ]
    assert doubled == []


@pytest.mark.django_db
def test_statistics_page_writes_turnout_in_each_language(client, home_page, monkeypatch):
    monkeypatch.setattr(statistics, "population_of", lambda districts: 32)
    committee = factories.committee("Østerbro Lokaludvalg")
    budget_round = factories.budget_round(committee=committee, phase="results")
    for number in range(4):
        Participation.objects.create(
            budget_round=budget_round,
            voter_key=keys.voter_key(round_id=budget_round.pk, person=f"p{number}"),
            channel="online",
            voted_on=budget_round.voting_start.date(),
            area=committee.district,
        )
    url = reverse("voting:statistics_committee", args=[committee.slug])
    danish = client.get(url).content.decode()
    english = client.get("/en" + url).content.decode()
    assert "12,5 %" in danish and "12.5" not in danish
    assert "12.5%" in english and "12,5" not in english
