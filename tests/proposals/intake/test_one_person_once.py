"""One person counts once: a resident who supports online and is also entered at a desk.

The desk ties a support to the resident's account by the verified e-mail address they give;
then the second of the two is refused (at the desk, with a message for staff) or is already
theirs (online). The race between the two is run against PostgreSQL. Also: what a desk recorded
is in the resident's data download and goes with their account, and the two intake models share
an abstract base without a change to the database."""

from http import HTTPStatus

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.translation import gettext as _

from committees.accounts.privacy import account_delete, export
from proposals import services as proposal_services
from proposals.intake import services
from proposals.models import AssistedEntry, AssistedSupport, Proposal, State, Support
from proposals.models.intake import AssistedResident
from tests import factories
from tests.races import release_together

RESIDENT = {"resident_name": "Inger Hansen", "resident_address": "Valby Langgade 10, 2500 Valby"}


@pytest.fixture
def world(committee):
    ideas = factories.budget_round(committee=committee, phase="ideas")
    return {
        "round": ideas,
        "proposal": factories.proposal(budget_round=ideas, state=State.SUBMITTED),
        "staff": factories.moderator(committee=committee),
        "inger": factories.user(email="inger@example.dk", display_name="Inger Hansen"),
    }


def _desk(world, **extra):
    return services.support_enter_for_resident(
        staff=world["staff"], proposal=world["proposal"], **{**RESIDENT, **extra}
    )


def _count(proposal) -> int:
    return Proposal.objects.get(pk=proposal.pk).support_count


@pytest.mark.django_db
def test_a_desk_support_for_someone_who_supports_online_is_refused_for_staff(world):
    assert proposal_services.support_add(user=world["inger"], proposal=world["proposal"])
    with pytest.raises(ValidationError) as refused:
        _desk(world, resident_email="INGER@example.dk ")
    assert refused.value.error_dict["resident_email"][0].code == "supported_online"
    assert not AssistedSupport.objects.exists()
    assert _count(world["proposal"]) == 1


@pytest.mark.django_db
def test_an_online_support_after_the_desk_one_is_the_same_persons(world):
    assert _desk(world, resident_email="inger@example.dk")
    assert AssistedSupport.objects.get().account == world["inger"]
    assert not proposal_services.support_add(user=world["inger"], proposal=world["proposal"])
    assert not Support.objects.exists()
    assert _count(world["proposal"]) == 1


@pytest.mark.django_db
def test_one_account_entered_at_two_desks_in_two_spellings_counts_once(world):
    assert _desk(world, resident_email="inger@example.dk")
    assert not _desk(
        world,
        resident_email="inger@example.dk",
        resident_name="Inger M. Hansen",
        resident_address="Valby Langgade 10",
    )
    assert _count(world["proposal"]) == 1


@pytest.mark.django_db
def test_an_unverified_or_unknown_address_or_the_authors_own_is_refused(world):
    factories.user(email="unverified@example.dk", verified=False)
    for email, code in (
        ("unverified@example.dk", "no_account"),
        ("nobody@example.dk", "no_account"),
        (world["proposal"].author.email, "own_proposal"),
    ):
        with pytest.raises(ValidationError) as refused:
            _desk(world, resident_email=email)
        assert refused.value.error_dict["resident_email"][0].code == code
    assert _count(world["proposal"]) == 0
    assert _desk(world)  # without an address: by name and address, as before


@pytest.mark.django_db
def test_the_desk_form_shows_staff_why_nothing_was_recorded(client, world):
    proposal_services.support_add(user=world["inger"], proposal=world["proposal"])
    client.force_login(world["staff"])
    response = client.post(
        reverse("proposals:intake_support", args=[world["round"].pk]),
        {
            "proposal": world["proposal"].pk,
            **RESIDENT,
            "resident_email": "inger@example.dk",
            "id_checked": "on",
        },
    )
    assert response.status_code == HTTPStatus.OK
    expected = _(
        "This resident already supports %(case)s online with their account: a person counts "
        "once, so nothing was recorded."
    ) % {"case": world["proposal"].case_number}
    assert response.context["form"].errors["resident_email"] == [expected]
    assert not AssistedSupport.objects.exists()


