"""The statistics pages lead with turnout (per committee, per channel, per round) and fold the
rounds nobody has voted in yet away."""

import pytest
from django.urls import reverse

from tests import factories
from voting import keys
from voting.models import Participation

pytestmark = pytest.mark.django_db


def _voters(budget_round, channels: dict[str, int]) -> None:
    number = 0
    for channel, count in channels.items():
        for _ in range(count):
            number += 1
            Participation.objects.create(
                budget_round=budget_round,
                voter_key=keys.voter_key(round_id=budget_round.pk, person=f"v{number}"),
                channel=channel,
                voted_on=budget_round.voting_start.date(),
                area=budget_round.committee.district,
            )


def test_city_page_leads_with_turnout_per_committee_and_channel(client, home_page):
    oesterbro = factories.committee("Østerbro Lokaludvalg")
    valby = factories.committee("Valby Lokaludvalg", district_name="Valby")
    voted = factories.budget_round(committee=oesterbro, phase="results", title="Østerbro 2026")
    _voters(voted, {"online": 12, "paper": 3})
    factories.budget_round(committee=valby, phase="voting", title="Valby 2026")  # no votes yet

    for prefix, words in [  # Danish first: the English visit is remembered
        ("", ("Deltagelse", "Forslag", "Pr. lokaludvalg", "Pr. kanal", "Online", "På papir")),
        ("/en", ("Turnout", "Proposals", "Per committee", "Per channel", "Online", "On paper")),
    ]:
        html = client.get(prefix + reverse("voting:statistics")).content.decode()
        turnout, proposals, per_committee, per_channel, online, paper = words
        main = html.split("<main", 1)[1]
        assert main.index(f">{turnout}</h2>") < main.index(f">{proposals}</h2>")
        assert per_committee in main and per_channel in main
        channels = main.split(per_channel, 1)[1].split("</table>", 1)[0]
        assert online in channels and "12" in channels
        assert paper not in channels  # 3 voters: fewer than the smallest group shown
        table = main.split('id="turnout-table-caption"', 1)[1].split("</table>", 1)[0]
        assert "Østerbro 2026" in table and "Valby 2026" not in table
        folded = main.split("<details", 1)[1].split("</details>", 1)[0]
        assert "Valby 2026" in folded
