"""Staff issue letter codes from the voter roll: one ZIP with the letters (PDF) and the
supplier's manifest (CSV) of the same batch, the same codes in the same order, addresses as
imported and never a CPR number; each code then votes as its person."""

import csv
import io
import zipfile
from http import HTTPStatus

import pytest
from django.urls import reverse

from committees.models import AuditEntry
from tests import factories
from tests.voting.codes.test_codes_staff import _read_pdf
from voting import keys
from voting.codes import services as codes_services
from voting.models import Ballot, RollEntry, VotingCode
from voting.roll import services as roll

pytestmark = pytest.mark.django_db

PEOPLE = [
    ("010180-1111", "1980-01-01", "Øster Allé 1, 2100 København Ø"),
    ("020290-2222", "1990-02-02", '=HYPERLINK("x"), 2100 København Ø'),
    ("030370-3333", "1970-03-03", "Strandboulevarden 7, 2. tv., 2100 København Ø"),
]


@pytest.fixture
def on_roll(voting_round):
    roll.roll_import(
        budget_round=voting_round,
        rows=[
            {"cpr": c, "birth_date": b, "address": a, "area": voting_round.committee.name}
            for c, b, a in PEOPLE
        ],
    )
    return voting_round


def _letters(client, budget_round, batch="Breve, marts"):
    url = reverse("voting:staff_codes_letters", args=[budget_round.pk])
    return client.post(url, {"batch": batch})


def _unzip(response) -> tuple[dict, list[list[str]]]:
    assert response["Content-Type"] == "application/zip"
    assert response["Content-Disposition"].startswith("attachment;")
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    names = archive.namelist()
    [pdf_name] = [name for name in names if name.endswith(".pdf")]
    assert names == [pdf_name, pdf_name.removesuffix(".pdf") + "-manifest.csv"]
    pdf = _read_pdf(archive.read(pdf_name))
    rows = list(csv.reader(io.StringIO(archive.read(names[1]).decode("utf-8-sig"))))
    return pdf, rows


def test_letters_and_manifest_come_from_the_same_batch(client, on_roll, polling_staff, english):
    client.force_login(polling_staff)
    response = _letters(client, on_roll)
    assert response.status_code == HTTPStatus.OK
    pdf, rows = _unzip(response)
    assert rows[0] == ["letter", "code", "address", "area", "batch", "round", "instructions URL"]
    body = rows[1:]
    assert [row[0] for row in body] == ["1", "2", "3"]
    codes = [row[1] for row in body]
    assert len(pdf["pages"]) == 3
    for page, row in zip(pdf["pages"], body, strict=True):
        assert row[1] in page  # page n is row n
        assert row[2].split(",")[0].lstrip("'") in page  # the address, for a window envelope
    assert sorted(row[2] for row in body) == sorted(
        [
            "Øster Allé 1, 2100 København Ø",
            '\'=HYPERLINK("x"), 2100 København Ø',
            "Strandboulevarden 7, 2. tv., 2100 København Ø",
        ]
    )
    text = response.content.decode("latin-1") + "".join("".join(r) for r in rows)
    for cpr, _birth, _address in PEOPLE:
        assert cpr.replace("-", "") not in text and cpr not in text
    # Every code is bound to one person on the roll, and stored only as a hash.
    bound = VotingCode.objects.filter(budget_round=on_roll, roll_entry__isnull=False)
    assert sorted(bound.values_list("code_hash", flat=True)) == sorted(
        keys.code_hash(code) for code in codes
    )
    entry = AuditEntry.objects.get(action="voting.codes_issue_from_roll")
    assert entry.data == {"count": 3, "batch": "Breve, marts"}
    assert entry.actor == polling_staff


