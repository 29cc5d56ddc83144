"""Every URL of the platform × every role, in one matrix (issue: security).

Roles: anonymous, resident, association representative, moderator of this committee and of
another, reviewer, meeting host, polling staff and site administrator. Each URL is requested as
each role in a fresh world, and the answer is reduced to one outcome:

    OK        200: the page is shown
    DONE      302 elsewhere than a login or the admin, with no error message: the action was
              carried out (POST) or the person was sent on to the next step of a flow
    REFUSED   302 with an error message: the action was refused (a POST the person may make,
              but not with this data or not now)
    LOGIN     302 to a login page (the site's or the admin's)
    DENIED    403 or 404, or Wagtail's redirect of a signed-in user without permission to the
              admin dashboard
    CLOSED    405: the method is not offered (POST-only actions asked for with GET)

The committees' admin (rounds, schedules, meetings, pages) is checked on both committees'
objects; what a GET cannot show (filing a round under another committee, extending a phase,
creating a committee) follows the matrix.

`test_every_url_is_in_the_matrix` walks the URL configuration, the admin URLs and viewsets that
the platform's own apps register, and fails when a URL has no row: a new URL gets its row here.
"""

import datetime
from http import HTTPStatus

import pytest
from django.contrib import messages
from django.contrib.messages import get_messages
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from wagtail import hooks

from committees.services import committee_role_grant
from proposals import services as proposal_services
from proposals.models import State
from tests import factories
from voting.models import Participation, PollingStation, QuickVote

pytestmark = pytest.mark.django_db

OK, DONE, LOGIN, DENIED, CLOSED = "OK", "DONE", "LOGIN", "DENIED", "CLOSED"
REFUSED = "REFUSED"
ROLES = [
    "anonymous",
    "resident",
    "association",
    "moderator",
    "other_moderator",
    "reviewer",
    "host",
    "polling_staff",
    "site_admin",
]
APPS = ("committees", "proposals", "voting", "notices", "frontend", "pbsite")


@pytest.fixture
def world(home_page):
    this = factories.committee("Østerbro Lokaludvalg")
    other = factories.committee("Valby Lokaludvalg", district_name="Valby")
    ideas = factories.budget_round(committee=this, phase="ideas")
    voting = factories.budget_round(
        committee=this, phase="voting", ballot_style="knapsack", pot=100_000, max_cost=100_000
    )
    other_voting = factories.budget_round(committee=other, phase="voting")
    users = {role: factories.user() for role in ROLES if role != "anonymous"}
    users["anonymous"] = None
    users["site_admin"].is_superuser = users["site_admin"].is_staff = True
    users["site_admin"].save()
    committee_role_grant(user=users["moderator"], committee=this, role="moderator")
    committee_role_grant(user=users["other_moderator"], committee=other, role="moderator")
    committee_role_grant(user=users["reviewer"], committee=this, role="reviewer")
    ideas.reviewers.add(users["reviewer"])
    committee_role_grant(user=users["host"], committee=this, role="host")
    committee_role_grant(user=users["polling_staff"], committee=this, role="polling_staff")

    association = users["association"]
    draft = factories.proposal(
        budget_round=ideas,
        author=association,
        submitter_kind="association",
        organisation_name="Østerbro Boldklub",
    )
    submitted = factories.proposal(
        budget_round=ideas,
        author=association,
        state=State.SUBMITTED,
        submitter_kind="association",
        organisation_name="Østerbro Boldklub",
    )
    other_ideas = factories.budget_round(committee=other, phase="ideas")
    other_proposal = factories.proposal(budget_round=other_ideas, state=State.SUBMITTED)
    for cost in (30_000, 60_000):
        factories.proposal(budget_round=voting, state=State.FEASIBLE, estimated_cost=cost)
    comment = proposal_services.comment_add(
        author=users["resident"], proposal=submitted, body="Godt forslag."
    )
    station = PollingStation.objects.create(budget_round=voting, name="Bibliotek")
    pool = factories.grant_pool(committee=this)
    application = factories.grant_application(pool=pool, author=users["association"])
    funded = factories.funded_proposal(
        budget_round=factories.budget_round(committee=this, phase="implementation")
    )
    other_funded = factories.funded_proposal(
        budget_round=factories.budget_round(committee=other, phase="implementation")
    )
    other_station = PollingStation.objects.create(budget_round=other_voting, name="Valby Hallen")
    return {
        "this": this,
        "other": other,
        "ideas": ideas,
        "voting": voting,
        "other_ideas": other_ideas,
        "other_voting": other_voting,
        "meeting": factories.meeting(committee=this),
        "draft": draft,
        "submitted": submitted,
        "other_proposal": other_proposal,
        "comment": comment,
        "station": station,
        "other_station": other_station,
        "pool": pool,
        "application": application,
        "tracked": funded.tracking,
        "other_tracked": other_funded.tracking,
        "users": users,
    }


