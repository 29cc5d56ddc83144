"""Voting in person: the voter roll, tablets, paper ballots keyed twice, reconciliation."""

import datetime
import re
from http import HTTPStatus

import pytest
from django.apps import apps
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, models, transaction
from django.urls import reverse
from django.utils import timezone, translation

from committees.models import BudgetRound, Committee, District
from tests import factories
from voting import ballot_box, services
from voting.models import Ballot, PaperEntry, Participation, PollingStation, VotingConfig
from voting.paper import services as paper
from voting.results import services as results_services

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]
BIRTH = datetime.date(1990, 1, 1)
NATIONAL_ID = "0101901234"


@pytest.fixture
def committee():
    return factories.committee("Østerbro Lokaludvalg")


@pytest.fixture
def voting_round(committee):
    return factories.voting_round(committee=committee, ballot_style="approval")


@pytest.fixture
def station(voting_round):
    return PollingStation.objects.create(budget_round=voting_round, name="Østerbro Bibliotek")


@pytest.fixture
def other_station(voting_round):
    return PollingStation.objects.create(budget_round=voting_round, name="Fælledparken")


@pytest.fixture
def staff(committee):
    return factories.polling_staff(committee=committee)


@pytest.fixture
def second_staff(committee):
    return factories.polling_staff(committee=committee)


def _ids(budget_round):
    return {p.title: str(p.pk) for p in budget_round.proposals.all()}


def _national_id(birth: datetime.date, serial: str = "1234") -> str:
    return f"{birth:%d%m%y}{serial}"


def _check_in(staff, station, national_id=NATIONAL_ID, birth=BIRTH, area=None, intent="tablet"):
    return paper.voter_check_in(
        staff=staff,
        station=station,
        national_id=national_id,
        birth_date=birth,
        area=area or station.budget_round.committee.district,
        intent=intent,
    )


# --- The voter roll ----------------------------------------------------------------------------


def test_checked_in_voter_cannot_vote_online(committee, voting_round, station, staff):
    participation = _check_in(staff, station)
    assert participation.voted_on is None and participation.channel == "paper"
    assert participation.station == station and participation.checked_in_by == staff
    assert participation.age_band == "35-49" and participation.area == committee.district
    voter = factories.verified_voter(
        area=committee.district, national_id=NATIONAL_ID, birth_date=BIRTH
    )
    eligibility = services.eligibility_online(user=voter, budget_round=voting_round)
    assert not eligibility.can_vote
    with pytest.raises(PermissionDenied):
        services.ballot_cast_online(
            user=voter, budget_round=voting_round, selection={_ids(voting_round)["Bænke"]: 1}
        )
    assert Ballot.objects.count() == 0 and Participation.objects.count() == 1


def test_online_voter_cannot_check_in(committee, voting_round, station, staff):
    voter = factories.verified_voter(
        area=committee.district, national_id=NATIONAL_ID, birth_date=BIRTH
    )
    services.ballot_cast_online(
        user=voter, budget_round=voting_round, selection={_ids(voting_round)["Bænke"]: 1}
    )
    with pytest.raises(ballot_box.AlreadyVoted, match="already voted online"):
        _check_in(staff, station)
    assert Participation.objects.count() == 1


def test_a_voter_is_checked_in_once_across_stations(voting_round, station, other_station, staff):
    _check_in(staff, station)
    with pytest.raises(ballot_box.AlreadyVoted, match="already checked in"):
        _check_in(staff, other_station)
    _check_in(staff, station, national_id="0202801111", birth=datetime.date(1980, 2, 2))
    with pytest.raises(ballot_box.AlreadyVoted, match="on a tablet|on paper|checked in"):
        _check_in(staff, other_station, national_id="020280-1111", birth=datetime.date(1980, 2, 2))


def test_under_age_and_wrong_area_are_refused_with_reasons(voting_round, station, staff):
    today = timezone.localdate()
    young = today.replace(year=today.year - 13)
    with pytest.raises(ValidationError, match="aged 15 or more"):
        _check_in(staff, station, national_id=_national_id(young), birth=young)
    valby = District.objects.create(name="Valby", slug="valby")
    with pytest.raises(ValidationError, match="Only residents of Østerbro"):
        _check_in(staff, station, area=valby)
    with pytest.raises(ValidationError, match="does not match the birth date"):
        _check_in(staff, station, birth=datetime.date(1990, 1, 2))
    with pytest.raises(ValidationError, match="ten digits"):
        _check_in(staff, station, national_id="01019012")
    assert Participation.objects.count() == 0


