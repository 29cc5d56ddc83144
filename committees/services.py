"""Writes of the committees app."""

import datetime
import html

from django.conf import settings
from django.contrib.auth.models import Group, Permission
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Max
from django.utils import timezone
from django.utils.translation import gettext as _
from wagtail.models import GroupPagePermission, Locale, Page, Site

from committees.models import (
    FIELDS_FROZEN_AT_CONFIRMATION,
    PHASE_FIELDS,
    AgendaItem,
    Area,
    AuditEntry,
    BudgetRound,
    Committee,
    CommitteePage,
    CommitteeRole,
    District,
    HomePage,
    Meeting,
    MinutesEntry,
    Phase,
    User,
)

GENESIS_HASH = "0" * 64


@transaction.atomic
def home_page_ensure(*, title: str = "Borgerbudget") -> HomePage:
    """The site's home page and default Site, created when missing (fresh or flushed database)."""
    home = HomePage.objects.first()
    if home is None:
        Locale.objects.get_or_create(language_code=settings.LANGUAGE_CODE)
        root = Page.get_first_root_node() or Page.add_root(instance=Page(title="Root"))
        for page in root.get_children().exact_type(Page):
            page.delete()
        home = root.add_child(instance=HomePage(title=title, slug="home"))
    site = Site.objects.filter(is_default_site=True).first()
    if site is None:
        Site.objects.create(
            hostname="localhost", root_page=home, is_default_site=True, site_name=title
        )
    elif site.root_page_id != home.pk:
        site.root_page = home
        site.save(update_fields=["root_page"])
    return home


# --- Audit log --------------------------------------------------------------------------------


def audit_record(
    *,
    actor: User | None,
    action: str,
    obj,
    reason: str = "",
    data: dict | None = None,
    committee_id: int | None = None,
) -> AuditEntry:
    """Append one entry, chained to the last by its hash. Serialised by a lock on the chain."""
    with transaction.atomic():
        last = AuditEntry.objects.select_for_update().order_by("-pk").first()
        entry = AuditEntry(
            created_at=timezone.now(),
            actor=actor if actor and actor.pk else None,
            actor_label=(actor.email if actor and actor.pk else "system"),
            action=action,
            object_type=obj._meta.label_lower,
            object_id=str(obj.pk),
            committee_id=committee_id,
            reason=reason,
            data=data or {},
            previous_hash=last.hash if last else GENESIS_HASH,
        )
        entry.hash = entry.compute_hash()
        entry.save()
        return entry


def audit_chain_verify() -> list[str]:
    """Problems found in the chain; empty when every entry and link is intact."""
    problems = []
    previous = GENESIS_HASH
    for entry in AuditEntry.objects.order_by("pk").iterator():
        if entry.previous_hash != previous:
            problems.append(f"entry {entry.pk}: does not link to the entry before it")
        if entry.compute_hash() != entry.hash:
            problems.append(f"entry {entry.pk}: content does not match its hash (tampered)")
        previous = entry.hash
    return problems


# --- Committees and roles ---------------------------------------------------------------------

ROLE_GROUP_NAMES = {
    CommitteeRole.Role.MODERATOR: "{committee} – moderatorer",
    CommitteeRole.Role.REVIEWER: "{committee} – sagsbehandlere",
    CommitteeRole.Role.HOST: "{committee} – mødeledere",
    CommitteeRole.Role.POLLING_STAFF: "{committee} – valgtilforordnede",
}
STAFF_GROUP = "Lokaludvalgenes personale"


def _staff_group() -> Group:
    group, _created = Group.objects.get_or_create(name=STAFF_GROUP)
    access = Permission.objects.get(content_type__app_label="wagtailadmin", codename="access_admin")
    group.permissions.add(access)
    return group


def _role_group(committee: Committee, role: str) -> Group:
    group, _created = Group.objects.get_or_create(
        name=ROLE_GROUP_NAMES[role].format(committee=committee.name)
    )
    if role == CommitteeRole.Role.MODERATOR and hasattr(committee, "page"):
        for codename in ("add_page", "change_page", "publish_page"):
            GroupPagePermission.objects.get_or_create(
                group=group,
                page=committee.page,
                permission=Permission.objects.get(
                    content_type__app_label="wagtailcore", codename=codename
                ),
            )
    return group


@transaction.atomic
def committee_role_grant(*, user: User, committee: Committee, role: str) -> CommitteeRole:
    """Give a person a role in a committee, with the admin access that goes with it."""
    committee_role, _created = CommitteeRole.objects.get_or_create(
        user=user, committee=committee, role=role
    )
    user.groups.add(_staff_group(), _role_group(committee, role))
    if not user.is_staff:
        user.is_staff = True
        user.save(update_fields=["is_staff"])
    return committee_role


@transaction.atomic
def committee_create(
    *, name: str, slug: str, district: District, actor: User | None = None
) -> Committee:
    """A committee with its page under the home page and its staff groups."""
    committee = Committee.objects.create(name=name, slug=slug, district=district)
    # Every committee has its own area from the start: a round covers it unless told otherwise.
    Area.objects.create(name=name, slug=slug, kind=Area.Kind.COMMITTEE, committee=committee)
    committee_page_ensure(committee=committee)
    audit_record(actor=actor, action="committee.create", obj=committee, committee_id=committee.pk)
    return committee