def _newsletter_url(name):
    """The URL `name` of a newsletter of this committee, made the first time it is asked for."""
    from notices.newsletters.models import Newsletter

    def build(w):
        newsletter, _created = Newsletter.objects.get_or_create(
            committee=w["this"], subject="Nyt fra udvalget", defaults={"body": "<p>Nyt.</p>"}
        )
        return reverse(name, args=[newsletter.pk])

    return build


def _station_meeting(w):
    """A meeting showing the voting round, with a quick vote counted per checked-in voter."""
    meeting = w.get("station_meeting")
    if meeting is None:
        meeting = w["station_meeting"] = factories.meeting(
            committee=w["this"], budget_round=w["voting"], title="Møde på stationen"
        )
        QuickVote.objects.create(
            meeting=meeting,
            question="Flere bænke?",
            kind="yes_no",
            options=["yes", "no", "abstain"],
            counted_by="checked_in",
            opened_at=meeting.starts_at,
        )
    return meeting


def _checked_in(w):
    """A voter checked in at the station, waiting for the tablet."""
    participation, _created = Participation.objects.get_or_create(
        budget_round=w["voting"],
        voter_key="v" * 64,
        defaults={"channel": "paper", "station": w["station"]},
    )
    return participation


def _recommended_application(w):
    """An application the working group has recommended: the secretariat's to put on the
    agenda of its deadline's meeting."""
    application = w.get("recommended_application")
    if application is None:
        from proposals.grants import services as grant_services

        users = w["users"]
        application = factories.grant_application(pool=w["pool"], author=users["association"])
        grant_services.grant_completeness_check(
            actor=users["moderator"], application=application, complete=True
        )
        application = w["recommended_application"] = grant_services.grant_recommend(
            actor=users["reviewer"], application=application, recommendation="full", reason="Ja."
        )
    return application


