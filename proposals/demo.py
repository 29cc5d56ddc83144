"""Demo proposals: realistic ideas in every state, in the demo committee's rounds."""

import datetime
import random

from django.db import transaction
from django.utils import timezone

from committees.demo import DEMO_COMMITTEE
from committees.models import ApplicationDeadline, BudgetRound, CommitteeRole, User
from proposals.grants import services as grant_services
from proposals.grants.services import Line
from proposals.models import (
    EffectGoal,
    EffectMeasurement,
    GrantApplication,
    ProjectUpdate,
    Proposal,
    Recommendation,
    State,
    StatusChange,
    SubmitterKind,
    Support,
    TrackedProject,
)
from proposals.tracking.services import tracked_projects_backfill
from proposals.uploads import CleanFile

IDEAS = [
    ("Bænke langs søerne", "Flere bænke, så ældre kan hvile sig på gåturen.", 45_000),
    ("Legeplads i Fælledparken", "Nye klatrestativer til de mindste.", 140_000),
    ("Cykelpumpe ved biblioteket", "En offentlig cykelpumpe, der virker hele året.", 12_000),
    ("Lommepark på hjørnet", "Plantekasser og grønt på den tomme p-plads.", 95_000),
    ("Gadefest for hele kvarteret", "En årlig gadefest med musik og mad.", 30_000),
    ("Træningsredskaber i parken", "Udendørs fitness for alle aldre.", 120_000),
    ("Bytteskab ved skolen", "Et skab hvor naboer bytter bøger og legetøj.", 8_000),
    ("Blomstereng for bierne", "Vilde blomster i stedet for græsplæne.", 25_000),
    ("Lys på stien", "Belysning på den mørke sti ved banen.", 110_000),
    ("Koncerter i gården", "Tre sommerkoncerter med lokale bands.", 40_000),
]
# The states a demo round shows, by the phase it is in.
STATES_BY_ROUND = {
    "demo-ideas": [State.DRAFT, State.SUBMITTED, State.SUBMITTED, State.WITHDRAWN],
    "demo-review": [
        State.SUBMITTED,
        State.IN_REVIEW,
        State.FEASIBLE,
        State.REJECTED,
        State.MERGED,
        State.NEEDS_CHANGES,
        State.INFEASIBLE,
    ],
    "demo-voting": [State.FEASIBLE] * 8,
    "demo-results": [
        State.SELECTED,
        State.SELECTED,
        State.NOT_SELECTED,
        State.NOT_SELECTED,
        State.REJECTED,
    ],
    "demo-implementation": [
        State.IN_PROGRESS,
        State.COMPLETED,
        State.SELECTED,
        State.CANCELLED,
    ],
}
REASONS = {
    State.REJECTED: "Forslaget er en reklame for en virksomhed, ikke et projekt for bydelen.",
    State.INFEASIBLE: "Arealet ejes ikke af kommunen, så projektet kan ikke gennemføres.",
    State.NEEDS_CHANGES: "Skriv, hvor i parken legepladsen skal ligge, og hvad den koster.",
    State.MERGED: "Samme idé som et andet forslag; støtterne er lagt sammen.",
    State.WITHDRAWN: "",
    State.CANCELLED: "Grunden skal bruges til en ny skole, så projektet er stoppet.",
}
PATHS = {
    State.SUBMITTED: [State.SUBMITTED],
    State.IN_REVIEW: [State.SUBMITTED, State.IN_REVIEW],
    State.FEASIBLE: [State.SUBMITTED, State.IN_REVIEW, State.FEASIBLE],
    State.REJECTED: [State.SUBMITTED, State.IN_REVIEW, State.REJECTED],
    State.INFEASIBLE: [State.SUBMITTED, State.IN_REVIEW, State.INFEASIBLE],
    State.NEEDS_CHANGES: [State.SUBMITTED, State.NEEDS_CHANGES],
    State.MERGED: [State.SUBMITTED, State.MERGED],
    State.WITHDRAWN: [State.SUBMITTED, State.WITHDRAWN],
    State.SELECTED: [State.SUBMITTED, State.IN_REVIEW, State.FEASIBLE, State.SELECTED],
    State.NOT_SELECTED: [State.SUBMITTED, State.IN_REVIEW, State.FEASIBLE, State.NOT_SELECTED],
    State.IN_PROGRESS: [
        State.SUBMITTED,
        State.IN_REVIEW,
        State.FEASIBLE,
        State.SELECTED,
        State.IN_PROGRESS,
    ],
    State.CANCELLED: [
        State.SUBMITTED,
        State.IN_REVIEW,
        State.FEASIBLE,
        State.SELECTED,
        State.CANCELLED,
    ],
    State.COMPLETED: [
        State.SUBMITTED,
        State.IN_REVIEW,
        State.FEASIBLE,
        State.SELECTED,
        State.IN_PROGRESS,
        State.COMPLETED,
    ],
}