def test_voting_areas_of_the_round_decide_the_area(voting_round, station, staff):
    valby = factories.committee("Valby Lokaludvalg", district_name="Valby")
    # Chosen before voting opened (the areas are frozen since): written as that migration would.
    BudgetRound.voting_areas.through.objects.create(
        budgetround=voting_round, area=valby.areas.get()
    )
    assert _check_in(staff, station, area=valby.areas.get()).area == valby.district


def test_check_in_needs_staff_an_open_round_and_paper(committee, voting_round, station, staff):
    with pytest.raises(PermissionDenied):
        _check_in(factories.user(), station)
    other = factories.committee("Valby Lokaludvalg", district_name="Valby")
    with pytest.raises(PermissionDenied):
        _check_in(factories.polling_staff(committee=other), station)
    VotingConfig.objects.update_or_create(
        budget_round=voting_round, defaults={"allow_paper": False}
    )
    with pytest.raises(ValidationError, match="not voted in person"):
        _check_in(staff, station)
    closed = factories.budget_round(committee=committee, phase="results")
    closed_station = PollingStation.objects.create(budget_round=closed, name="Biblioteket")
    with pytest.raises(ValidationError, match="not open"):
        _check_in(staff, closed_station)
    moderator = factories.moderator(committee=committee)
    VotingConfig.objects.filter(budget_round=voting_round).update(allow_paper=True)
    assert _check_in(moderator, station).checked_in_by == moderator


# --- Tablets -----------------------------------------------------------------------------------


def test_tablet_vote(voting_round, station, staff):
    ids = _ids(voting_round)
    participation = _check_in(staff, station)
    with pytest.raises(ValidationError, match="Choose from 1 to 5"):
        paper.ballot_cast_at_station(staff=staff, participation=participation, selection={})
    assert Ballot.objects.count() == 0
    ballot = paper.ballot_cast_at_station(
        staff=staff, participation=participation, selection={ids["Bænke"]: 1, ids["Træer"]: 1}
    )
    assert ballot.channel == "tablet" and ballot.station == station
    assert ballot.selection == {ids["Bænke"]: 1, ids["Træer"]: 1}
    participation.refresh_from_db()
    assert participation.channel == "tablet" and participation.voted_on == timezone.localdate()
    with pytest.raises(ballot_box.AlreadyVoted, match="on a tablet"):
        paper.ballot_cast_at_station(
            staff=staff, participation=participation, selection={ids["Bænke"]: 1}
        )
    assert Ballot.objects.count() == 1


def test_paper_check_in_counts_as_voting(voting_round, station, staff):
    participation = _check_in(staff, station, intent="paper")
    assert participation.voted_on == timezone.localdate() and participation.channel == "paper"
    with pytest.raises(ballot_box.AlreadyVoted):
        paper.ballot_cast_at_station(
            staff=staff, participation=participation, selection={_ids(voting_round)["Bænke"]: 1}
        )
    waiting = _check_in(staff, station, national_id="0202801111", birth=datetime.date(1980, 2, 2))
    paper.voter_paper_handout(staff=staff, participation=waiting)
    waiting.refresh_from_db()
    assert waiting.voted_on is not None and waiting.channel == "paper"


# --- Paper ballots, keyed twice ----------------------------------------------------------------


def test_the_same_staff_member_cannot_confirm(voting_round, station, staff):
    entry = paper.paper_key(
        staff=staff,
        station=station,
        batch_number="A-17",
        selection={_ids(voting_round)["Bænke"]: 1},
    )
    assert entry.batch_number == "A-17" and entry.status == PaperEntry.Status.PENDING
    with pytest.raises(ValidationError, match="Another staff member"):
        paper.paper_confirm(staff=staff, entry=entry, selection=entry.selection)
    with pytest.raises(IntegrityError), transaction.atomic():
        PaperEntry.objects.filter(pk=entry.pk).update(checked_by=staff)
    assert Ballot.objects.count() == 0