# name -> (method, url(world), outcome per role). Names are URL names ("namespace:name"), or a
# URL name with a suffix after "@" where one URL is checked on several objects.
def _rows():
    def url(name, *args):
        return lambda w: reverse(name, args=[a(w) if callable(a) else a for a in args])

    def pk(key):
        return lambda w: w[key].pk

    page = lambda w: w["this"].page.url  # noqa: E731
    return {
        # --- Public pages --------------------------------------------------------------------
        "healthz": ("get", url("healthz"), PUBLIC),
        "wagtail_serve@home": ("get", lambda w: "/", PUBLIC),
        "wagtail_serve@home_en": ("get", lambda w: "/en/", PUBLIC),
        "wagtail_serve@committee": ("get", page, PUBLIC),
        "wagtail_serve@round": (
            "get",
            lambda w: f"{page(w)}runder/{w['ideas'].slug}/",
            PUBLIC,
        ),
        "wagtail_serve@meeting": (
            "get",
            lambda w: f"{page(w)}moeder/{w['meeting'].pk}/",
            PUBLIC,
        ),
        "committee_calendar": ("get", lambda w: f"/kalender/{w['this'].slug}.ics", PUBLIC),
        "privacy": ("get", url("privacy"), PUBLIC),
        "accessibility": ("get", url("accessibility"), PUBLIC),
        "set_language": ("post", url("set_language"), dict.fromkeys(ROLES, DONE)),
        # --- Accounts ------------------------------------------------------------------------
        "account_login": ("get", url("account_login"), ANONYMOUS_ONLY_STAFF_TO_WORKSPACE),
        "account_signup": ("get", url("account_signup"), ANONYMOUS_ONLY_STAFF_TO_WORKSPACE),
        "account_reset_password": ("get", url("account_reset_password"), PUBLIC),
        "account_email": ("get", url("account_email"), SIGNED_IN),
        "account_change_password": ("get", url("account_change_password"), SIGNED_IN),
        "my_data": ("get", url("my_data"), SIGNED_IN),
        "my_borgerbudget": ("get", url("my_borgerbudget"), SIGNED_IN),
        # --- Proposals -----------------------------------------------------------------------
        "proposals:list": ("get", url("proposals:list", pk("ideas")), PUBLIC),
        "proposals:create": ("get", url("proposals:create", pk("ideas")), SIGNED_IN),
        # Moved for good to "Mit borgerbudget", which asks for the log-in itself.
        "proposals:mine": (
            "get",
            url("proposals:mine"),
            dict.fromkeys(ROLES, f"301 {reverse('my_borgerbudget')}"),
        ),
        "proposals:detail": ("get", url("proposals:detail", pk("submitted")), PUBLIC),
        "proposals:detail@draft": (
            "get",
            url("proposals:detail", pk("draft")),
            {**NOBODY, "association": OK},
        ),
        "proposals:edit": (
            "get",
            url("proposals:edit", pk("draft")),
            {**NOBODY, "anonymous": LOGIN, "association": OK},
        ),
        # The association wrote the proposal: its own support is refused.
        "proposals:support": (
            "post",
            url("proposals:support", pk("submitted")),
            {**SIGNED_IN_DONE, "association": REFUSED},
        ),
        # Following: anyone signed in, but not one's own proposal (the association wrote it).
        "following:follow": (
            "post",
            url("following:follow", pk("submitted")),
            {**SIGNED_IN_DONE, "association": REFUSED},
        ),
        "proposals:comment": (
            "post",
            url("proposals:comment", pk("submitted")),
            SIGNED_IN_DONE,
            {"body": "Et godt forslag."},
        ),
        # Reports: anyone signed in, but not of their own proposal or comment (the resident
        # wrote the comment, the association the proposal).
        # The comment is the resident's: to anyone else its edit and delete pages do not exist.
        "proposals:comment_edit": (
            "get",
            url("proposals:comment_edit", pk("comment")),
            {**NOBODY, "anonymous": LOGIN, "resident": OK},
        ),
        "proposals:comment_delete": (
            "get",
            url("proposals:comment_delete", pk("comment")),
            {**NOBODY, "anonymous": LOGIN, "resident": OK},
        ),
        "proposals:comment_flag": (
            "post",
            url("proposals:comment_flag", pk("comment")),
            {**SIGNED_IN_DONE, "resident": REFUSED},
            {"reason": "offensive"},
        ),
        "proposals:comment_flag@get": (
            "get",
            url("proposals:comment_flag", pk("comment")),
            {**SIGNED_IN, "resident": REFUSED},
        ),
        "proposals:report": (
            "get",
            url("proposals:report", pk("submitted")),
            {**SIGNED_IN, "association": REFUSED},
        ),
        "proposals:report@post": (
            "post",
            url("proposals:report", pk("submitted")),
            {**SIGNED_IN_DONE, "association": REFUSED},
            {"reason": "spam", "details": "Reklame for et firma."},
        ),
        "proposals:comment_hide": (
            "post",
            url("proposals:comment_hide", pk("comment")),
            {**NOBODY, "anonymous": LOGIN, "moderator": DONE, "site_admin": DONE},
            {"reason": "Personangreb."},
        ),
        # After the comment rows: withdrawing the proposal closes it to comments.
        "proposals:withdraw": (
            "post",
            url("proposals:withdraw", pk("submitted")),
            {**NOBODY, "anonymous": LOGIN, "association": DONE},
        ),
        # --- Grant pools ----------------------------------------------------------------------
        "proposals:grant_pool": ("get", url("proposals:grant_pool", pk("pool")), PUBLIC),
        "proposals:grant_pool@ideas": ("get", url("proposals:grant_pool", pk("ideas")), NOBODY),
        "proposals:grant_create": ("get", url("proposals:grant_create", pk("pool")), SIGNED_IN),
        # An application is its applicant's and the committee's staff's; to anyone else it
        # does not exist.
        "proposals:grant": (
            "get",
            url("proposals:grant", pk("application")),
            {**NOBODY, "anonymous": LOGIN, **GRANT_STAFF_OK, "association": OK},
        ),
        # Submitted and waiting for its check: the applicant is sent back to the application.
        "proposals:grant_edit": (
            "get",
            url("proposals:grant_edit", pk("application")),
            {**NOBODY, "anonymous": LOGIN, "association": DONE},
        ),
        # Accounts come after a grant: the applicant is sent back too.
        "proposals:grant_accounts": (
            "get",
            url("proposals:grant_accounts", pk("application")),
            {**NOBODY, "anonymous": LOGIN, "association": DONE},
        ),
        # --- Entering for residents: the committee's secretariat (moderators) -----------------
        "proposals:intake": (
            "get",
            url("proposals:intake"),
            {**STAFF, "moderator": OK, "other_moderator": OK, "site_admin": OK},
        ),
        "proposals:intake_proposal": (
            "get",
            url("proposals:intake_proposal", pk("ideas")),
            {**STAFF, "moderator": OK, "site_admin": OK},
        ),
        "proposals:intake_proposal@other": (
            "get",
            url("proposals:intake_proposal", pk("other_ideas")),
            {**STAFF, "other_moderator": OK, "site_admin": OK},
        ),
        "proposals:intake_support": (
            "get",
            url("proposals:intake_support", pk("ideas")),
            {**STAFF, "moderator": OK, "site_admin": OK},
        ),
        "proposals:intake_import": (
            "get",
            url("proposals:intake_import", pk("ideas")),
            {**STAFF, "moderator": OK, "site_admin": OK},
        ),
        # --- Newsletters (admin): the committee's staff, each their own committee's ---------
        "wagtailsnippets_newsletters_newsletter:list": (
            "get",
            url("wagtailsnippets_newsletters_newsletter:list"),
            {**ADMIN, **MODERATORS_OK},
        ),
        "newsletter_test_send": ("get", _newsletter_url("newsletter_test_send"), THIS_MODERATOR),
        "newsletter_send_now": ("get", _newsletter_url("newsletter_send_now"), THIS_MODERATOR),
        # --- Voting --------------------------------------------------------------------------
        # The ballot shows everyone what is on it, and how to get the right to vote.
        "voting:ballot": ("get", url("voting:ballot", pk("voting")), PUBLIC),
        "voting:ballot_code": ("get", url("voting:ballot_code", pk("voting")), PUBLIC),
        # Without a receipt of one's own: back to the ballot.
        "voting:receipt": ("get", url("voting:receipt", pk("voting")), dict.fromkeys(ROLES, DONE)),
        # No tally, and no ballots, for anyone while the vote is open.
        "voting:results": ("get", url("voting:results", pk("voting")), NOBODY),
        "voting:ballots_file": ("get", url("voting:ballots_file", pk("voting")), NOBODY),
        "voting:identity_start": ("get", url("voting:identity_start"), SIGNED_IN),
        "voting:follow": ("post", url("voting:follow", pk("voting")), SIGNED_IN_DONE),
        # Only for a verified resident whose postcode lies in several areas: others are sent on.
        "voting:identity_area": ("get", url("voting:identity_area"), SIGNED_IN_DONE),
        # The committee's working data: its moderators and reviewers, and site admins.
        "voting:round_export": (
            "get",
            url("voting:round_export", pk("voting"), "proposals", "csv"),
            {**NOBODY, "anonymous": DENIED, "moderator": OK, "reviewer": OK, "site_admin": OK},
        ),
        "voting:round_export@xlsx": (
            "get",
            url("voting:round_export", pk("other_voting"), "proposals", "xlsx"),
            {**NOBODY, "other_moderator": OK, "site_admin": OK},
        ),
        "voting:round_export@results": (
            "get",
            url("voting:round_export", pk("voting"), "results", "csv"),
            NOBODY,  # not before the results are out
        ),
        "voting:statistics": ("get", url("voting:statistics"), PUBLIC),
        "voting:statistics_csv": ("get", url("voting:statistics_csv"), PUBLIC),
        "voting:statistics_committee": (
            "get",
            lambda w: reverse("voting:statistics_committee", args=[w["this"].slug]),
            PUBLIC,
        ),
        "voting:statistics_committee_csv": (
            "get",
            lambda w: reverse("voting:statistics_committee_csv", args=[w["this"].slug]),
            PUBLIC,
        ),
        "voting:staff_codes": (
            "get",
            url("voting:staff_codes", pk("voting")),
            {**STAFF, "moderator": OK, "polling_staff": OK, "site_admin": OK},
        ),
        "voting:staff_codes@other": (
            "get",
            url("voting:staff_codes", pk("other_voting")),
            {**STAFF, "other_moderator": OK, "site_admin": OK},
        ),
        # Letters are made by a POST; asked for with GET, staff are sent back to the codes page.
        "voting:staff_codes_letters": (
            "get",
            url("voting:staff_codes_letters", pk("voting")),
            {**STAFF, "moderator": DONE, "polling_staff": DONE, "site_admin": DONE},
        ),
        "voting:paper_station": (
            "get",
            url("voting:paper_station", pk("station")),
            {**STAFF, "polling_staff": OK, "moderator": OK, "site_admin": OK},
        ),
        "voting:paper_station@other": (
            "get",
            url("voting:paper_station", pk("other_station")),
            {**STAFF, "other_moderator": OK, "site_admin": OK},
        ),
        "voting:paper_key": (
            "get",
            url("voting:paper_key", pk("station")),
            {**STAFF, "polling_staff": OK, "moderator": OK, "site_admin": OK},
        ),
        "voting:paper_reconciliation": (
            "get",
            url("voting:paper_reconciliation", pk("voting")),
            {**STAFF, "polling_staff": OK, "moderator": OK, "site_admin": OK},
        ),
        # --- Live meetings -------------------------------------------------------------------
        "voting:live_round": ("get", url("voting:live_round", pk("voting")), PUBLIC),
        "voting:live_round_snapshot": (
            "get",
            url("voting:live_round_snapshot", pk("voting")),
            PUBLIC,
        ),
        "voting:live_meeting": ("get", url("voting:live_meeting", pk("meeting")), PUBLIC),
        "voting:live_meeting_snapshot": (
            "get",
            url("voting:live_meeting_snapshot", pk("meeting")),
            PUBLIC,
        ),
        "voting:live_join": ("get", url("voting:live_join", pk("meeting")), PUBLIC),
        "voting:live_host": (
            "get",
            url("voting:live_host", pk("meeting")),
            {**NOBODY, "anonymous": LOGIN, "host": OK, "site_admin": OK},
        ),
        # A meeting at the round's polling station, counting a quick vote per checked-in voter.
        "voting:live_station": (
            "get",
            lambda w: reverse(
                "voting:live_station", args=[_station_meeting(w).pk, w["station"].pk]
            ),
            {**STAFF, "polling_staff": OK, "moderator": OK, "site_admin": OK},
        ),
        "voting:live_station_answer": (
            "get",
            lambda w: reverse(
                "voting:live_station_answer",
                args=[_station_meeting(w).pk, w["station"].pk, _checked_in(w).pk],
            ),
            {**STAFF, "polling_staff": OK, "moderator": OK, "site_admin": OK},
        ),
        "live_meeting_short": ("get", url("live_meeting_short", pk("meeting")), EVERYONE_DONE),
        "live_round_short": ("get", url("live_round_short", pk("voting")), EVERYONE_DONE),
        # --- Follow-up of funded projects --------------------------------------------------
        "tracking:catalogue": ("get", url("tracking:catalogue"), PUBLIC),
        "tracking:detail": ("get", url("tracking:detail", pk("tracked")), PUBLIC),
        "tracking:follow": ("post", url("tracking:follow", pk("tracked")), SIGNED_IN_DONE),
        # Only a completed project is proposed again; this one is still planned.
        "tracking:propose_again": (
            "get",
            url("tracking:propose_again", pk("tracked")),
            {**NOBODY, "anonymous": LOGIN},
        ),
        "tracking:unsubscribe": ("get", url("tracking:unsubscribe", "forged-token"), NOBODY),
        # --- Notices: a person's e-mail choices; the signed one-click unsubscribe -----------
        "notices:preferences": ("get", url("notices:preferences"), SIGNED_IN),
        "notices:unsubscribe": ("get", url("notices:unsubscribe", "forged-token"), NOBODY),
        # --- Open data API (read-only, no login) ---------------------------------------------
        "api-index": ("get", url("api-index"), PUBLIC),
        "api-openapi": ("get", url("api-openapi"), PUBLIC),
        "api-committee-list": ("get", url("api-committee-list"), PUBLIC),
        "api-committee-detail": ("get", url("api-committee-detail", pk("this")), PUBLIC),
        "api-round-list": ("get", url("api-round-list"), PUBLIC),
        "api-round-detail": ("get", url("api-round-detail", pk("voting")), PUBLIC),
        "api-meeting-list": ("get", url("api-meeting-list"), PUBLIC),
        "api-meeting-detail": ("get", url("api-meeting-detail", pk("meeting")), PUBLIC),
        "api-proposal-list": ("get", url("api-proposal-list"), PUBLIC),
        # Read-only: a write is refused before any method is looked at.
        "api-proposal-list@post": ("post", url("api-proposal-list"), NOBODY),
        "api-proposal-detail": ("get", url("api-proposal-detail", pk("other_proposal")), PUBLIC),
        "api-proposal-detail@draft": ("get", url("api-proposal-detail", pk("draft")), NOBODY),
        "api-result-list": ("get", url("api-result-list"), PUBLIC),
        # No result while the vote is open.
        "api-result-detail": ("get", url("api-result-detail", pk("voting")), NOBODY),
        "api-tracked-project-list": ("get", url("api-tracked-project-list"), PUBLIC),
        "api-tracked-project-detail": (
            "get",
            url("api-tracked-project-detail", pk("tracked")),
            PUBLIC,
        ),
        # --- Admin ---------------------------------------------------------------------------
        "wagtailadmin_home": ("get", url("wagtailadmin_home"), {**ADMIN, **ALL_STAFF_OK}),
        "budgetround:index": ("get", url("budgetround:index"), {**ADMIN, **MODERATORS_OK}),
        "budgetround:add": ("get", url("budgetround:add"), {**ADMIN, **MODERATORS_OK}),
        "budgetround:edit": ("get", url("budgetround:edit", pk("ideas")), THIS_MODERATOR),
        "budgetround:edit@other": (
            "get",
            url("budgetround:edit", pk("other_voting")),
            OTHER_MODERATOR,
        ),
        "budgetround:edit@other_ideas": (
            "get",
            url("budgetround:edit", pk("other_ideas")),
            OTHER_MODERATOR,
        ),
        "round_schedule": ("get", url("round_schedule", pk("ideas")), THIS_MODERATOR),
        "round_schedule@other": ("get", url("round_schedule", pk("other_ideas")), OTHER_MODERATOR),
        "meeting:index": ("get", url("meeting:index"), {**ADMIN, **MODERATORS_OK}),
        "meeting:edit": ("get", url("meeting:edit", pk("meeting")), THIS_MODERATOR),
        "area:index": ("get", url("area:index"), {**ADMIN, **MODERATORS_OK}),
        "area:add": ("get", url("area:add"), {**ADMIN, **MODERATORS_OK}),
        # A committee's own area is official data: only site administrators change it.
        "area:edit@committee_area": (
            "get",
            lambda w: reverse("area:edit", args=[w["this"].areas.get(kind="committee").pk]),
            SITE_ADMIN,
        ),
        "address:index": ("get", url("address:index"), SITE_ADMIN),
        "committee:index": ("get", url("committee:index"), SITE_ADMIN),
        "committee:add": ("get", url("committee:add"), SITE_ADMIN),
        "district:index": ("get", url("district:index"), SITE_ADMIN),
        "wagtailadmin_pages:edit": (
            "get",
            lambda w: reverse("wagtailadmin_pages:edit", args=[w["this"].page.pk]),
            THIS_MODERATOR,
        ),
        "wagtailadmin_pages:edit@other": (
            "get",
            lambda w: reverse("wagtailadmin_pages:edit", args=[w["other"].page.pk]),
            OTHER_MODERATOR,
        ),
        "proposal:index": ("get", url("proposal:index"), {**ADMIN, **REVIEW_STAFF_OK}),
        "proposal_queue": ("get", url("proposal_queue"), {**ADMIN, **REVIEW_STAFF_OK}),
        "proposal_review": (
            "get",
            url("proposal_review", pk("submitted")),
            {**ADMIN, "moderator": OK, "reviewer": OK, "site_admin": OK},
        ),
        "proposal_review@other": (
            "get",
            url("proposal_review", pk("other_proposal")),
            {**ADMIN, "other_moderator": OK, "site_admin": OK},
        ),
        # The moderation queue: each committee's moderators see and act on their own reports.
        "moderation_queue": ("get", url("moderation_queue"), {**ADMIN, **MODERATORS_OK}),
        "moderation_proposal": (
            "get",
            url("moderation_proposal", pk("submitted")),
            THIS_MODERATOR,
        ),
        "moderation_proposal@other": (
            "get",
            url("moderation_proposal", pk("other_proposal")),
            OTHER_MODERATOR,
        ),
        "moderation_proposal@post": (
            "post",
            url("moderation_proposal", pk("submitted")),
            {**ADMIN, "moderator": DONE, "site_admin": DONE},
            {"action": "hide", "reason": "Reklame."},
        ),
        "moderation_comment": ("get", url("moderation_comment", pk("comment")), THIS_MODERATOR),
        "voting_overview": (
            "get",
            url("voting_overview"),
            {**ADMIN, **MODERATORS_OK, "polling_staff": OK},
        ),
        "voting_result_confirm": (
            "get",
            url("voting_result_confirm", pk("voting")),
            THIS_MODERATOR,
        ),
        "voting_config": ("get", url("voting_config", pk("voting")), THIS_MODERATOR),
        "voting_config@other": ("get", url("voting_config", pk("other_voting")), OTHER_MODERATOR),
        "voting_phase": ("get", url("voting_phase", pk("voting")), THIS_MODERATOR),
        "voting_phase@other": ("get", url("voting_phase", pk("other_voting")), OTHER_MODERATOR),
        "voting_phase_action": (
            "get",
            url("voting_phase_action", pk("voting"), "close-voting"),
            THIS_MODERATOR,
        ),
        "voting_phase_action@other": (
            "get",
            url("voting_phase_action", pk("other_voting"), "extend-voting"),
            OTHER_MODERATOR,
        ),
        # Confirming without the preview's fingerprint and a reason: shown again, nothing done.
        "voting_phase_action@confirm": (
            "post",
            url("voting_phase_action", pk("voting"), "close-voting"),
            THIS_MODERATOR,
            {"confirm": "1"},
        ),
        "grant_queue": ("get", url("grant_queue"), {**ADMIN, **REVIEW_STAFF_OK}),
        "applicationdeadline:index": (
            "get",
            url("applicationdeadline:index"),
            {**ADMIN, **MODERATORS_OK},
        ),
        "applicationdeadline:edit": (
            "get",
            lambda w: reverse("applicationdeadline:edit", args=[w["pool"].deadlines.first().pk]),
            THIS_MODERATOR,
        ),
        "grant_process": (
            "get",
            url("grant_process", pk("application")),
            {**ADMIN, **GRANT_STAFF_OK},
        ),
        # Putting a recommended application on the agenda: its committee's secretariat does it;
        # the working group sees the screen without the step.
        "grant_process@agenda": (
            "post",
            lambda w: reverse("grant_process", args=[_recommended_application(w).pk]),
            {**ADMIN, "moderator": DONE, "reviewer": OK, "site_admin": DONE},
            lambda w: {"meeting": _recommended_application(w).deadline.meeting_id},
        ),
        "tracking_index": ("get", url("tracking_index"), {**ADMIN, **MODERATORS_OK}),
        "tracking_edit": ("get", url("tracking_edit", pk("tracked")), THIS_MODERATOR),
        "tracking_edit@other": ("get", url("tracking_edit", pk("other_tracked")), OTHER_MODERATOR),
        "pollingstation:index": ("get", url("pollingstation:index"), SITE_ADMIN),
        "pollingstation:edit": (
            "get",
            url("pollingstation:edit", pk("station")),
            SITE_ADMIN,
        ),
    }


