"""`manage.py voter_roll_import`: the municipality's extract onto a round's roll, every bad line
named, nothing half-imported, and never a CPR number in the database."""

import datetime
from io import StringIO

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.db import connection

from committees.models import AuditEntry
from tests import factories
from voting import keys
from voting.models import RollEntry, VotingConfig
from voting.roll import services as roll

pytestmark = pytest.mark.django_db

GOOD = (
    "cpr;fødselsdato;adresse;område\n"
    "010180-1111;01-01-1980;Øster Allé 1, 2100 København Ø;Østerbro Lokaludvalg\n"
    "\n"
    "0202901234;1990-02-02;Strandboulevarden 7, 2100 København Ø;ØSTERBRO LOKALUDVALG\n"
    "030310-3333;03.03.2010;;østerbro lokaludvalg\n"
)


def _import(budget_round, text: str, tmp_path, encoding="utf-8-sig") -> str:
    path = tmp_path / "roll.csv"
    path.write_bytes(text.encode(encoding))
    out = StringIO()
    call_command("voter_roll_import", str(budget_round.pk), str(path), stdout=out)
    return out.getvalue()


def test_the_extract_goes_on_the_roll_as_keyed_hashes(voting_round, committee, tmp_path):
    out = _import(voting_round, GOOD, tmp_path)
    assert "3 people put on the voter roll" in out
    entries = {e.birth_date: e for e in RollEntry.objects.filter(budget_round=voting_round)}
    assert sorted(entries) == [
        datetime.date(1980, 1, 1),
        datetime.date(1990, 2, 2),
        datetime.date(2010, 3, 3),
    ]
    first = entries[datetime.date(1980, 1, 1)]
    # The same key as online and at a station for the same CPR number.
    assert first.voter_key == keys.voter_key(
        round_id=voting_round.pk, person=keys.person_key(national_id="0101801111")
    )
    assert first.address == "Øster Allé 1, 2100 København Ø"
    # The committee area, not the district (which neighbouring committees may share).
    assert first.area == committee.areas.get(kind="committee")
    assert entries[datetime.date(1990, 2, 2)].area == first.area
    assert entries[datetime.date(2010, 3, 3)].address == ""
    assert AuditEntry.objects.get(action="voting.roll_import").data == {"count": 3}


@pytest.mark.postgres
def test_no_cpr_number_anywhere_in_the_database(voting_round, tmp_path):
    _import(voting_round, GOOD, tmp_path)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT table_name, column_name FROM information_schema.columns "
            "WHERE table_schema = 'public' AND data_type IN ('text', 'character varying', 'jsonb')"
        )
        columns = cursor.fetchall()
        for table, column in columns:
            for cpr in ("0101801111", "010180-1111", "0202901234", "0303103333"):
                cursor.execute(
                    f'SELECT count(*) FROM "{table}" WHERE "{column}"::text LIKE %s',
                    [f"%{cpr}%"],
                )
                assert cursor.fetchone()[0] == 0, (table, column)


HEAD = "cpr,birth_date,address,area\n"
OESTERBRO = "Østerbro Lokaludvalg"  # the `committee` fixture's committee area
BAD = [
    ("01018011,1980-01-01,Vej 1,", "Line 2: the CPR number must have ten digits"),
    ("0101801111,1980-13-01,Vej 1,", "Line 2: the birth date must be written"),
    ("0101801111,1981-01-01,Vej 1,", "Line 2: the CPR number does not match the birth date."),
    ("0101801111,1980-01-01,,", "Line 2: give the address or the area."),
    ("0101801111,1980-01-01,,Atlantis", "Line 2: there is no committee area called “Atlantis”."),
    (
        "0101801111,1980-01-01,,Valby",
        "Line 2: Valby is not one of the round's areas (Østerbro Lokaludvalg).",
    ),
    (f"0101801111,1980-01-01,{'x' * 201},", "Line 2: the address can be at most 200"),
    ("0101801111,2999-01-01,Vej 1,", "Line 2: the birth date is in the future."),
]
BAD_FILES = [
    ("navn,adresse\nA,Vej 1\n", "Line 1 must name the columns: cpr, birth_date and address"),
    ("cpr,birth_date\n0101801111,1980-01-01\n", "Line 1 must name the columns"),
    ("", "The file is empty."),
    (
        "cpr,birth_date,bydel\n0101801111,1980-01-01,Indre By\n",
        "the column “bydel” names districts",
    ),
    (HEAD, "The file has no people in it"),
]