def test_mismatch_counts_nothing_and_a_match_counts_once(
    voting_round, station, staff, second_staff
):
    ids = _ids(voting_round)
    entry = paper.paper_key(
        staff=staff, station=station, batch_number="17", selection={ids["Bænke"]: 1}
    )
    with pytest.raises(ValidationError, match="already been keyed"):
        paper.paper_key(
            staff=second_staff, station=station, batch_number=" 17", selection={ids["Træer"]: 1}
        )
    with pytest.raises(paper.PaperMismatch, match="Find the paper ballot and key it again"):
        paper.paper_confirm(staff=second_staff, entry=entry, selection={ids["Træer"]: 1})
    entry.refresh_from_db()
    assert entry.status == PaperEntry.Status.MISMATCH and Ballot.objects.count() == 0
    with pytest.raises(ValidationError, match="not waiting"):
        paper.paper_confirm(staff=second_staff, entry=entry, selection={ids["Bænke"]: 1})

    # Key it again: a new first keying under the same number, then a matching second one.
    again = paper.paper_key(
        staff=second_staff, station=station, batch_number="17", selection={ids["Bænke"]: 1}
    )
    assert again.pk == entry.pk and again.status == PaperEntry.Status.PENDING
    accepted = paper.paper_confirm(staff=staff, entry=again, selection={ids["Bænke"]: 1})
    assert accepted.status == PaperEntry.Status.ACCEPTED and accepted.checked_by == staff
    ballot = Ballot.objects.get()
    assert ballot.channel == "paper" and ballot.station == station
    assert ballot.entered_by == second_staff and ballot.selection == {ids["Bænke"]: 1}
    with pytest.raises(ValidationError, match="not waiting"):
        paper.paper_confirm(staff=staff, entry=again, selection={ids["Bænke"]: 1})
    assert Ballot.objects.count() == 1


def test_the_second_keying_is_blind(client, voting_round, station, staff, second_staff):
    """The second keyer types what the paper says; "confirm what the first keyer typed" is no
    longer offered, neither by the service nor by the page, which never shows the first keying."""
    ids = _ids(voting_round)
    entry = paper.paper_key(
        staff=staff, station=station, batch_number="BLIND-A", selection={ids["Træer"]: 1}
    )
    with pytest.raises(ValidationError, match="Key the paper ballot again"):
        paper.paper_confirm(staff=second_staff, entry=entry, selection=None)
    client.force_login(second_staff)
    url = reverse("voting:paper_confirm", args=[station.pk, entry.pk])
    page = client.get(url)
    assert page.status_code == HTTPStatus.OK
    assert "Key the paper ballot again" in page.text
    assert not re.search(r"\bchecked\b", page.text)  # nothing ticked in advance
    assert "confirm_as_keyed" not in page.text
    # The old shortcut, posted by hand, keys nothing: no selection is a refused keying.
    client.post(url, {"confirm_as_keyed": ""})
    entry.refresh_from_db()
    assert entry.status == PaperEntry.Status.PENDING and Ballot.objects.count() == 0
    # The page is the same whatever the first keyer entered: nothing of it can leak.
    other = paper.paper_key(
        staff=staff, station=station, batch_number="BLIND-B", selection={ids["Bænke"]: 1}
    )
    other_page = client.get(reverse("voting:paper_confirm", args=[station.pk, other.pk]))

    def neutral(html: str, number: str, pk: int) -> str:
        html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)
        return html.replace(f"papir/{pk}/", "papir/PK/").replace(number, "N")

    assert neutral(page.text, "BLIND-A", entry.pk) == neutral(other_page.text, "BLIND-B", other.pk)
    # A differing keying is refused, and counts nothing.
    differs = client.post(url, {f"p_{ids['Bænke']}": "on", "key_again": ""}, follow=True)
    assert "Find the paper ballot and key it again" in differs.text
    assert Ballot.objects.count() == 0
    again = paper.paper_key(
        staff=second_staff, station=station, batch_number="BLIND-A", selection={ids["Træer"]: 1}
    )
    paper.paper_confirm(staff=staff, entry=again, selection={ids["Træer"]: 1})
    assert Ballot.objects.get().selection == {ids["Træer"]: 1}


def test_an_invalid_paper_ballot_is_not_keyed(voting_round, station, staff):
    ids = _ids(voting_round)
    with pytest.raises(ValidationError, match="Choose from 1 to 5"):
        paper.paper_key(staff=staff, station=station, batch_number="19", selection={})
    with pytest.raises(ValidationError, match="not on it"):
        paper.paper_key(staff=staff, station=station, batch_number="19", selection={"0": 1})
    with pytest.raises(PermissionDenied):
        paper.paper_key(
            staff=factories.user(), station=station, batch_number="19", selection={ids["Bænke"]: 1}
        )
    assert PaperEntry.objects.count() == 0


# --- Reconciliation ----------------------------------------------------------------------------