PUBLIC = dict.fromkeys(ROLES, OK)
NOBODY = dict.fromkeys(ROLES, DENIED)
SIGNED_IN = {**dict.fromkeys(ROLES, OK), "anonymous": LOGIN}
EVERYONE_DONE = dict.fromkeys(ROLES, DONE)
SIGNED_IN_DONE = {**dict.fromkeys(ROLES, DONE), "anonymous": LOGIN}
ANONYMOUS_ONLY = {**dict.fromkeys(ROLES, DONE), "anonymous": OK}  # signed in: sent on
# Signed-in staff are sent on to their workspace, the admin dashboard: the reduction above
# counts a redirect to the admin as DENIED. Polling staff go to their station (DONE).
ANONYMOUS_ONLY_STAFF_TO_WORKSPACE = {
    **ANONYMOUS_ONLY,
    **dict.fromkeys(["moderator", "other_moderator", "reviewer", "host", "site_admin"], DENIED),
}
STAFF = {**NOBODY, "anonymous": LOGIN}
# Admin pages: people without admin access go to the admin's login; staff without the
# permission are denied.
ADMIN = {**NOBODY, "anonymous": LOGIN, "resident": LOGIN, "association": LOGIN}
ALL_STAFF_OK = dict.fromkeys(["moderator", "other_moderator", "reviewer", "host"], OK) | {
    "polling_staff": OK,
    "site_admin": OK,
}
MODERATORS_OK = {"moderator": OK, "other_moderator": OK, "site_admin": OK}
REVIEW_STAFF_OK = {"moderator": OK, "other_moderator": OK, "reviewer": OK, "site_admin": OK}
GRANT_STAFF_OK = {"moderator": OK, "reviewer": OK, "site_admin": OK}
THIS_MODERATOR = {**ADMIN, "moderator": OK, "site_admin": OK}
OTHER_MODERATOR = {**ADMIN, "other_moderator": OK, "site_admin": OK}
SITE_ADMIN = {**ADMIN, "site_admin": OK}