@transaction.atomic
def seed(*, stdout) -> None:
    rng = random.Random(2026)
    authors = list(User.objects.filter(email__endswith="@demo.borgerbudget.dk").order_by("pk"))
    if not authors:
        return
    created = 0
    for slug, states in STATES_BY_ROUND.items():
        budget_round = BudgetRound.objects.filter(committee__name=DEMO_COMMITTEE, slug=slug).first()
        if budget_round is None or budget_round.proposals.exists():
            continue
        categories = list(budget_round.categories.all())
        checklist = {str(item.pk): True for item in budget_round.checklist.all()}
        survivor = None
        for index, state in enumerate(states):
            title, summary, cost = IDEAS[(index + len(slug)) % len(IDEAS)]
            author = authors[index % 2]  # the resident and the association representative
            kind = SubmitterKind.ASSOCIATION if index % 2 else SubmitterKind.RESIDENT
            proposal = Proposal.objects.create(
                budget_round=budget_round,
                author=author,
                state=State.DRAFT,  # numbered below, once the primary key exists
                title=title,
                summary=summary,
                description=f"<p>{summary} Forslaget kommer fra en nabo i bydelen.</p>",
                estimated_cost=min(cost, budget_round.max_cost),
                category=categories[index % len(categories)] if categories else None,
                location_text="Østerbro",
                submitter_kind=kind,
                organisation_name="Østerbro Beboerforening" if index % 2 else "",
                contact_person=author.display_name if index % 2 else "",
                checklist_answers=checklist,
                random_key=rng.randrange(1, 2**31),
                submitted_at=None if state == State.DRAFT else timezone.now(),
            )
            if state != State.DRAFT:
                proposal.case_number = f"BB-{budget_round.pk:03d}-{proposal.pk:05d}"
                proposal.state = state
                if state == State.MERGED and survivor is None:
                    proposal.state = State.SUBMITTED
                if state == State.MERGED and survivor is not None:
                    proposal.state, proposal.merged_into = State.MERGED, survivor
                proposal.save()
                previous = State.DRAFT
                for step in PATHS[State(proposal.state)]:
                    StatusChange.objects.create(
                        proposal=proposal,
                        from_state=previous,
                        to_state=step,
                        actor=author,
                        public_reason=REASONS.get(step, ""),
                    )
                    previous = step
                if survivor is None and state in (State.SUBMITTED, State.FEASIBLE):
                    survivor = proposal
                others = [person for person in authors if person != author]  # never one's own
                for supporter in rng.sample(others, k=rng.randint(0, len(others))):
                    Support.objects.get_or_create(proposal=proposal, user=supporter)
                proposal.support_count = proposal.supports.count()
                proposal.save(update_fields=["support_count"])
            created += 1
    stdout.write(f"Demo proposals: {created} new, {Proposal.objects.count()} in all.")
    _seed_tracking(stdout)


# What the follow-up of the implementation round shows, by the project's status.
TRACKING = {
    State.SELECTED: {
        "responsible": "Teknik- og Miljøforvaltningen, Park og Natur",
        "progress": 10,
        "spent": 5_000,
        "updates": [(-20, "Projektet er planlagt", "Forvaltningen har lagt en tidsplan.")],
    },
    State.IN_PROGRESS: {
        "responsible": "Østerbro Beboerforening",
        "progress": 60,
        "spent_share": 55,
        "updates": [
            (
                -60,
                "Byggeriet er gået i gang",
                "Entreprenøren har sat hegn op, og arbejdet er i gang.",
            ),
            (-10, "Halvvejs", "Fundamentet er støbt, og de første dele er monteret."),
        ],
        "goal": ("Besøgende pr. uge", "personer", 40, 120, [(-90, 40), (-30, 65), (-5, 80)]),
    },
    State.COMPLETED: {
        "responsible": "Teknik- og Miljøforvaltningen, Park og Natur",
        "progress": 100,
        "spent_share": 97,
        "updates": [
            (-120, "Arbejdet er begyndt", "Området er ryddet, og materialerne er bestilt."),
            (-30, "Projektet er færdigt", "Indvielsen blev holdt med kaffe og kage for naboerne."),
        ],
        "goal": ("Tilfredse brugere", "%", 45, 75, [(-150, 45), (-60, 60), (-7, 78)]),
    },
    State.CANCELLED: {
        "responsible": "Teknik- og Miljøforvaltningen",
        "progress": 15,
        "spent": 3_000,
        "updates": [(-40, "Projektet er stoppet", "Grunden skal bruges til en ny skole.")],
    },
}