def committee_page_ensure(*, committee: Committee) -> CommitteePage:
    page = CommitteePage.objects.filter(committee=committee).first()
    if page is None:
        home = home_page_ensure()
        page = home.add_child(
            instance=CommitteePage(title=committee.name, slug=committee.slug, committee=committee)
        )
        committee.page = page
    for role in CommitteeRole.Role.values:
        _role_group(committee, role)
    return page


# --- Budget rounds ----------------------------------------------------------------------------


def _next_start_field(phase: str) -> str | None:
    fields = [start for _phase, start, _end in PHASE_FIELDS]
    for index, (candidate, _start, _end) in enumerate(PHASE_FIELDS):
        if candidate == phase:
            return fields[index + 1] if index + 1 < len(fields) else None
    raise ValidationError(_("Unknown phase."))


@transaction.atomic
def round_phase_change(
    *,
    budget_round: BudgetRound,
    phase: str,
    new_end: datetime.datetime,
    reason: str,
    actor: User,
) -> BudgetRound:
    """Close a phase early or extend it. The next phase starts when this one ends."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("Give a reason for changing the schedule."), code="reason")
    end_field = next((end for p, _s, end in PHASE_FIELDS if p == phase), None)
    if end_field is None:
        raise ValidationError(_("This phase has no end date to change."), code="phase")
    budget_round = BudgetRound.objects.select_for_update().get(pk=budget_round.pk)
    if budget_round.is_locked and end_field in FIELDS_FROZEN_AT_CONFIRMATION:
        raise ValidationError(
            _("The result of this round is confirmed: voting can no longer be changed."),
            code="locked",
        )
    if budget_round.voting_has_opened and phase in (Phase.IDEAS, Phase.REVIEW):
        raise ValidationError(
            _("Voting has opened: the phases before it can no longer change."), code="frozen"
        )
    old_end = getattr(budget_round, end_field)
    next_start = _next_start_field(phase)
    changes = {end_field: (old_end, new_end)}
    setattr(budget_round, end_field, new_end)
    if next_start and next_start != end_field:
        old_next = getattr(budget_round, next_start)
        if new_end > old_next or new_end < old_end:
            setattr(budget_round, next_start, new_end)
            changes[next_start] = (old_next, new_end)
    try:
        with transaction.atomic():
            budget_round.save(update_fields=list(changes))
    except IntegrityError as exc:
        raise ValidationError(
            _(
                "The new date would make the phases overlap or run backwards. "
                "Change the following phase first."
            ),
            code="order",
        ) from exc
    audit_record(
        actor=actor,
        action="round.phase_change",
        obj=budget_round,
        reason=reason,
        committee_id=budget_round.committee_id,
        data={
            "phase": phase,
            "kind": "extend" if new_end > old_end else "close_early",
            "changes": {k: [old.isoformat(), new.isoformat()] for k, (old, new) in changes.items()},
        },
    )
    return budget_round


def round_lock(*, budget_round: BudgetRound) -> None:
    """The result is confirmed: from now on voting can be neither extended nor closed again.
    Called by `voting.results.services.result_confirm` inside its transaction."""
    BudgetRound.objects.filter(pk=budget_round.pk, result_confirmed_at__isnull=True).update(
        result_confirmed_at=timezone.now()
    )


def round_state(*, budget_round: BudgetRound) -> dict:
    """What the audit log keeps of a round before and after an edit: every field an editor can
    change, the areas and the child rows (categories, checklist), as JSON values."""
    state = {}
    for field in budget_round._meta.concrete_fields:
        if field.primary_key or field.name == "granted_total":
            continue
        value = field.value_from_object(budget_round)
        if isinstance(value, datetime.datetime):
            value = value.isoformat()
        state[field.name] = value
    state["voting_areas"] = sorted(budget_round.voting_areas.values_list("pk", flat=True))
    state["reviewers"] = sorted(budget_round.reviewers.values_list("pk", flat=True))
    state["categories"] = list(budget_round.categories.values_list("name", flat=True))
    state["checklist"] = [
        [text, required]
        for text, required in budget_round.checklist.values_list("text", "required")
    ]
    return state


@transaction.atomic
def round_create(*, actor: User, apply) -> BudgetRound:
    """Create a round (`apply()` writes it: the admin form's save) and record everything it was
    created with in the audit log, so that its first rules are on record beside every later
    edit of them."""
    created = apply()
    audit_record(
        actor=actor,
        action="round.create",
        obj=created,
        committee_id=created.committee_id,
        data={"state": round_state(budget_round=BudgetRound.objects.get(pk=created.pk))},
    )
    return created


@transaction.atomic
def round_edit(*, actor: User, budget_round: BudgetRound, apply, reason: str = "") -> BudgetRound:
    """Save an edit of a round (`apply()` writes it: the admin form's save) under the round's
    lock, refuse it when it changes what voting has frozen, and record before and after in the
    audit log. The admin's edit view saves through here, so no edit goes unrecorded."""
    stored = BudgetRound.objects.select_for_update().get(pk=budget_round.pk)
    before = round_state(budget_round=stored)
    saved = apply()
    after = round_state(budget_round=BudgetRound.objects.get(pk=budget_round.pk))
    changes = {
        name: [before[name], value] for name, value in after.items() if before[name] != value
    }
    if stored.voting_has_opened and "voting_areas" in changes:
        raise ValidationError(
            {"voting_areas": _("Voting has opened: the rules of this round can no longer change.")}
        )
    if changes:
        audit_record(
            actor=actor,
            action="round.update",
            obj=stored,
            reason=reason,
            committee_id=stored.committee_id,
            data={"changes": changes},
        )
    return saved


# --- Grant pools: the ledger and the deciding meeting -------------------------------------------


def round_grant_commit(*, budget_round: BudgetRound, amount: int) -> int:
    """Take `amount` from a grant pool's pot; returns what is left. Safe under concurrency.

    One conditional UPDATE with an F() expression: PostgreSQL re-checks the condition on the
    row's newest version after waiting for a concurrent decision's lock, and the database's
    CheckConstraint (granted_total <= pot) refuses anything that would still slip through.
    Must run inside the caller's transaction.
    """
    if amount <= 0:
        raise ValidationError(_("The amount must be more than 0 kr."), code="amount")
    try:
        with transaction.atomic():
            updated = BudgetRound.objects.filter(
                pk=budget_round.pk, granted_total__lte=F("pot") - amount
            ).update(granted_total=F("granted_total") + amount)
    except IntegrityError:
        updated = 0
    if not updated:
        raise ValidationError(
            _("There is not enough money left in the pool for this grant."), code="pool_exhausted"
        )
    budget_round.refresh_from_db(fields=["granted_total"])
    return budget_round.remaining


@transaction.atomic
def agenda_item_add(
    *,
    meeting: Meeting,
    title: str,
    recommendation: str = "",
    problem: str = "",
    solution: str = "",
    economy: str = "",
    generated: dict | None = None,
) -> AgendaItem:
    """Put an item in the municipal structure at the end of a meeting's agenda. `generated` is
    what the platform wrote, as data (`AgendaItem.texts` words it for each reader); the text
    fields hold the same in the words of the one who triggered it."""
    Meeting.objects.select_for_update().filter(pk=meeting.pk).first()  # serialise the ordering
    last = AgendaItem.objects.filter(meeting=meeting).aggregate(last=Max("sort_order"))["last"]
    order = 0 if last is None else last + 1
    return AgendaItem.objects.create(
        meeting=meeting,
        sort_order=order,
        title=title[:255],
        recommendation=recommendation,
        problem=problem,
        solution=solution,
        economy=economy,
        generated=generated,
    )


@transaction.atomic
def agenda_item_decide(
    *, agenda_item: AgendaItem, decision: str, generated_decision: dict | None = None
) -> AgendaItem:
    """Record the committee's decision on an item, and list it in the meeting's minutes.

    For an item the platform generated, `generated_decision` is the decision as data, kept in
    `generated["decision"]`; the minutes get it as a `MinutesEntry`, so the item and the minutes
    line show it in each reader's language."""
    agenda_item.decision = decision
    if generated_decision is not None and agenda_item.generated:
        agenda_item.generated = {**agenda_item.generated, "decision": generated_decision}
        agenda_item.save(update_fields=["decision", "generated"])
        meeting_minutes_record(
            meeting_id=agenda_item.meeting_id,
            kind=MinutesEntry.Kind.AGENDA_DECISION,
            params={"agenda_item": agenda_item.pk, "generated": agenda_item.generated},
        )
        return agenda_item
    agenda_item.save(update_fields=["decision"])
    meeting_minutes_append(
        meeting_id=agenda_item.meeting_id,
        paragraph=f"<b>{html.escape(agenda_item.title)}</b>: {html.escape(decision)}",
    )
    return agenda_item


@transaction.atomic
def meeting_minutes_record(*, meeting_id: int, kind: str, params: dict) -> MinutesEntry:
    """Add a generated line to a meeting's minutes as its kind and parameters, worded when read
    (`MinutesEntry.text`), so each reader gets it in their own language."""
    meeting = Meeting.objects.select_for_update().get(pk=meeting_id)
    entry = MinutesEntry(meeting=meeting, kind=kind, params=params)
    entry.full_clean(exclude=["meeting"])
    entry.save()
    return entry


@transaction.atomic
def meeting_minutes_append(*, meeting_id: int, paragraph: str) -> Meeting:
    """Add one paragraph (HTML, escaped by the caller) to a meeting's minutes, under its lock."""
    meeting = Meeting.objects.select_for_update().get(pk=meeting_id)
    meeting.minutes = f"{meeting.minutes or ''}<p>{paragraph}</p>"
    meeting.save(update_fields=["minutes"])
    return meeting