@pytest.mark.django_db
def test_a_merge_does_not_count_the_same_person_twice(world):
    duplicate = factories.proposal(budget_round=world["round"], state=State.SUBMITTED)
    proposal_services.support_add(user=world["inger"], proposal=world["proposal"])
    services.support_enter_for_resident(
        staff=world["staff"], proposal=duplicate, resident_email="inger@example.dk", **RESIDENT
    )
    services.support_enter_for_resident(
        staff=world["staff"],
        proposal=duplicate,
        resident_name="Ole Jensen",
        resident_address="Toftegårds Allé 2",
    )
    proposal_services.proposal_merge(
        moderator=world["staff"], duplicate=duplicate, survivor=world["proposal"], reason="Samme"
    )
    assert _count(world["proposal"]) == 2  # Inger once, Ole once


@pytest.mark.django_db
def test_what_a_desk_recorded_is_in_the_download_and_goes_with_the_account(world):
    _desk(world, resident_email="inger@example.dk")
    services.support_enter_for_resident(
        staff=world["staff"],
        proposal=world["proposal"],
        resident_name="Ole Jensen",
        resident_address="Toftegårds Allé 2",
    )
    entry = AssistedEntry.objects.create(
        proposal=factories.proposal(budget_round=world["round"], state=State.SUBMITTED),
        resident_name="Inger Hansen",
        resident_contact="Inger@Example.dk",
        entered_by=world["staff"],
    )
    desk = export(world["inger"])["proposals"]["entered_at_a_desk"]
    assert [row["resident_name"] for row in desk["supports"]] == ["Inger Hansen"]
    assert [row["resident_contact"] for row in desk["proposals"]] == ["Inger@Example.dk"]
    assert "Ole Jensen" not in str(desk)
    account_delete(user=world["inger"])
    assert list(AssistedSupport.objects.values_list("resident_name", flat=True)) == ["Ole Jensen"]
    assert _count(world["proposal"]) == 1  # Ole's desk support still counts
    entry.refresh_from_db()
    assert (entry.resident_name, entry.resident_contact) == ("", "")
    assert Proposal.objects.filter(pk=entry.proposal_id).exists()  # the idea itself stays


def test_the_desk_models_share_an_abstract_base():
    assert AssistedResident._meta.abstract
    for model in (AssistedEntry, AssistedSupport):
        assert issubclass(model, AssistedResident)
        assert {"resident_name", "place", "entered_by", "created_at"} <= {
            field.name for field in model._meta.fields
        }


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_online_and_desk_at_the_same_moment_count_once(committee):
    ideas = factories.budget_round(committee=committee, phase="ideas")
    staff = factories.moderator(committee=committee)
    for repetition in range(8):
        proposal = factories.proposal(budget_round=ideas, state=State.SUBMITTED)
        person = factories.user(email=f"samtidig{repetition}@example.dk")
        race = release_together(
            lambda p=proposal, u=person: proposal_services.support_add(user=u, proposal=p),
            lambda p=proposal, u=person: services.support_enter_for_resident(
                staff=staff, proposal=p, resident_email=u.email, **RESIDENT
            ),
        )
        assert race.errors == []
        refused = [exc.error_dict["resident_email"][0].code for exc in race.refusals]
        outcomes = sorted(map(str, race.results + refused))
        assert outcomes in (["True", "supported_online"], ["False", "True"])
        counted = (
            Support.objects.filter(proposal=proposal).count()
            + AssistedSupport.objects.filter(proposal=proposal).count()
        )
        assert counted == 1
        assert Proposal.objects.get(pk=proposal.pk).support_count == 1