@pytest.mark.parametrize(
    ("text", "message"), [(f"{HEAD}{line}\n", message) for line, message in BAD] + BAD_FILES
)
def test_a_bad_line_is_named_and_nothing_is_imported(
    voting_round, tmp_path, text, message, english
):
    factories.committee("Valby")
    with pytest.raises(CommandError) as caught:
        _import(voting_round, text, tmp_path)
    assert "Nothing was imported." in str(caught.value)
    assert message in str(caught.value)
    assert "0101801111" not in str(caught.value)  # never repeated in an error
    assert not RollEntry.objects.exists()


def test_every_bad_line_is_named_and_the_good_ones_wait(voting_round, tmp_path, english):
    text = (
        "cpr,birth_date,address,area\n"
        "0101801111,1980-01-01,Vej 1,Østerbro Lokaludvalg\n"
        "0101801111,1980-01-01,Vej 1,Østerbro Lokaludvalg\n"
        "abc,1980-01-01,Vej 2,Østerbro Lokaludvalg\n"
        "0202901234,1990-02-02,Vej 3,Østerbro Lokaludvalg\n"
    )
    with pytest.raises(CommandError) as caught:
        _import(voting_round, text, tmp_path)
    lines = str(caught.value).splitlines()
    assert lines == [
        "Nothing was imported.",
        "Line 3: the same CPR number as line 2.",
        "Line 4: the CPR number must have ten digits, e.g. 010190-1234.",
    ]
    assert not RollEntry.objects.exists()


def test_a_person_already_on_the_roll_is_named(voting_round, tmp_path, english):
    head = "cpr,birth_date,address,area\n"
    _import(voting_round, f"{head}0101801111,1980-01-01,Vej 1,{OESTERBRO}\n", tmp_path)
    with pytest.raises(CommandError, match="Line 3: this person is already on the round's roll"):
        _import(
            voting_round,
            f"{head}0202901234,1990-02-02,Vej 3,{OESTERBRO}\n"
            f"0101801111,1980-01-01,Vej 1,{OESTERBRO}\n",
            tmp_path,
        )
    assert RollEntry.objects.count() == 1


def test_a_file_in_another_encoding_is_refused_plainly(voting_round, tmp_path, english):
    with pytest.raises(CommandError, match="not UTF-8"):
        _import(voting_round, GOOD, tmp_path, encoding="cp1252")


def test_unknown_round_and_missing_file(voting_round, tmp_path):
    with pytest.raises(CommandError, match="no round with id 999999"):
        call_command("voter_roll_import", "999999", str(tmp_path / "x.csv"))
    with pytest.raises(CommandError, match="Cannot read"):
        call_command("voter_roll_import", str(voting_round.pk), str(tmp_path / "missing.csv"))


def test_no_roll_after_voting_closed_or_data_purged(committee, voting_round, english):
    rows = [{"cpr": "0101801111", "birth_date": "1980-01-01", "address": "Vej 1"}]
    closed = factories.budget_round(committee=committee, phase="results")
    with pytest.raises(ValidationError, match="Voting has closed"):
        roll.roll_import(budget_round=closed, rows=rows)
    VotingConfig.objects.filter(budget_round=voting_round).update(
        personal_data_purged_at=datetime.datetime(2025, 1, 1, tzinfo=datetime.UTC)
    )
    with pytest.raises(ValidationError, match="personal data has been deleted"):
        roll.roll_import(budget_round=voting_round, rows=rows)
    assert not RollEntry.objects.exists()