# URLs that cannot be requested without an outside party, and where they are tested instead.
OIDC = "needs an OpenID Connect provider: tests/voting/identity/test_oidc.py"
DEV_IDP = "the development provider, 404 unless on: tests/voting/identity/test_devprovider.py"
FILES = "needs a proposal with files, every role: tests/proposals/test_files.py"
ELSEWHERE = {
    "voting:identity_login": OIDC,
    "voting:identity_callback": OIDC,
    "voting:paper_tablet": "needs a checked-in voter: tests/voting/paper/test_paper.py",
    "voting:paper_confirm": "needs a keyed paper ballot: tests/voting/paper/test_paper.py",
    "proposals:grant_receipt": "needs accounts with a receipt: tests/proposals/grants/",
    "proposals:image": FILES,
    "proposals:attachment": FILES,
    **{
        f"dev_idp:{name}": DEV_IDP
        for name in ("authorize", "discovery", "jwks", "token", "userinfo")
    },
}


def _outcome(response) -> str:
    code = response.status_code
    if code == HTTPStatus.OK:
        return OK
    if code in (HTTPStatus.FORBIDDEN, HTTPStatus.NOT_FOUND):
        return DENIED
    if code == HTTPStatus.METHOD_NOT_ALLOWED:
        return CLOSED
    if code == HTTPStatus.FOUND:
        location = response["Location"]
        if "/login/" in location:
            return LOGIN
        if location.split("?")[0].rstrip("/") == "/admin":
            return DENIED
        # Messages this request added (not those an earlier row left unread in the session).
        added = getattr(get_messages(response.wsgi_request), "_queued_messages", [])
        return REFUSED if any(m.level >= messages.ERROR for m in added) else DONE
    return f"{code} {response.get('Location', '')}"