def test_reconciliation_per_station(voting_round, station, other_station, staff, second_staff):
    ids = _ids(voting_round)
    births = [datetime.date(1980 + n, 3, 3) for n in range(6)]
    for n in range(2):
        participation = _check_in(staff, station, _national_id(births[n]), births[n])
        paper.ballot_cast_at_station(
            staff=staff, participation=participation, selection={ids["Bænke"]: 1}
        )
    _check_in(staff, station, _national_id(births[2]), births[2], intent="paper")
    _check_in(staff, station, _national_id(births[3]), births[3])  # waiting
    accepted = paper.paper_key(
        staff=staff, station=station, batch_number="1", selection={ids["Træer"]: 1}
    )
    paper.paper_confirm(staff=second_staff, entry=accepted, selection={ids["Træer"]: 1})
    paper.paper_key(staff=staff, station=station, batch_number="2", selection={ids["Træer"]: 1})

    _check_in(staff, other_station, _national_id(births[4]), births[4], intent="paper")
    _check_in(staff, other_station, _national_id(births[5]), births[5], intent="paper")
    differs = paper.paper_key(
        staff=staff, station=other_station, batch_number="1", selection={ids["Træer"]: 1}
    )
    with pytest.raises(paper.PaperMismatch):
        paper.paper_confirm(staff=second_staff, entry=differs, selection={ids["Bænke"]: 1})

    rows = {
        row["station"].name: row for row in paper.station_reconciliation(budget_round=voting_round)
    }
    first = rows["Østerbro Bibliotek"]
    assert first == first | {
        "checked_in": 4,
        "waiting": 1,
        "voted": 3,
        "voted_tablet": 2,
        "voted_paper": 1,
        "tablet_ballots": 2,
        "paper_accepted": 1,
        "paper_pending": 1,
        "paper_mismatch": 0,
        "ballots": 3,
        "balanced": True,
    }
    second = rows["Fælledparken"]
    assert second == second | {
        "checked_in": 2,
        "voted": 2,
        "voted_paper": 2,
        "tablet_ballots": 0,
        "paper_accepted": 0,
        "paper_pending": 0,
        "paper_mismatch": 1,
        "ballots": 0,
        "balanced": False,
    }


# --- Secrecy -----------------------------------------------------------------------------------


def _text_columns(model) -> list[str]:
    return [
        field.attname
        for field in model._meta.concrete_fields
        if isinstance(field, models.CharField | models.TextField | models.JSONField)
    ]


def test_the_national_id_is_never_stored(
    client, committee, voting_round, station, staff, second_staff
):
    ids = _ids(voting_round)
    tablet = _check_in(staff, station)
    paper.ballot_cast_at_station(staff=staff, participation=tablet, selection={ids["Bænke"]: 1})
    other = "0202801111"
    _check_in(
        staff, station, national_id="020280-1111", birth=datetime.date(1980, 2, 2), intent="paper"
    )
    entry = paper.paper_key(
        staff=staff, station=station, batch_number="5", selection={ids["Træer"]: 1}
    )
    paper.paper_confirm(staff=second_staff, entry=entry, selection={ids["Træer"]: 1})
    # And through the check-in page, including a refused check-in.
    Committee.objects.filter(pk=committee.pk).update(slug="oesterbro-lokaludvalg")
    client.force_login(staff)
    third = "0303703333"
    data = {"national_id": third, "birth_date": "1970-03-03", "postcode": "2100", "intent": "paper"}
    client.post(reverse("voting:paper_station", args=[station.pk]), data)
    client.post(reverse("voting:paper_station", args=[station.pk]), data)
    assert Participation.objects.count() == 3

    for model in (Participation, PaperEntry, Ballot):
        columns = _text_columns(model)
        assert columns
        for row in model.objects.values_list(*columns):
            stored = " ".join(str(value) for value in row)
            for national_id in (NATIONAL_ID, other, third):
                assert national_id not in stored
                assert f"{national_id[:6]}-{national_id[6:]}" not in stored
    # Nor anywhere else: every text column of every model.
    for model in apps.get_models():
        columns = _text_columns(model)
        if columns:
            stored = " ".join(str(v) for row in model.objects.values_list(*columns) for v in row)
            assert all(n not in stored for n in (NATIONAL_ID, other, third)), model


# --- Pages -------------------------------------------------------------------------------------


