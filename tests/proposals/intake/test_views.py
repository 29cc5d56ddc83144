"""The staff intake pages through the test client: what the secretariat sees and does."""

from http import HTTPStatus

import pytest
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from committees.models import AuditEntry
from proposals.models import AssistedEntry, AssistedSupport, Proposal, State
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def secretariat(client, committee):
    person = factories.moderator(committee=committee)
    client.force_login(person)
    return person


def _resident(**overrides):
    return {
        "resident_name": "Inger Hansen",
        "resident_address": "Valby Langgade 10",
        "place": "Valby Bibliotek",
        "id_checked": "on",
        **overrides,
    }


def test_index_lists_the_rounds_that_take_ideas(client, secretariat, ideas_round):
    factories.budget_round(committee=factories.committee("Amager Vest"), phase="ideas")
    response = client.get(reverse("proposals:intake"))
    assert response.status_code == HTTPStatus.OK
    assert list(response.context["rounds"]) == [ideas_round]
    assert reverse("proposals:intake_proposal", args=[ideas_round.pk]) in response.content.decode()


def test_secretariat_enters_an_idea_and_is_given_the_case_number(client, secretariat, ideas_round):
    response = client.post(
        reverse("proposals:intake_proposal", args=[ideas_round.pk]),
        {**factories.proposal_form_data(ideas_round), **_resident()},
    )
    assert response.status_code == HTTPStatus.FOUND
    proposal = Proposal.objects.get()
    assert proposal.state == State.SUBMITTED and proposal.author is None
    assert proposal.assisted_entry.resident_name == "Inger Hansen"
    assert proposal.case_number in str(list(get_messages(response.wsgi_request))[0])
    assert AuditEntry.objects.get(action="proposal.entered_for_resident").actor == secretariat


def test_an_idea_without_id_check_or_with_a_cpr_number_is_refused_on_its_field(
    client, secretariat, ideas_round
):
    url = reverse("proposals:intake_proposal", args=[ideas_round.pk])
    data = {**factories.proposal_form_data(ideas_round), **_resident()}
    del data["id_checked"]
    response = client.post(url, data)
    assert response.status_code == HTTPStatus.OK
    assert "id_checked" in response.context["form"].errors
    data = {**data, **_resident(resident_address="Vej 1, CPR 010190-1234")}
    response = client.post(url, data)
    assert "CPR" in response.context["form"].errors["resident_address"][0]
    assert 'href="#id_resident_address"' in response.content.decode()  # the error summary
    assert not Proposal.objects.exists()


def test_an_incomplete_idea_keeps_what_was_typed(client, secretariat, ideas_round):
    response = client.post(
        reverse("proposals:intake_proposal", args=[ideas_round.pk]),
        {**factories.proposal_form_data(ideas_round, estimated_cost=""), **_resident()},
    )
    assert response.status_code == HTTPStatus.OK
    assert "estimated_cost" in response.context["form"].errors
    assert "Legeplads i gården" in response.content.decode()


def test_secretariat_enters_a_support_once_per_resident(client, secretariat, ideas_round):
    proposal = factories.proposal(budget_round=ideas_round, state=State.SUBMITTED)
    url = reverse("proposals:intake_support", args=[ideas_round.pk])
    for _time in range(2):
        response = client.post(url, {"proposal": proposal.pk, **_resident()})
        assert response.status_code == HTTPStatus.FOUND
    assert AssistedSupport.objects.filter(proposal=proposal).count() == 1
    proposal.refresh_from_db()
    assert proposal.support_count == 1


def test_a_support_for_a_proposal_of_another_round_is_refused(client, secretariat, ideas_round):
    other = factories.proposal(
        budget_round=factories.budget_round(committee=ideas_round.committee, phase="ideas"),
        state=State.SUBMITTED,
    )
    response = client.post(
        reverse("proposals:intake_support", args=[ideas_round.pk]),
        {"proposal": other.pk, **_resident()},
    )
    assert response.status_code == HTTPStatus.OK
    assert "proposal" in response.context["form"].errors
    assert not AssistedSupport.objects.exists()


HEADER = "titel;resume;beskrivelse;pris;sted;kategori;tjekliste;navn\n"


def test_import_page_imports_a_file_or_lists_its_problems(client, secretariat, ideas_round):
    url = reverse("proposals:intake_import", args=[ideas_round.pk])
    bad = HEADER + "Bænke;Kort;Lang;mange;Sø;Grønt;ja;Åse\n"
    response = client.post(
        url, {"file": SimpleUploadedFile("formularer.csv", bad.encode("utf-8-sig"))}
    )
    assert response.status_code == HTTPStatus.OK
    assert response.context["problems"][0].startswith("Linje 2, pris:")  # Danish, the default
    assert not Proposal.objects.exists()
    good = HEADER + "Bænke;Kort;Lang;20.000;Sø;Grønt;ja;Åse\n"
    response = client.post(
        url,
        {"file": SimpleUploadedFile("formularer.csv", good.encode()), "place": "Valby Hallen"},
    )
    assert response.status_code == HTTPStatus.FOUND
    assert AssistedEntry.objects.get().place == "Valby Hallen"


@pytest.mark.parametrize("role", ["reviewer", "host", "polling_staff"])
def test_other_staff_are_refused(client, committee, ideas_round, role):
    client.force_login(factories.staff(committee=committee, role=role))
    for name in ("intake", "intake_proposal", "intake_support", "intake_import"):
        args = [] if name == "intake" else [ideas_round.pk]
        assert client.get(reverse(f"proposals:{name}", args=args)).status_code == 403


def test_the_command_imports_or_prints_the_problems(tmp_path, committee, ideas_round, capsys):
    staff = factories.moderator(committee=committee)
    path = tmp_path / "forms.csv"
    path.write_text(HEADER + "Bænke;Kort;Lang;20000;Sø;Blå;ja;Åse\n", encoding="utf-8")
    with pytest.raises(CommandError, match="Nothing was imported"):
        call_command("intake_import", str(path), round_id=ideas_round.pk, staff=staff.email)
    assert "Linje 2, kategori" in capsys.readouterr().err
    path.write_text(HEADER + "Bænke;Kort;Lang;20000;Sø;Grønt;ja;Åse\n", encoding="utf-8")
    call_command("intake_import", str(path), round_id=ideas_round.pk, staff=staff.email)
    assert "Imported: 1." in capsys.readouterr().out
    reviewer = factories.reviewer(committee=committee)
    with pytest.raises(CommandError, match="sekretariat"):
        call_command("intake_import", str(path), round_id=ideas_round.pk, staff=reviewer.email)


def test_the_public_page_says_the_committee_entered_it_and_never_names_the_resident(
    client, secretariat, ideas_round
):
    client.post(
        reverse("proposals:intake_proposal", args=[ideas_round.pk]),
        {**factories.proposal_form_data(ideas_round), **_resident()},
    )
    client.logout()
    page = client.get(reverse("proposals:detail", args=[Proposal.objects.get().pk]))
    text = page.content.decode()
    assert "registreret af lokaludvalget for en borger" in text
    assert "Inger" not in text and "Valby Langgade" not in text
