"""The home page leads with what is open now; a committee page with its open round."""

import datetime
import re
from http import HTTPStatus

import pytest
from django.urls import reverse
from django.utils import timezone

from committees import whats_open
from committees.models.pages import OWN_COMMITTEES_SESSION_KEY
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_committees(home_page):
    oesterbro = factories.committee("Østerbro Lokaludvalg")
    valby = factories.committee("Valby Lokaludvalg", district_name="Valby")
    return oesterbro, valby


def _open(html: str) -> str:
    return html.split('id="open-now-heading"', 1)[1].split("</section>", 1)[0]


def test_open_now_lists_ideas_voting_and_this_weeks_meetings_with_one_button_each(
    client, two_committees
):
    oesterbro, valby = two_committees
    ideas = factories.budget_round(committee=oesterbro, phase="ideas", title="Grønne idéer")
    voting = factories.budget_round(committee=valby, phase="voting", title="Valby vælger")
    factories.budget_round(committee=valby, phase="review", title="Under vurdering")
    factories.meeting(committee=oesterbro, days_from_now=3, title="Borgermøde i denne uge")
    factories.meeting(committee=oesterbro, days_from_now=10, title="Møde om to uger")
    factories.meeting(committee=valby, days_from_now=2, title="Lukket møde", is_public=False)

    items = whats_open.open_now()
    assert sorted((i.kind, i.committee.name) for i in items) == [
        ("ideas", "Østerbro Lokaludvalg"),
        ("meeting", "Østerbro Lokaludvalg"),
        ("voting", "Valby Lokaludvalg"),
    ]
    assert [i.when for i in items] == sorted(i.when for i in items)  # what closes soonest first

    for language, words in [
        ("da", ("Åbent nu", "Idéer kan indsendes til", "Afstemningen er åben til", "Stem")),
        ("en", ("Open now", "Ideas open until", "Voting open until", "Vote")),
    ]:
        prefix = "" if language == "da" else "/en"
        response = client.get(prefix + "/")
        assert response.status_code == HTTPStatus.OK
        section = _open(response.content.decode())
        for word in words:
            assert word in section, (language, word)
        assert "Grønne idéer" in section and "Valby vælger" in section
        assert "Borgermøde i denne uge" in section
        for absent in ("Under vurdering", "Møde om to uger", "Lukket møde"):
            assert absent not in section
        assert section.count('class="button ') == 3
        assert reverse("voting:ballot", args=[voting.pk]) in section
        assert f"/runder/{ideas.slug}/" in section
        assert "-" + str(timezone.now().year) not in section  # no ISO date in the prose


def test_the_residents_own_committee_comes_first(client, two_committees):
    oesterbro, valby = two_committees
    factories.budget_round(committee=oesterbro, phase="voting", title="Østerbro vælger")
    later = factories.round_dates(phase="ideas", now=timezone.now() + datetime.timedelta(days=3))
    factories.budget_round(committee=valby, title="Valby idéer", **later)

    first = _open(client.get("/").content.decode())
    assert first.index("Østerbro vælger") < first.index("Valby idéer")

    session = client.session
    session[OWN_COMMITTEES_SESSION_KEY] = [valby.slug]
    session.save()
    own = _open(client.get("/").content.decode())
    assert own.index("Valby idéer") < own.index("Østerbro vælger")
    assert own.count("open-now__item--own") == 1 and "Dit lokaludvalg" in own


def test_nothing_open_says_so(client, two_committees):
    factories.budget_round(committee=two_committees[0], phase="results")
    section = _open(client.get("/en/").content.decode())
    assert "Nothing is open right now" in section


def test_committee_page_shows_rounds_with_dates_and_phase_the_open_one_first(client, home_page):
    committee = factories.committee("Østerbro Lokaludvalg")
    open_round = factories.budget_round(committee=committee, phase="voting", title="Åben runde")
    # A newer round, not open yet: newest first alone would put it first.
    factories.budget_round(
        committee=committee,
        title="Næste runde",
        **factories.round_dates(phase="upcoming"),
    )
    committee.page.save_revision().publish()
    for prefix, badge, ideas in [("", "Åbent nu", "Idéer"), ("/en", "Open now", "Ideas")]:
        html = client.get(prefix + committee.page.url.removeprefix("/en")).content.decode()
        rounds = html.split('id="rounds-heading"', 1)[1].split("</section>", 1)[0]
        assert rounds.index("Åben runde") < rounds.index("Næste runde")
        assert rounds.count("round-card--open") == 1
        opened = rounds.split("round-card--open", 1)[1].split("</li>", 1)[0]
        assert badge in opened and "Åben runde" in opened
        assert f"<dt>{ideas}</dt>" in opened
        voting_end = open_round.voting_end
        # The dates in words; the ISO form only in the machine-readable datetime attribute.
        assert str(voting_end.year) in opened and f">{voting_end.date().isoformat()}" not in opened


def _item(own=False):
    return whats_open.OpenItem("ideas", None, timezone.now(), own=own)


@pytest.mark.parametrize(
    ("own", "others", "shown"),
    [
        (0, 7, 7),  # one more than six is shown, not folded alone
        (0, 8, 6),
        (2, 10, 6),
        (8, 3, 8),  # every item of the resident's own committees stays in view
        (0, 3, 3),
    ],
)
def test_what_is_open_folds_after_six_or_after_the_residents_own(own, others, shown):
    items = [_item(own=True) for _ in range(own)] + [_item() for _ in range(others)]
    first, later = whats_open.fold(items)
    assert len(first) == shown and first + later == items
    assert all(item.own for item in items[:own])


def test_the_home_page_folds_the_rest_behind_one_button(client, two_committees):
    oesterbro, valby = two_committees
    for n in range(9):
        dates = factories.round_dates(
            phase="ideas", now=timezone.now() - datetime.timedelta(hours=n)
        )
        factories.budget_round(committee=valby, title=f"Valby runde {n}", **dates)
    factories.budget_round(committee=oesterbro, phase="voting", title="Østerbro vælger")
    session = client.session
    session[OWN_COMMITTEES_SESSION_KEY] = [oesterbro.slug]
    session.save()
    for prefix, words in (("", "Vis 4 flere åbne runder og møder"), ("/en", "Show 4 more open")):
        section = _open(client.get(prefix + "/").content.decode())
        shown, later = section.split('<details class="open-now__more">')
        assert shown.count('class="card open-now__item') == 6
        assert later.count('class="card open-now__item') == 4
        assert shown.index("Østerbro vælger") < shown.index("Valby runde")
        assert words in later
        ids = re.findall(r'id="(open-[^"]+)"', section)
        assert len(ids) == len(set(ids)) == 10
        assert all(f'aria-describedby="{key}"' in section for key in ids)