def _own_url_names() -> set[str]:
    """URL names served by the platform's own apps: public, and registered in the admin."""
    names: set[str] = set()

    def walk(patterns, namespace):
        for entry in patterns:
            if isinstance(entry, URLResolver):
                module = getattr(entry.urlconf_module, "__name__", "")
                inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
                if module.split(".")[0] in APPS or not module:
                    walk(entry.url_patterns, inner)
            elif isinstance(entry, URLPattern) and entry.name:
                view = entry.callback
                if getattr(view, "__module__", "").split(".")[0] in APPS:
                    names.add(f"{namespace}{entry.name}")

    walk(get_resolver().url_patterns, "")
    for register in hooks.get_hooks("register_admin_urls"):
        if register.__module__.split(".")[0] in APPS:
            names.update(p.name for p in register() if p.name)
    return names


def _own_viewset_names() -> set[str]:
    from wagtail.admin.viewsets.base import ViewSetGroup

    names = set()
    for register in hooks.get_hooks("register_admin_viewset"):
        if register.__module__.split(".")[0] not in APPS:
            continue
        viewset = register()
        members = viewset.registerables if isinstance(viewset, ViewSetGroup) else [viewset]
        names.update(getattr(m, "name", None) or m.model._meta.model_name for m in members)
    return names


