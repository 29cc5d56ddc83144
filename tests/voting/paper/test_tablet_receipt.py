"""A tablet vote at a polling station: the receipt code is for the voter's eyes only.

The tablet is the staff member's logged-in browser, handed to the voter. The code is shown on
the tablet in the response to the vote and nowhere else: not in a message the staff's next
page shows, not in the session, not in a cookie, not in a page staff can open again.
"""

from http import HTTPStatus

import pytest
from django.test import override_settings
from django.urls import reverse

from tests.voting.conftest import project_ids
from voting import keys, selectors
from voting.models import Channel, Participation, PollingStation

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


@pytest.mark.parametrize("mix", [0, 3], ids=["written-at-once", "through-the-mixing-buffer"])
def test_the_staff_never_see_the_receipt_of_a_tablet_vote(client, voting_round, polling_staff, mix):
    station = PollingStation.objects.create(budget_round=voting_round, name="Bibliotek")
    waiting = Participation.objects.create(
        budget_round=voting_round,
        voter_key=keys.voter_key(round_id=voting_round.pk, person="person:tablet-voter"),
        channel=Channel.PAPER,
        voted_on=None,
        station=station,
        checked_in_by=polling_staff,
    )
    client.force_login(polling_staff)
    tablet = reverse("voting:paper_tablet", args=[station.pk, waiting.pk])
    station_page = reverse("voting:paper_station", args=[station.pk])
    with override_settings(BALLOT_MIX_SIZE=mix):
        shown = client.post(tablet, {f"p_{project_ids(voting_round)['Bænke']}": "on", "vote": ""})
        [ballot] = selectors.round_ballot_rows(budget_round=voting_round)
    code = ballot.receipt_code
    assert ballot.channel == Channel.TABLET

    # The voter sees it on the tablet, in this one response, which no cache keeps.
    assert shown.status_code == HTTPStatus.OK and code in shown.text
    assert "no-store" in shown["Cache-Control"]
    assert f'href="{station_page}"' in shown.text  # "Done" hands the tablet back

    # Nothing the staff member opens next holds it, nor anything kept for their browser.
    pages = [
        client.get(station_page),
        client.get(tablet, follow=True),
        client.get(reverse("voting:paper_reconciliation", args=[voting_round.pk])),
        client.get(reverse("voting:paper_key", args=[station.pk])),
    ]
    for page in pages:
        assert page.status_code == HTTPStatus.OK
        assert code not in page.text
    assert "This voter has already voted" in pages[1].text
    assert code not in str(dict(client.session.items()))
    assert all(code not in cookie.value for cookie in client.cookies.values())
    # Posting the vote again (the browser's back button) shows nothing either.
    again = client.post(tablet, {f"p_{project_ids(voting_round)['Træer']}": "on", "vote": ""})
    assert code not in again.text
