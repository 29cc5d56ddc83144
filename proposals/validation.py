"""What stops a proposal from being submitted: plain checks, per field, with the messages shown."""

from dataclasses import dataclass

from django.utils.translation import gettext as _

from frontend.money import format_kroner
from proposals.models import Proposal, SubmitterKind


@dataclass
class Problems:
    errors: dict[str, list[str]]

    def add(self, field: str, message: str) -> None:
        self.errors.setdefault(field, []).append(message)


def proposal_problems(proposal: Proposal) -> dict[str, list[str]]:
    """What stops a draft from being submitted, per field. Empty when it can be submitted."""
    problems = Problems({})
    budget_round = proposal.budget_round
    if not proposal.title.strip():
        problems.add("title", _("Give the proposal a title."))
    if not proposal.summary.strip():
        problems.add("summary", _("Write a short summary."))
    if not proposal.description.strip():
        problems.add("description", _("Describe the proposal."))
    cost = proposal.estimated_cost
    if cost is None:
        problems.add("estimated_cost", _("Give an estimated cost in whole kroner."))
    elif not budget_round.min_cost <= cost <= budget_round.max_cost:
        problems.add(
            "estimated_cost",
            _("The cost must be between %(low)s and %(high)s.")
            % {
                "low": format_kroner(budget_round.min_cost),
                "high": format_kroner(budget_round.max_cost),
            },
        )
    if budget_round.categories.exists():
        if proposal.category_id is None:
            problems.add("category", _("Choose a category."))
        elif not budget_round.categories.filter(pk=proposal.category_id).exists():
            problems.add("category", _("Choose one of this round's categories."))
    if not proposal.location_text.strip() and proposal.latitude is None:
        problems.add(
            "location_text", _("Say where: an address, a place name or a point on the map.")
        )
    if proposal.submitter_kind != SubmitterKind.RESIDENT:
        if not proposal.organisation_name.strip():
            problems.add("organisation_name", _("Give the name of the organisation."))
        if not proposal.contact_person.strip():
            problems.add("contact_person", _("Give a contact person."))
    if proposal.cvr_number and not cvr_is_valid(proposal.cvr_number):
        problems.add("cvr_number", _("A CVR number has 8 digits and a valid check digit."))
    answers = proposal.checklist_answers or {}
    for item in budget_round.checklist.all():
        answer = answers.get(str(item.pk))
        if answer is None:
            problems.add("checklist", _("Answer every question of the checklist."))
            break
        if item.required and answer is not True:
            problems.add(
                "checklist",
                _("This round only funds proposals that answer yes to: %(question)s")
                % {"question": item.text},
            )
    return problems.errors


def cvr_is_valid(cvr: str) -> bool:
    if len(cvr) != 8 or not cvr.isdigit() or cvr[0] == "0":
        return False
    weights = (2, 7, 6, 5, 4, 3, 2, 1)
    return sum(int(d) * w for d, w in zip(cvr, weights, strict=True)) % 11 == 0
