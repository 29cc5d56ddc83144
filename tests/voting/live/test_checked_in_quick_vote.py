"""A quick vote counted once per checked-in voter: polling staff pick the waiting voter on the
station's tablet, and the answer is keyed by that person's voter key on the round's roll."""

import datetime
from http import HTTPStatus

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from tests import factories
from tests.races import release_together
from voting.live import services as live
from voting.live.selectors import quick_vote_station_voters
from voting.models import Participation, PollingStation, QuickVote, QuickVoteAnswer
from voting.paper import services as paper

BIRTH = datetime.date(1990, 1, 1)


def _national_id(serial: int) -> str:
    return f"{BIRTH:%d%m%y}{serial:04d}"


def _check_in(staff, station, serial=1234, intent="tablet"):
    return paper.voter_check_in(
        staff=staff,
        station=station,
        national_id=_national_id(serial),
        birth_date=BIRTH,
        area=station.budget_round.committee.district,
        intent=intent,
    )


@pytest.fixture
def room(voting_round):
    """A meeting at a polling station of its committee's round, with a host and two staff."""
    meeting = factories.meeting(committee=voting_round.committee, budget_round=voting_round)
    station = PollingStation.objects.create(budget_round=voting_round, name="Østerbro Bibliotek")
    other = PollingStation.objects.create(budget_round=voting_round, name="Fælledparken")
    host = factories.meeting_host(committee=meeting.committee)
    return {
        "meeting": meeting,
        "station": station,
        "other": other,
        "host": host,
        "staff": factories.polling_staff(committee=meeting.committee),
        "second": factories.polling_staff(committee=meeting.committee),
    }


def _start(room, kind="yes_no"):
    vote, _codes = live.quick_vote_start(
        user=room["host"],
        meeting=room["meeting"],
        question="Flere bænke ved søen?",
        kind=kind,
        counted_by=QuickVote.CountedBy.CHECKED_IN,
    )
    return vote


def _answer(room, vote, participation, choice=0, staff=None, station=None):
    return live.quick_vote_answer_checked_in(
        staff=staff or room["staff"],
        quick_vote=vote,
        station=station or room["station"],
        participation=participation,
        choice=choice,
    )


@pytest.mark.django_db
def test_each_checked_in_voter_answers_once_whoever_holds_the_tablet(room):
    vote = _start(room)
    first = _check_in(room["staff"], room["station"], 1)
    second = _check_in(room["staff"], room["station"], 2, intent="paper")  # voted today
    _answer(room, vote, first, choice=0)
    _answer(room, vote, second, choice=1, staff=room["second"])
    with pytest.raises(ValidationError) as again:
        _answer(room, vote, first, choice=1, staff=room["second"])
    assert again.value.code == "already"
    assert again.value.messages == [_("This voter has already answered this quick vote.")]
    assert live.quick_vote_counts(quick_vote=vote) == [1, 1, 0]
    rows = quick_vote_station_voters(quick_vote=vote, station=room["station"])
    assert [(row["participation"].pk, row["answered"]) for row in rows] == [
        (first.pk, True),
        (second.pk, True),
    ]


@pytest.mark.django_db
def test_the_answer_holds_the_persons_key_not_the_participation(room):
    vote = _start(room)
    participation = _check_in(room["staff"], room["station"], 1)
    answer = _answer(room, vote, participation)
    assert participation.voter_key not in answer.voter_key
    assert all(
        getattr(field, "related_model", None) is not Participation
        for field in QuickVoteAnswer._meta.get_fields()
    )


@pytest.mark.django_db
def test_a_phone_cannot_answer_for_anyone_on_the_roll(room):
    vote = _start(room)
    resident = factories.user()
    for kwargs in ({"user": resident}, {"device_token": "a-device"}, {"code": "ABCD"}):
        with pytest.raises(ValidationError) as refused:
            live.quick_vote_answer(quick_vote=vote, choice=0, **kwargs)
        assert refused.value.code == "station"
    assert not QuickVoteAnswer.objects.exists()


@pytest.mark.django_db
def test_only_the_rounds_polling_staff_at_the_voters_station(room, voting_round):
    vote = _start(room)
    participation = _check_in(room["staff"], room["station"], 1)
    outsider = factories.polling_staff(committee=factories.committee("Amager Vest Lokaludvalg"))
    for who in (room["host"], factories.user(), outsider):
        with pytest.raises(PermissionDenied):
            _answer(room, vote, participation, staff=who)
    with pytest.raises(ValidationError) as elsewhere:  # checked in at another station
        _answer(room, vote, participation, station=room["other"])
    assert elsewhere.value.code == "not_checked_in"
    foreign_round = factories.voting_round(committee=voting_round.committee, title="Anden runde")
    foreign_station = PollingStation.objects.create(budget_round=foreign_round, name="Andet sted")
    with pytest.raises(PermissionDenied):
        _answer(room, vote, participation, station=foreign_station)
    online = Participation.objects.create(
        budget_round=voting_round, voter_key="x" * 64, channel="online", voted_on=timezone.now()
    )
    with pytest.raises(ValidationError) as not_checked_in:
        _answer(room, vote, online)
    assert not_checked_in.value.code == "not_checked_in"
    assert not QuickVoteAnswer.objects.exists()