@pytest.fixture
def pages(voting_round, station, staff, second_staff):
    participation = _check_in(staff, station)
    entry = paper.paper_key(
        staff=second_staff,
        station=station,
        batch_number="9",
        selection={_ids(voting_round)["Bænke"]: 1},
    )
    return {
        "paper_station": [station.pk],
        "paper_tablet": [station.pk, participation.pk],
        "paper_key": [station.pk],
        "paper_confirm": [station.pk, entry.pk],
        "paper_reconciliation": [voting_round.pk],
    }


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("anonymous", HTTPStatus.FOUND),
        ("resident", HTTPStatus.FORBIDDEN),
        ("staff_elsewhere", HTTPStatus.FORBIDDEN),
        ("staff", HTTPStatus.OK),
        ("moderator", HTTPStatus.OK),
        ("superuser", HTTPStatus.OK),
    ],
)
def test_who_may_open_the_station_pages(client, committee, staff, pages, who, expected):
    people = {
        "resident": factories.user,
        "staff_elsewhere": lambda: factories.polling_staff(
            committee=factories.committee("Valby Lokaludvalg")
        ),
        "staff": lambda: staff,
        "moderator": lambda: factories.moderator(committee=committee),
        "superuser": lambda: factories.user(is_superuser=True, is_staff=True),
    }
    if who != "anonymous":
        client.force_login(people[who]())
    for name, args in pages.items():
        response = client.get(reverse(f"voting:{name}", args=args))
        assert response.status_code == expected, name
        if who == "anonymous":
            assert "/konto/login/" in response["Location"]
        # And nobody outside the committee can post to them either.
        if expected != HTTPStatus.OK:
            assert client.post(reverse(f"voting:{name}", args=args), {}).status_code == expected


def test_pages_render_in_danish_and_english(client, staff, pages):
    client.force_login(staff)
    with translation.override("da"):
        danish = client.get(reverse("voting:paper_station", args=pages["paper_station"]))
    assert danish.status_code == HTTPStatus.OK and danish.request["PATH_INFO"].startswith(
        "/afstemning/"
    )
    assert 'lang="da"' in danish.text and "Gå til sidens indhold" in danish.text
    assert "csrfmiddlewaretoken" in danish.text
    assert "no-store" in danish["Cache-Control"]
    for name, args in pages.items():
        with translation.override("en"):
            english = client.get(reverse(f"voting:{name}", args=args))
        assert english.status_code == HTTPStatus.OK, name
        assert english.request["PATH_INFO"].startswith("/en/") and 'lang="en"' in english.text
    with translation.override("en"):
        english = client.get(reverse("voting:paper_station", args=pages["paper_station"]))
    assert "Check in voters" in english.text and "Skip to the content" in english.text


def test_check_in_tablet_and_paper_through_the_pages(
    client, committee, voting_round, station, staff, second_staff
):
    ids = _ids(voting_round)
    Committee.objects.filter(pk=committee.pk).update(slug="oesterbro-lokaludvalg")
    client.force_login(staff)
    url = reverse("voting:paper_station", args=[station.pk])
    data = {
        "national_id": "010190-1234",
        "birth_date": "1990-01-01",
        "postcode": "2100",
        "intent": "tablet",
    }

    refused = client.post(url, data | {"postcode": "2000"})
    assert refused.status_code == HTTPStatus.OK and "not in the City of Copenhagen" in refused.text
    assert "010190-1234" not in refused.text and Participation.objects.count() == 0
    young = client.post(url, data | {"national_id": "0101201234", "birth_date": "2020-01-01"})
    assert "aged 15 or more" in young.text and "0101201234" not in young.text

    response = client.post(url, data)
    participation = Participation.objects.get()
    tablet = reverse("voting:paper_tablet", args=[station.pk, participation.pk])
    assert response.status_code == HTTPStatus.FOUND and response["Location"] == tablet
    again = client.post(url, data)
    assert "already checked in" in again.text
    page = client.get(tablet)
    assert "Bænke" in page.text and 'type="checkbox"' in page.text
    nothing = client.post(tablet, {"vote": ""})
    assert "The ballot was not cast" in nothing.text and Ballot.objects.count() == 0
    voted = client.post(tablet, {f"p_{ids['Bænke']}": "on", "vote": ""}, follow=True)
    assert "receipt code" in voted.text
    assert Ballot.objects.get().channel == "tablet"

    key_url = reverse("voting:paper_key", args=[station.pk])
    keyed = client.post(key_url, {"batch_number": "42", f"p_{ids['Træer']}": "on"})
    assert keyed.status_code == HTTPStatus.FOUND
    entry = PaperEntry.objects.get()
    confirm_url = reverse("voting:paper_confirm", args=[station.pk, entry.pk])
    assert "Another staff member must" in client.get(confirm_url).text

    client.force_login(second_staff)
    queue = client.get(key_url)
    assert confirm_url in queue.text
    blind = client.get(confirm_url)
    assert "Key the paper ballot again" in blind.text
    differs = client.post(confirm_url, {f"p_{ids['Bænke']}": "on", "key_again": ""}, follow=True)
    assert "Find the paper ballot and key it again" in differs.text
    assert Ballot.objects.count() == 1
    client.post(key_url, {"batch_number": "42", f"p_{ids['Træer']}": "on"})
    client.force_login(staff)
    counted = client.post(confirm_url, {f"p_{ids['Træer']}": "on", "key_again": ""}, follow=True)
    assert "is counted" in counted.text
    paper_ballot = Ballot.objects.get(channel="paper")
    assert paper_ballot.station == station and paper_ballot.entered_by == second_staff

    table = client.get(reverse("voting:paper_reconciliation", args=[voting_round.pk]))
    assert "Østerbro Bibliotek" in table.text


