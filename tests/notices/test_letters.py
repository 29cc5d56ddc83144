"""Paper letters of a round's notices for the residents on the voter roll without e-mail."""

import io
import zipfile

import pytest
from django.core.management import CommandError, call_command

from committees.models import AuditEntry
from frontend.letters import pdf_text
from notices.letters import letters_of, notice_letters, roll_without_email
from tests import factories
from voting import keys
from voting.models import RollEntry

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    committee = factories.committee("Valby Lokaludvalg", district_name="Valby")
    budget_round = factories.budget_round(committee=committee, phase="review")
    online = factories.verified_voter(area=committee.district)
    key = keys.voter_key(round_id=budget_round.pk, person=online.verified_identity.person_key)
    RollEntry.objects.create(
        budget_round=budget_round,
        voter_key=key,
        birth_date="1990-01-01",
        address="Valby Langgade 1, 2500 Valby",
    )
    for number, address in enumerate(("Toftegårds Allé 2, 2500 Valby", "=HYPERLINK(1)")):
        RollEntry.objects.create(
            budget_round=budget_round,
            voter_key=f"{number:064d}",
            birth_date="1980-01-01",
            address=address,
        )
    return budget_round


def test_only_residents_without_an_account_get_a_letter(world):
    addresses = [entry.address for entry in roll_without_email(budget_round=world)]
    assert addresses == ["=HYPERLINK(1)", "Toftegårds Allé 2, 2500 Valby"]


def test_the_zip_holds_one_pdf_page_per_letter_and_a_manifest_in_the_same_order(world):
    archive, count = notice_letters(budget_round=world, kind="voting_opens")
    assert count == 2
    files = zipfile.ZipFile(io.BytesIO(archive))
    names = sorted(files.namelist())
    assert names == [f"voting_opens-{world.pk}-da.pdf", f"voting_opens-{world.pk}-manifest.csv"]
    pdf = files.read(names[0])
    assert pdf.startswith(b"%PDF-1.4") and pdf.rstrip().endswith(b"%%EOF")
    assert pdf.count(b"/Type /Page ") == 2
    assert pdf_text("Toftegårds Allé 2")[1:-1] in pdf  # WinAnsi, escaped
    assert pdf_text("Afstemningen åbner")[1:-1] in pdf  # Danish: the roll knows no language
    manifest = files.read(names[1]).decode("utf-8-sig").splitlines()
    assert len(manifest) == 3
    assert manifest[1].startswith("1,'=HYPERLINK(1)")  # a formula stays text in a spreadsheet
    assert manifest[1].endswith(f",da,voting_opens-{world.pk}-da.pdf")
    assert manifest[2].startswith('2,"Toftegårds Allé 2, 2500 Valby"')


def test_a_letter_is_in_the_language_of_an_account_that_cannot_be_emailed(world):
    """A person who verified with an account that has no e-mail to write to (here: closed)
    gets the letter in that account's language; the rest stay Danish."""
    english = factories.verified_voter(area=world.committee.district, preferred_language="en")
    english.is_active = False
    english.save()
    person = english.verified_identity.person_key
    RollEntry.objects.create(
        budget_round=world,
        voter_key=keys.voter_key(round_id=world.pk, person=person),
        birth_date="1970-01-01",
        address="Ålholmvej 3, 2500 Valby",
    )
    letters = letters_of(budget_round=world)
    assert [(item.address, item.language, item.number) for item in letters] == [
        ("=HYPERLINK(1)", "da", 1),
        ("Toftegårds Allé 2, 2500 Valby", "da", 2),
        ("Ålholmvej 3, 2500 Valby", "en", 1),
    ]
    archive, count = notice_letters(budget_round=world, kind="voting_closes")
    assert count == 3
    files = zipfile.ZipFile(io.BytesIO(archive))
    english_pdf = files.read(f"voting_closes-{world.pk}-en.pdf")
    danish_pdf = files.read(f"voting_closes-{world.pk}-da.pdf")
    assert english_pdf.count(b"/Type /Page ") == 1 and danish_pdf.count(b"/Type /Page ") == 2
    assert pdf_text("Voting closes soon")[1:-1] in english_pdf
    assert b"/en/afstemning/" in english_pdf  # the link in the reader's language too
    assert pdf_text("Ålholmvej 3")[1:-1] in english_pdf
    assert pdf_text("Ålholmvej 3")[1:-1] not in danish_pdf
    manifest = files.read(f"voting_closes-{world.pk}-manifest.csv").decode("utf-8-sig")
    assert manifest.splitlines()[0].split(",")[-2:] == ["sprog", "fil"]
    assert '1,"Ålholmvej 3, 2500 Valby",,voting_closes,' in manifest


def test_a_notice_without_a_letter_is_refused(world):
    with pytest.raises(ValueError):
        notice_letters(budget_round=world, kind="results")


def test_the_command_writes_the_zip_and_audits_the_batch(world, tmp_path, capsys):
    out = tmp_path / "breve.zip"
    call_command("notice_letters", round_id=world.pk, notice="voting_closes", out=out)
    assert zipfile.is_zipfile(out)
    assert "Letters: 2" in capsys.readouterr().out
    entry = AuditEntry.objects.get(action="notices.letters")
    assert entry.data == {"notice": "voting_closes", "count": 2}
    with pytest.raises(CommandError):
        call_command("notice_letters", round_id=999_999, notice="voting_opens", out=out)
