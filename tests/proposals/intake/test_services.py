"""Ideas and supports entered for residents at a desk, and paper forms imported from CSV."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from committees.models import AuditEntry
from proposals import services as proposal_services
from proposals.intake import services
from proposals.models import AssistedEntry, AssistedSupport, Proposal, State, StatusChange
from tests import factories
from voting.ballot_list import counted_supports

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


@pytest.fixture
def committee():
    return factories.committee("Valby Lokaludvalg", district_name="Valby")


@pytest.fixture
def secretariat(committee):
    return factories.moderator(committee=committee)


def _idea(budget_round, **extra):
    return {
        "submitter_kind": "resident",
        "title": "Bænke ved søen",
        "summary": "Flere bænke.",
        "description": "Ældre borgere mangler steder at hvile.",
        "estimated_cost": 30_000,
        "category": budget_round.categories.first(),
        "location_text": "Valby Sø",
        "checklist_answers": {str(i.pk): True for i in budget_round.checklist.all()},
        **extra,
    }


RESIDENT = {
    "resident_name": "Inger Hansen",
    "resident_address": "Valby Langgade 10, 2500 Valby",
    "place": "Valby Bibliotek",
}


def test_entered_idea_is_submitted_with_case_number_history_entry_and_audit(
    ideas_round, secretariat
):
    proposal = services.proposal_enter_for_resident(
        staff=secretariat, budget_round=ideas_round, data=_idea(ideas_round), resident=RESIDENT
    )
    proposal.refresh_from_db()
    assert proposal.state == State.SUBMITTED
    assert proposal.case_number == f"BB-{ideas_round.pk:03d}-{proposal.pk:05d}"
    assert proposal.author is None
    change = StatusChange.objects.get(proposal=proposal)
    assert change.to_state == State.SUBMITTED and change.actor == secretariat
    entry = AssistedEntry.objects.get(proposal=proposal)
    assert (entry.resident_name, entry.place, entry.channel) == (
        "Inger Hansen",
        "Valby Bibliotek",
        "desk",
    )
    assert entry.entered_by == secretariat
    audit = AuditEntry.objects.get(action="proposal.entered_for_resident")
    assert audit.actor == secretariat and audit.object_id == str(proposal.pk)
    assert audit.data["case_number"] == proposal.case_number
    # The append-only log never holds the resident's name: it could not be erased from it.
    assert "Inger" not in audit.canonical().decode()


@pytest.mark.parametrize("role", ["reviewer", "host", "polling_staff"])
def test_only_the_secretariat_enters_ideas(ideas_round, committee, role):
    person = factories.staff(committee=committee, role=role)
    with pytest.raises(PermissionDenied):
        services.proposal_enter_for_resident(
            staff=person, budget_round=ideas_round, data=_idea(ideas_round), resident=RESIDENT
        )
    assert not Proposal.objects.exists()


def test_another_committees_secretariat_is_refused(ideas_round):
    other = factories.moderator(committee=factories.committee("Amager Vest Lokaludvalg"))
    with pytest.raises(PermissionDenied):
        services.proposal_enter_for_resident(
            staff=other, budget_round=ideas_round, data=_idea(ideas_round), resident=RESIDENT
        )


@pytest.mark.parametrize(
    "where,text",
    [
        ("resident", "010190-1234"),
        ("resident", "0101901234"),
        ("proposal", "Ring til mig, CPR 311299 4321"),
    ],
)
def test_a_cpr_number_is_refused_wherever_it_is_typed(ideas_round, secretariat, where, text):
    data, resident = _idea(ideas_round), dict(RESIDENT)
    if where == "resident":
        resident["resident_name"] = f"Inger Hansen {text}"
    else:
        data["description"] = text
    with pytest.raises(ValidationError) as caught:
        services.proposal_enter_for_resident(
            staff=secretariat, budget_round=ideas_round, data=data, resident=resident
        )
    field = "resident_name" if where == "resident" else "description"
    assert "CPR number" in caught.value.message_dict[field][0]
    assert not Proposal.objects.exists() and not AssistedEntry.objects.exists()


@pytest.mark.parametrize("text", ["Tlf. 36 12 34 56", "Pris 1234567890 kr.", "991399-1234"])
def test_figures_that_are_no_cpr_number_pass(text):
    assert not services.looks_like_cpr(text)


def test_an_incomplete_idea_names_each_problem_and_writes_nothing(ideas_round, secretariat):
    with pytest.raises(ValidationError) as caught:
        services.proposal_enter_for_resident(
            staff=secretariat,
            budget_round=ideas_round,
            data=_idea(ideas_round, title="", estimated_cost=None),
            resident={**RESIDENT, "resident_name": " "},
        )
    assert set(caught.value.message_dict) >= {"title", "estimated_cost", "resident_name"}
    assert not Proposal.objects.exists()


def test_too_long_resident_details_are_refused(ideas_round, secretariat):
    with pytest.raises(ValidationError) as caught:
        services.proposal_enter_for_resident(
            staff=secretariat,
            budget_round=ideas_round,
            data=_idea(ideas_round),
            resident={**RESIDENT, "resident_address": "x" * 201},
        )
    assert "At most 200 characters" in caught.value.message_dict["resident_address"][0]


def test_no_ideas_outside_the_ideas_phase(committee, secretariat):
    review = factories.budget_round(committee=committee, phase="review")
    with pytest.raises(ValidationError):
        services.proposal_enter_for_resident(
            staff=secretariat, budget_round=review, data=_idea(review), resident=RESIDENT
        )


# --- Supports --------------------------------------------------------------------------------


@pytest.fixture
def submitted(ideas_round):
    return factories.proposal(budget_round=ideas_round, state=State.SUBMITTED)


def test_a_resident_supports_once_by_name_and_address(submitted, secretariat):
    assert services.support_enter_for_resident(
        staff=secretariat,
        proposal=submitted,
        resident_name="Inger Hansen",
        resident_address="Valby Langgade 10",
    )
    # The same resident at another desk, typed with other case and spaces: not counted again.
    assert not services.support_enter_for_resident(
        staff=secretariat,
        proposal=submitted,
        resident_name="inger  HANSEN",
        resident_address="valby langgade 10 ",
    )
    # A namesake at another address is another resident.
    assert services.support_enter_for_resident(
        staff=secretariat,
        proposal=submitted,
        resident_name="Inger Hansen",
        resident_address="Toftegårds Allé 2",
    )
    submitted.refresh_from_db()
    assert submitted.support_count == 2
    assert AssistedSupport.objects.filter(proposal=submitted).count() == 2
    assert AuditEntry.objects.filter(action="support.entered_for_resident").count() == 2


def test_a_proposal_a_moderator_hid_takes_no_support_at_a_desk_either(submitted, secretariat):
    Proposal.objects.filter(pk=submitted.pk).update(hidden=True, hidden_reason="Personangreb.")
    submitted.refresh_from_db()
    with pytest.raises(ValidationError) as caught:
        services.support_enter_for_resident(
            staff=secretariat, proposal=submitted, resident_name="A", resident_address="B 1"
        )
    assert caught.value.messages == ["This proposal cannot be supported."]
    assert not AssistedSupport.objects.filter(proposal=submitted).exists()
    assert Proposal.objects.get(pk=submitted.pk).support_count == 0


def test_assisted_supports_count_towards_the_ballot_even_when_only_verified_count(
    ideas_round, submitted, secretariat
):
    ideas_round.supports_verified_only = True
    ideas_round.save()
    online = factories.user()  # an account without a verified identity: not counted
    proposal_services.support_add(user=online, proposal=submitted)
    services.support_enter_for_resident(
        staff=secretariat, proposal=submitted, resident_name="A", resident_address="B 1"
    )
    assert counted_supports(budget_round=ideas_round) == {submitted.pk: 1}


def test_a_support_needs_name_and_address_and_no_cpr(submitted, secretariat):
    with pytest.raises(ValidationError) as caught:
        services.support_enter_for_resident(
            staff=secretariat, proposal=submitted, resident_name="", resident_address=""
        )
    assert set(caught.value.message_dict) == {"resident_name", "resident_address"}
    with pytest.raises(ValidationError):
        services.support_enter_for_resident(
            staff=secretariat,
            proposal=submitted,
            resident_name="Inger 010190-1234",
            resident_address="Valby Langgade 10",
        )
    assert not AssistedSupport.objects.exists()


def test_a_reviewer_cannot_enter_a_support(submitted, committee):
    with pytest.raises(PermissionDenied):
        services.support_enter_for_resident(
            staff=factories.reviewer(committee=committee),
            proposal=submitted,
            resident_name="A",
            resident_address="B 1",
        )


def test_merging_keeps_assisted_supports_once_per_resident(ideas_round, submitted, secretariat):
    duplicate = factories.proposal(budget_round=ideas_round, state=State.SUBMITTED)
    for proposal, name in ((submitted, "A"), (duplicate, "A"), (duplicate, "B")):
        services.support_enter_for_resident(
            staff=secretariat, proposal=proposal, resident_name=name, resident_address="Vej 1"
        )
    proposal_services.proposal_merge(
        moderator=secretariat, duplicate=duplicate, survivor=submitted, reason="Samme idé."
    )
    submitted.refresh_from_db()
    assert submitted.support_count == 2
    assert set(submitted.assisted_supports.values_list("resident_name", flat=True)) == {"A", "B"}


# --- CSV import ------------------------------------------------------------------------------

HEADER = "titel;resume;beskrivelse;pris;sted;kategori;tjekliste;navn;adresse\n"


def _line(title="Bænke", cost="25.000 kr.", name="Inger Hansen", category="Grønt"):
    return f'{title};Kort;"To linjer\nmed æøå";{cost};Valby Sø;{category};ja;{name};Vej 1\n'


def test_import_writes_every_line_with_case_numbers_and_audit(ideas_round, secretariat):
    content = (HEADER + _line() + _line(title="Legeplads", cost="40000")).encode("utf-8-sig")
    imported = services.proposals_import(
        staff=secretariat, budget_round=ideas_round, content=content, place="Valby Hallen"
    )
    assert [p.title for p in imported] == ["Bænke", "Legeplads"]
    assert [p.estimated_cost for p in imported] == [25_000, 40_000]
    assert all(p.case_number and p.state == State.SUBMITTED for p in imported)
    assert imported[0].description  # the quoted line break survived
    assert set(AssistedEntry.objects.values_list("channel", "place")) == {("paper", "Valby Hallen")}
    assert AuditEntry.objects.filter(action="proposal.entered_for_resident").count() == 2


def test_import_reads_comma_separated_utf8_without_bom_and_windows_1252(ideas_round, secretariat):
    comma = "title,name,summary,description,estimated_cost,location,category,checklist\n"
    comma += "Bænke,Åse,Kort,Lang,20000,Sø,Grønt,ja\n"
    assert services.proposals_import(
        staff=secretariat, budget_round=ideas_round, content=comma.encode()
    )
    excel = (HEADER + _line(title="Træer")).encode("cp1252")
    [proposal] = services.proposals_import(
        staff=secretariat, budget_round=ideas_round, content=excel
    )
    assert proposal.title == "Træer"


def test_import_reports_every_bad_line_by_number_and_writes_nothing(ideas_round, secretariat):
    content = (
        HEADER
        + _line()  # line 2, fine
        + _line(cost="mange penge")  # lines 4-5 (line 3 is the second line of line 2's cell)
        + _line(name="")  # lines 6-7
        + _line(title="x" * 121, category="Blå")  # lines 8-9
        + _line(name="Bo 010190-1234")  # lines 10-11
    ).encode()
    with pytest.raises(ValidationError) as caught:
        services.proposals_import(staff=secretariat, budget_round=ideas_round, content=content)
    problems = caught.value.messages
    assert any(p.startswith("Line 4, pris:") for p in problems), problems
    assert any(p.startswith("Line 6, navn:") for p in problems), problems
    assert any(p.startswith("Line 8, titel: At most 120") for p in problems), problems
    assert any(p.startswith("Line 8, kategori:") for p in problems), problems
    assert any(p.startswith("Line 10, navn:") and "CPR" in p for p in problems), problems
    assert not Proposal.objects.exists()
    assert not AuditEntry.objects.filter(action="proposal.entered_for_resident").exists()


@pytest.mark.parametrize(
    "content,message",
    [
        (b"", "The file is empty."),
        (b"titel;farve\nA;B\n", "Line 1: unknown column \u201cfarve\u201d"),
        (b"titel;pris\nA;1\n", "Line 1: the column \u201cnavn\u201d is missing."),
        (b"titel;navn\n", "The file has no lines after the header."),
        (b"titel;navn\nA;B;C\n", "Line 2: more cells than the header has columns."),
    ],
)
def test_import_refuses_a_malformed_file_clearly(ideas_round, secretariat, content, message):
    with pytest.raises(ValidationError) as caught:
        services.proposals_import(staff=secretariat, budget_round=ideas_round, content=content)
    assert any(m.startswith(message) for m in caught.value.messages), caught.value.messages


def test_import_refuses_more_than_the_row_limit(ideas_round, secretariat, monkeypatch):
    monkeypatch.setattr(services, "MAX_IMPORT_ROWS", 2)
    content = (HEADER + _line() * 3).encode()
    with pytest.raises(ValidationError, match="More than 2 lines"):
        services.proposals_import(staff=secretariat, budget_round=ideas_round, content=content)


def test_import_is_all_or_nothing_when_writing_fails(ideas_round, secretariat, monkeypatch):
    calls = []
    real = services.audit_record

    def failing_second(**kwargs):
        calls.append(kwargs)
        if len(calls) == 2:
            raise RuntimeError("disk full")
        return real(**kwargs)

    monkeypatch.setattr(services, "audit_record", failing_second)
    content = (HEADER + _line() + _line(title="Legeplads")).encode()
    with pytest.raises(RuntimeError):
        services.proposals_import(staff=secretariat, budget_round=ideas_round, content=content)
    assert not Proposal.objects.exists() and not AssistedEntry.objects.exists()