def test_a_postcode_outside_the_round_is_refused(client, committee, station, staff):
    Committee.objects.filter(pk=committee.pk).update(slug="oesterbro-lokaludvalg")
    factories.committee("Valby Lokaludvalg", district_name="Valby")
    Committee.objects.filter(name="Valby Lokaludvalg").update(slug="valby-lokaludvalg")
    client.force_login(staff)
    response = client.post(
        reverse("voting:paper_station", args=[station.pk]),
        {
            "national_id": NATIONAL_ID,
            "birth_date": "1990-01-01",
            "postcode": "2500",
            "intent": "paper",
        },
    )
    assert "Only residents of Østerbro" in response.text
    assert Participation.objects.count() == 0


# --- After the close ---------------------------------------------------------------------------


def test_paper_ballots_are_keyed_after_the_close_until_the_result_is_confirmed(
    committee, voting_round, station, staff, second_staff
):
    ids = _ids(voting_round)
    late = paper.paper_key(
        staff=staff, station=station, batch_number="41", selection={ids["Bænke"]: 1}
    )
    factories.voting_closes(voting_round)
    moderator = factories.moderator(committee=committee)
    # A ballot still waiting for its second keying holds the result back.
    with pytest.raises(ValidationError, match="1 paper ballot still waits"):
        results_services.result_confirm(moderator=moderator, budget_round=voting_round)
    paper.paper_confirm(staff=second_staff, entry=late, selection={ids["Bænke"]: 1})
    after = paper.paper_key(
        staff=second_staff, station=station, batch_number="42", selection={ids["Træer"]: 1}
    )
    paper.paper_confirm(staff=staff, entry=after, selection={ids["Træer"]: 1})
    assert Ballot.objects.filter(budget_round=voting_round, channel="paper").count() == 2

    results_services.result_confirm(moderator=moderator, budget_round=voting_round)
    with pytest.raises(ValidationError, match="result is confirmed"):
        paper.paper_key(
            staff=staff, station=station, batch_number="43", selection={ids["Bænke"]: 1}
        )
    # Check-in, unlike keying, ends with voting.
    with pytest.raises(ValidationError, match="not open"):
        _check_in(staff, station)


def test_tablet_and_paper_ballots_reach_live_displays_after_commit(
    voting_round, station, staff, second_staff, monkeypatch, django_capture_on_commit_callbacks
):
    from voting.live import broadcast

    sent = []
    monkeypatch.setattr(broadcast, "publish", sent.append)
    ids = _ids(voting_round)
    with django_capture_on_commit_callbacks(execute=True):
        participation = _check_in(staff, station)
    assert sent == []  # a check-in changes no figure on the display
    with django_capture_on_commit_callbacks(execute=False) as pending:
        paper.ballot_cast_at_station(
            staff=staff, participation=participation, selection={ids["Bænke"]: 1}
        )
    assert sent == [] and len(pending) == 1  # nothing before the commit
    pending[0]()
    assert sent == [f"live-round-{voting_round.pk}"]
    with django_capture_on_commit_callbacks(execute=True):
        entry = paper.paper_key(
            staff=staff, station=station, batch_number="7", selection={ids["Træer"]: 1}
        )
    assert len(sent) == 1  # the first keying counts nothing yet
    with django_capture_on_commit_callbacks(execute=True):
        paper.paper_confirm(staff=second_staff, entry=entry, selection={ids["Træer"]: 1})
    assert sent == [f"live-round-{voting_round.pk}"] * 2