@pytest.mark.django_db
def test_a_voter_checked_in_on_an_earlier_day_and_gone_home_is_not_answered_for(room):
    vote = _start(room)
    waiting = _check_in(room["staff"], room["station"], 1)
    voted_before = _check_in(room["staff"], room["station"], 2, intent="paper")
    Participation.objects.filter(pk=voted_before.pk).update(
        voted_on=timezone.localdate() - datetime.timedelta(days=1)
    )
    with pytest.raises(ValidationError) as gone:
        _answer(room, vote, voted_before)
    assert gone.value.code == "gone"
    rows = quick_vote_station_voters(quick_vote=vote, station=room["station"])
    assert [row["participation"].pk for row in rows] == [waiting.pk]


@pytest.mark.django_db
def test_counting_per_checked_in_voter_needs_the_rounds_polling_stations(room):
    PollingStation.objects.all().delete()
    with pytest.raises(ValidationError) as refused:
        _start(room)
    assert refused.value.code == "by"


@pytest.mark.django_db
def test_a_closed_vote_takes_no_more_answers(room):
    vote = _start(room)
    participation = _check_in(room["staff"], room["station"], 1)
    live.quick_vote_close(user=room["host"], quick_vote=vote)
    with pytest.raises(ValidationError) as closed:
        _answer(room, vote, participation)
    assert closed.value.code == "closed"


@pytest.mark.django_db
def test_the_tablet_pages(client, room):
    vote = _start(room)
    participation = _check_in(room["staff"], room["station"], 1)
    station_url = reverse("voting:live_station", args=[room["meeting"].pk, room["station"].pk])
    answer_url = reverse(
        "voting:live_station_answer",
        args=[room["meeting"].pk, room["station"].pk, participation.pk],
    )
    client.force_login(factories.user())
    assert client.get(station_url).status_code == HTTPStatus.FORBIDDEN
    assert client.post(answer_url, {"quick_vote": vote.pk, "choice": 0}).status_code == 403
    client.force_login(room["staff"])
    check_in = reverse("voting:paper_station", args=[room["station"].pk])
    assert station_url in client.get(check_in).content.decode()  # where staff land
    page = client.get(station_url).content.decode()
    assert answer_url in page and vote.question in page
    response = client.post(answer_url, {"quick_vote": vote.pk, "choice": 1})
    assert response.status_code == HTTPStatus.FOUND
    assert live.quick_vote_counts(quick_vote=vote) == [0, 1, 0]
    assert answer_url not in client.get(station_url).content.decode()
    again = client.post(answer_url, {"quick_vote": vote.pk, "choice": 0})
    assert again.status_code == HTTPStatus.BAD_REQUEST
    assert _("This voter has already answered this quick vote.") in again.content.decode()
    join = client.get(reverse("voting:live_join", args=[room["meeting"].pk])).content.decode()
    assert 'name="choice"' not in join  # the phone page points to the tablet


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_tablets_answering_for_one_person_at_once_count_one_answer():
    committee = factories.committee("Østerbro Lokaludvalg")
    budget_round = factories.voting_round(committee=committee)
    meeting = factories.meeting(committee=committee, budget_round=budget_round)
    station = PollingStation.objects.create(budget_round=budget_round, name="Østerbro Bibliotek")
    room = {
        "meeting": meeting,
        "station": station,
        "host": factories.meeting_host(committee=committee),
        "staff": factories.polling_staff(committee=committee),
        "second": factories.polling_staff(committee=committee),
    }
    vote = _start(room)
    for repetition in range(10):
        participation = _check_in(room["staff"], station, repetition)
        race = release_together(
            *[
                lambda participation=participation, staff=staff: _answer(
                    room, vote, participation, choice=0, staff=staff
                )
                for staff in (room["staff"], room["second"])
            ]
        )
        assert race.errors == []
        assert len(race.results) == 1
        assert race.refusal_codes == ["already"]
    assert QuickVoteAnswer.objects.filter(quick_vote=vote).count() == 10


@pytest.mark.parametrize("language", ["da", "en"])
def test_a_voter_number_is_written_as_a_number_not_an_amount(client, room, language):
    """Staff read the number off the screen to pick the voter: 12345, never "12.345"."""
    _start(room)
    checked_in = _check_in(room["staff"], room["station"], 1)
    Participation.objects.filter(pk=checked_in.pk).update(id=12345)
    client.force_login(room["staff"])
    prefix = "" if language == "da" else "/en"
    pages = [
        reverse("voting:live_station", args=[room["meeting"].pk, room["station"].pk]),
        reverse("voting:live_station_answer", args=[room["meeting"].pk, room["station"].pk, 12345]),
        reverse("voting:paper_station", args=[room["station"].pk]),
    ]
    for url in pages:
        html = client.get(prefix + url.removeprefix("/en")).content.decode()
        assert "12345" in html and "12.345" not in html and "12,345" not in html, url