def test_a_second_batch_only_reaches_people_without_a_code(client, on_roll, polling_staff, english):
    client.force_login(polling_staff)
    _unzip(_letters(client, on_roll))
    roll.roll_import(
        budget_round=on_roll,
        rows=[
            {
                "cpr": "040485-4444",
                "birth_date": "1985-04-04",
                "address": "Ny Adresse 4",
                "area": on_roll.committee.name,
            }
        ],
    )
    _pdf, rows = _unzip(_letters(client, on_roll, batch="Tilflyttere"))
    assert [row[2] for row in rows[1:]] == ["Ny Adresse 4"]
    assert VotingCode.objects.filter(budget_round=on_roll).count() == 4
    page = client.post(reverse("voting:staff_codes_letters", args=[on_roll.pk]), {"batch": "x"})
    assert page.status_code == HTTPStatus.OK
    assert "Everyone on the voter roll has a code already." in page.content.decode()


def test_no_roll_no_letters_and_the_page_says_why(client, voting_round, polling_staff, english):
    client.force_login(polling_staff)
    page = client.get(reverse("voting:staff_codes", args=[voting_round.pk]))
    html = page.content.decode()
    assert "This round has no voter roll yet." in html
    assert "codes that belong to nobody in particular cannot be made" in html
    response = _letters(client, voting_round)
    assert response["Content-Type"].startswith("text/html")
    assert "import the municipality&#x27;s extract first" in response.content.decode()
    assert not VotingCode.objects.exists()


@pytest.mark.parametrize("kind", ["resident", "moderator elsewhere", "anonymous"])
def test_only_the_rounds_staff_issue_letters(client, committee, on_roll, kind):
    from tests.voting.codes.test_codes_staff import _person

    person = _person(kind, committee)
    if person:
        client.force_login(person)
    response = _letters(client, on_roll)
    expected = HTTPStatus.FOUND if kind == "anonymous" else HTTPStatus.FORBIDDEN
    assert response.status_code == expected
    assert not VotingCode.objects.exists()


def test_the_staff_page_counts_the_roll(client, on_roll, polling_staff, english):
    client.force_login(polling_staff)
    codes_services.codes_issue_from_roll(budget_round=on_roll, batch="Breve", limit=2)
    html = client.get(reverse("voting:staff_codes", args=[on_roll.pk])).content.decode()
    assert "The voter roll has 3 people: 2 with a letter code, 1 without." in html


def test_a_letter_code_votes_once_as_its_person(client, on_roll, polling_staff, english):
    client.force_login(polling_staff)
    _pdf, rows = _unzip(_letters(client, on_roll))
    ids = [str(p.pk) for p in on_roll.proposals.all()]
    url = reverse("voting:ballot_code", args=[on_roll.pk])
    client.logout()
    first = client.post(url, {"code": rows[1][1], "project": ids[:1]})
    assert first.status_code == HTTPStatus.FOUND
    again = client.post(url, {"code": rows[1][1], "project": ids[:1]})
    assert again.status_code == HTTPStatus.BAD_REQUEST
    assert "This code has already been used." in again.content.decode()
    assert RollEntry.objects.filter(budget_round=on_roll).count() == 3


def test_roll_rows_need_a_factory_of_their_own_round(committee):
    # The test factory binds letter codes to new people on the roll.
    vote = factories.voting_round(committee=committee)
    assert len(factories.letter_codes(budget_round=vote, count=2)) == 2
    assert RollEntry.objects.filter(budget_round=vote).count() == 2


def test_the_letter_of_a_person_who_voted_online_is_refused_on_the_page(
    client, on_roll, committee, english
):
    """The attack through the pages: vote online, then type the code from the letter."""
    [letter] = [
        letter
        for letter in codes_services.codes_issue_from_roll(budget_round=on_roll, batch="Breve")
        if letter.address.startswith("Øster Allé")
    ]
    voter = factories.verified_voter(area=committee.district, national_id=PEOPLE[0][0])
    ids = [str(p.pk) for p in on_roll.proposals.all()]
    client.force_login(voter)
    online = client.post(reverse("voting:ballot", args=[on_roll.pk]), {"project": ids[:1]})
    assert online.status_code == HTTPStatus.FOUND
    client.logout()
    url = reverse("voting:ballot_code", args=[on_roll.pk])
    refused = client.post(url, {"code": letter.code, "project": ids[:1]})
    assert refused.status_code == HTTPStatus.BAD_REQUEST
    assert "You have already voted in this round (Online)." in refused.content.decode()
    assert Ballot.objects.filter(budget_round=on_roll).count() == 1