def _seed_tracking(stdout) -> None:
    """One tracked project in each follow-up state, with updates and an effect indicator."""

    tracked_projects_backfill()
    today = timezone.localdate()
    projects = TrackedProject.objects.filter(
        proposal__budget_round__committee__name=DEMO_COMMITTEE,
        proposal__budget_round__slug="demo-implementation",
    ).select_related("proposal")
    for project in projects:
        plan = TRACKING.get(State(project.proposal.state))
        if plan is None or project.updates.exists():
            continue  # seeded before: leave what is there (idempotent)
        project.responsible = plan["responsible"]
        project.progress = plan["progress"]
        share = plan.get("spent_share")
        project.spent = project.granted * share // 100 if share else plan["spent"]
        project.save(update_fields=["responsible", "progress", "spent", "updated_at"])
        for days, title, body in plan["updates"]:
            ProjectUpdate.objects.create(
                project=project,
                date=today + datetime.timedelta(days=days),
                title=title,
                body=body,
            )
        if "goal" in plan:
            indicator, unit, baseline, target, measurements = plan["goal"]
            goal, _created = EffectGoal.objects.get_or_create(
                project=project,
                indicator=indicator,
                defaults={"unit": unit, "baseline": baseline, "target": target},
            )
            for days, value in measurements:
                EffectMeasurement.objects.get_or_create(
                    goal=goal,
                    measured_on=today + datetime.timedelta(days=days),
                    defaults={"value": value},
                )
    stdout.write(f"Demo follow-up: {TrackedProject.objects.count()} tracked projects.")
    seed_grants(stdout=stdout)


# --- The grant pool: applications taken through the services, step by step ------------------

DEMO_RECEIPT = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
GRANT_APPLICATIONS = [
    # title, summary, applicant, expenses, income, how far it gets
    ("Sankthansfest ved søerne", "Bål, musik og fællessang for hele bydelen.",
     "Østerbro Beboerforening", [("Scene og lyd", 28_000), ("Brænde og bål", 4_000)],
     [("Salg af mad", 6_000)], "paid"),
    ("Loppemarked i gården", "Et loppemarked hvor naboer sælger brugte ting.",
     "Gårdlauget Rosenvænget", [("Telte", 9_000)], [("Stadeleje", 2_000)], "refused"),
    ("Lektiecafé for unge", "Frivillige hjælper unge med lektierne to dage om ugen.",
     "Netværket Unge på Østerbro", [("Materialer", 6_000), ("Forplejning", 8_000)], [],
     "submitted"),
    ("Julemarked på pladsen", "Boder, gløgg og juletræ for hele kvarteret.",
     "Foreningen Jul på Østerbro", [("Boder", 7_000), ("Lys og strøm", 3_000)],
     [("Standleje", 2_000)], "on_agenda"),
    ("Fællesspisning i beboerhuset", "Fællesspisning en gang om måneden for gamle og nye naboer.",
     "Beboerhuset Strandvejen", [("Råvarer", 5_000), ("Service", 1_500)], [], "recommended"),
]  # fmt: skip


def _demo_staff(role: str):

    link = (
        CommitteeRole.objects.filter(committee__name=DEMO_COMMITTEE, role=role)
        .select_related("user")
        .order_by("pk")
        .first()
    )
    return link.user if link else None