def test_every_url_is_in_the_matrix():
    rows = {name.split("@")[0] for name in _rows()}
    missing = _own_url_names() - rows - set(ELSEWHERE)
    assert not missing, f"URLs without a row in the access matrix: {sorted(missing)}"
    viewsets = {name.split(":")[0] for name in rows if ":" in name}
    assert not _own_viewset_names() - viewsets, "an admin viewset has no row"
    assert all(set(row[2]) == set(ROLES) for row in _rows().values())


@pytest.mark.parametrize("role", ROLES)
def test_access_matrix(client, world, role, settings):
    settings.API_ANON_RATE = "100000/minute"  # the API's rate limit has tests of its own
    user = world["users"][role]
    if user is not None:
        client.force_login(user)
    wrong = {}
    for name, (method, build, expected, *data) in _rows().items():
        path = build(world)
        if method == "post":  # with the row's form data, if it has any (then DONE means done)
            form = data[0](world) if data and callable(data[0]) else data[0] if data else {}
            response = client.post(path, form)
        else:
            response = client.get(path)
        outcome = _outcome(response)
        if outcome != expected[role]:
            wrong[name] = f"{method.upper()} {path}: {outcome}, expected {expected[role]}"
    assert not wrong, "\n".join(f"{k}: {v}" for k, v in wrong.items())