def seed_grants(*, stdout) -> None:
    """Applications to the demo pool: one through the whole process, one refused, one on the
    next meeting's agenda, one recommended (for the secretariat to put on an agenda), one
    waiting for its check.

    Idempotent: nothing happens when the pool already has applications.
    """

    pool = BudgetRound.objects.filter(
        committee__name=DEMO_COMMITTEE, decision_method="committee"
    ).first()
    applicant = User.objects.filter(email="forening@demo.borgerbudget.dk").first()
    secretariat, working_group = _demo_staff("moderator"), _demo_staff("reviewer")
    if not (pool and applicant and secretariat and working_group):
        return
    if GrantApplication.objects.filter(proposal__budget_round=pool).exists():
        return
    # The decided applications belong to the deadline whose meeting has already been held, so
    # that its agenda and minutes show the decisions.
    held = (
        ApplicationDeadline.objects.filter(budget_round=pool, meeting__starts_at__lt=timezone.now())
        .order_by("-closes_at")
        .first()
    )
    checklist = {str(item.pk): True for item in pool.checklist.all()}
    for title, summary, organisation, expenses, income, goal in GRANT_APPLICATIONS:
        lines = [Line("expense", text, amount) for text, amount in expenses]
        lines += [Line("income", text, amount) for text, amount in income]
        application = grant_services.grant_application_save(
            author=applicant,
            budget_round=pool,
            proposal_data={
                "title": title,
                "summary": summary,
                "description": f"<p>{summary}</p>",
                "location_text": "Østerbro",
                "submitter_kind": SubmitterKind.ASSOCIATION,
                "organisation_name": organisation,
                "contact_person": applicant.display_name,
                "checklist_answers": checklist,
            },
            grant_data={
                "applicant_name": organisation,
                "contact_name": applicant.display_name,
                "contact_email": applicant.email,
                "activity_date": timezone.localdate() + datetime.timedelta(days=45),
                "advertising": "Opslag i opgangene, lokalavisen og foreningens nyhedsbrev.",
                "volunteers": "Foreningens frivillige står for planlægning, boder og oprydning.",
            },
            lines=lines,
        )
        application = grant_services.grant_application_submit(
            author=applicant, application=application
        )
        if goal == "submitted":
            continue
        decided = goal in ("paid", "refused")
        if decided and held is not None:
            GrantApplication.objects.filter(pk=application.pk).update(deadline=held)
        if goal == "paid":  # returned once for a missing detail, then sent in again
            grant_services.grant_completeness_check(
                actor=secretariat,
                application=application,
                complete=False,
                missing="Skriv venligst, hvordan arrangementet annonceres i bydelen.",
            )
            grant_services.grant_application_submit(author=applicant, application=application)
        grant_services.grant_completeness_check(
            actor=secretariat, application=application, complete=True
        )
        application.refresh_from_db()
        refuse = goal == "refused"
        if not decided:
            recommendation = {
                "recommendation": Recommendation.FULL,
                "reason": "Godt for naboskabet.",
            }
        elif refuse:
            recommendation = {
                "recommendation": Recommendation.REFUSE,
                "reason": "Stadeleje dækker udgiften.",
            }
        else:
            recommendation = {
                "recommendation": Recommendation.PARTIAL,
                "amount": 20_000,
                "reason": "Bred deltagelse; bål dækkes ikke.",
            }
        grant_services.grant_recommend(
            actor=working_group, application=application, **recommendation
        )
        if goal == "recommended":
            continue
        grant_services.grant_put_on_agenda(actor=secretariat, application=application)
        if goal == "on_agenda":
            continue
        grant_services.grant_decide(
            actor=secretariat,
            application=application,
            granted=not refuse,
            amount=None if refuse else 20_000,
            reason="Aktiviteten kan hvile i sig selv." if refuse else "Bevilget som indstillet.",
        )
        if refuse:
            continue
        grant_services.grant_advance_pay(actor=secretariat, application=application, amount=5_000)
        grant_services.grant_accounts_submit(
            author=applicant,
            application=application,
            lines=[
                Line("expense", "Scene og lyd", 26_500),
                Line("expense", "Brænde og bål", 3_800),
                Line("income", "Salg af mad", 7_200),
            ],
            receipts=[CleanFile(content=DEMO_RECEIPT, filename="kvitteringer.pdf")],
        )
        grant_services.grant_payout_approve(actor=secretariat, application=application)
    stdout.write(f"Demo grant applications: {len(GRANT_APPLICATIONS)} in {pool.title}.")