# --- Committees: what the matrix's GETs do not show ------------------------------------------


def test_moderator_lists_only_their_own_committees_rounds(client, world):
    titles = {
        "ideas": "Idéer på Østerbro",
        "other_ideas": "Idéer i Valby",
        "other_voting": "Valby stemmer",
    }
    for key, title in titles.items():  # titles that are no part of one another
        type(world[key]).objects.filter(pk=world[key].pk).update(title=title)
    client.force_login(world["users"]["moderator"])
    html = client.get(reverse("budgetround:index")).content.decode()
    assert titles["ideas"] in html
    assert titles["other_ideas"] not in html and titles["other_voting"] not in html


def test_moderator_cannot_file_a_round_under_another_committee(client, world):
    client.force_login(world["users"]["moderator"])
    dates = factories.round_dates(phase="upcoming")
    data = {
        "committee": world["other"].pk,
        "title": "Snydt runde",
        "slug": "snydt",
        "pot": 1000,
        "min_cost": 0,
        "max_cost": 500,
        "min_age": 15,
        "decision_method": "vote",
        "tally_rule": "greedy",
        "ballot_style": "knapsack",
        **factories.ROUND_ADMIN_INLINES_EMPTY,
        "min_supports": 0,
        **{k: v.strftime("%Y-%m-%d %H:%M") for k, v in dates.items()},
    }
    response = client.post(reverse("budgetround:add"), data)
    assert response.status_code == HTTPStatus.OK  # the form comes back with an error
    assert not world["other"].rounds.filter(slug="snydt").exists()
    data["committee"] = world["this"].pk
    response = client.post(reverse("budgetround:add"), data)
    assert response.status_code == HTTPStatus.FOUND, response.content.decode()[:3000]
    created = world["this"].rounds.get(slug="snydt")
    # A new round's first rules are on record, like every later edit of them.
    from committees.models import AuditEntry

    entry = AuditEntry.objects.get(action="round.create", object_id=str(created.pk))
    assert entry.committee_id == world["this"].pk
    assert entry.data["state"]["pot"] == created.pot
    assert entry.data["state"]["slug"] == "snydt"


def test_site_admin_creates_a_committee_with_page_and_groups(client, world):
    from django.contrib.auth.models import Group

    from committees.models import Committee, CommitteePage

    client.force_login(world["users"]["site_admin"])
    response = client.post(
        reverse("committee:add"),
        {
            "name": "Nyt Lokaludvalg",
            "slug": "nyt-lokaludvalg",
            "district": world["this"].district_id,
        },
    )
    assert response.status_code == HTTPStatus.FOUND
    committee = Committee.objects.get(slug="nyt-lokaludvalg")
    assert CommitteePage.objects.get(committee=committee).live
    assert Group.objects.filter(name="Nyt Lokaludvalg – moderatorer").exists()
    assert client.get(committee.page.url).status_code == HTTPStatus.OK


def test_moderator_extends_a_phase_from_the_admin(client, world):
    from committees.models import AuditEntry

    client.force_login(world["users"]["moderator"])
    budget_round = world["ideas"]
    edit_html = client.get(reverse("budgetround:edit", args=[budget_round.pk])).content.decode()
    assert reverse("round_schedule", args=[budget_round.pk]) in edit_html
    new_end = (budget_round.ideas_end + datetime.timedelta(days=2)).astimezone()
    url = reverse("round_schedule", args=[budget_round.pk])
    response = client.post(
        url, {"phase": "ideas", "new_end": new_end.strftime("%Y-%m-%dT%H:%M"), "reason": ""}
    )
    assert response.status_code == HTTPStatus.OK  # a reason is required
    response = client.post(
        url,
        {
            "phase": "ideas",
            "new_end": new_end.strftime("%Y-%m-%dT%H:%M"),
            "reason": "Borgermødet bad om en uge mere.",
        },
    )
    assert response.status_code == HTTPStatus.FOUND
    budget_round.refresh_from_db()
    assert budget_round.review_start == budget_round.ideas_end
    entry = AuditEntry.objects.get(action="round.phase_change")
    assert entry.reason == "Borgermødet bad om en uge mere."
    assert "Borgermødet bad om en uge mere." in client.get(url).content.decode()
