"""The ballot, the receipt and the results. Views call services and selectors only."""

import hashlib

from allauth.core import ratelimit
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from committees import clients
from committees.ids import parse_id
from committees.models import BudgetRound, Phase
from committees.permissions import is_signed_in
from frontend.charts import bar_chart
from frontend.money import format_kroner
from frontend.numbers import format_percent
from voting import selectors, services
from voting.codes import services as codes
from voting.permissions import may_download_round_data
from voting.results import exports, statistics
from voting.results.ballot_file import export_round
from voting.results.recipe import recount_recipe

PUBLISHED_PHASES = (Phase.RESULTS, Phase.IMPLEMENTATION)


def _round(round_id: int) -> BudgetRound:
    return get_object_or_404(BudgetRound.objects.select_related("committee__page"), pk=round_id)


def _selection_from(request, budget_round: BudgetRound) -> tuple[dict[str, int], list[str]]:
    """Read the ballot form: checkboxes for approval and knapsack, numbers for points and ranks.

    Only the form's shape is checked here; which projects are on the ballot, and what a valid
    ballot is, the service decides.
    """
    errors = []
    selection: dict[str, int] = {}
    if budget_round.ballot_style in ("approval", "knapsack"):
        for value in request.POST.getlist("project"):
            if parse_id(value) is None:
                errors.append(_("The ballot names a project that is not on it."))
                continue
            selection[value] = 1
    else:
        for name, raw in request.POST.items():
            if not name.startswith("value_"):
                continue
            pid, raw = name.removeprefix("value_"), raw.strip()
            if not raw:
                continue
            if parse_id(pid) is None or not raw.isdecimal() or len(raw) > 6:  # not isdigit: "²"
                errors.append(_("Write whole numbers only."))
                continue
            if int(raw):
                selection[pid] = int(raw)
    return selection, errors


def _ballot_context(request, budget_round, selection=None, **extra):
    config = selectors.round_config(budget_round=budget_round)
    return {
        "round": budget_round,
        "config": config,
        "projects": list(selectors.round_projects(budget_round=budget_round).values()),
        "selection": selection or {},
        "limits": services.limits_for(budget_round, config),
        "voting_areas": services.voting_area_names(budget_round),
        **extra,
    }


RECEIPT_SALT = "voting.receipt"
RECEIPT_SECONDS = 15 * 60


def _receipt_cookie(budget_round: BudgetRound) -> str:
    return f"bb_receipt_{budget_round.pk}"


def _cast(request, budget_round: BudgetRound, cast) -> tuple[list[str], str | None]:
    """Cast through a service: (errors, receipt code)."""
    # Per account where there is one: allauth refuses a per-user rate on an anonymous request
    # (a ballot with a voting code, or a visitor who is not logged in).
    action = "ballot" if is_signed_in(request.user) else "ballot_anonymous"
    if not ratelimit.consume(request, action=action):
        return [_("Too many ballots from here in a short time. Wait a minute and try again.")], None
    try:
        ballot = cast()
    except PermissionDenied as exc:
        return [str(exc)], None
    except ValidationError as exc:
        return exc.messages, None
    return [], ballot.receipt_code


def _to_receipt(request, budget_round: BudgetRound, code: str):
    """On to the receipt page, the code travelling in a signed, short-lived cookie of its own.

    Not in the session: a ballot then writes nothing but itself to the database.
    """
    response = redirect("voting:receipt", round_id=budget_round.pk)
    response.set_signed_cookie(
        _receipt_cookie(budget_round),
        code,
        salt=RECEIPT_SALT,
        max_age=RECEIPT_SECONDS,
        path=reverse("voting:receipt", args=[budget_round.pk]),
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )
    return response


@never_cache
def ballot(request, round_id: int):
    budget_round = _round(round_id)
    # Casting needs not know whether the person voted before: the ballot box does (a second
    # ballot replaces the first or is refused with the reason). Only the page tells it.
    eligibility = services.eligibility_online(
        user=request.user, budget_round=budget_round, check_voted=request.method != "POST"
    )
    selection, errors = {}, []
    if request.method == "POST":
        selection, errors = _selection_from(request, budget_round)
        if not errors:
            errors, code = _cast(
                request,
                budget_round,
                lambda: services.ballot_cast_online(
                    user=request.user,
                    budget_round=budget_round,
                    selection=selection,
                    eligibility=eligibility,
                ),
            )
            if not errors:
                return _to_receipt(request, budget_round, code)
        eligibility = services.eligibility_online(user=request.user, budget_round=budget_round)
    return TemplateResponse(
        request,
        "voting/ballot.html",
        _ballot_context(
            request, budget_round, selection, eligibility=eligibility, errors=errors, code=False
        ),
        status=400 if errors else 200,
    )


def _client(request) -> str:
    """What wrong codes count by: the visitor's address behind the proxy (an IPv6 /64)."""
    address = clients.client_address(request)
    if address is None:
        raise PermissionDenied(_("Your address could not be determined. Try again later."))
    return clients.throttle_key(address)


@never_cache
def ballot_with_code(request, round_id: int):
    budget_round = _round(round_id)
    config = selectors.round_config(budget_round=budget_round)
    selection, errors = {}, []
    if not config.allow_codes:
        errors = [_("This round does not use voting codes.")]
    elif budget_round.phase != Phase.VOTING:
        errors = [_("Voting is not open in this round.")]
    elif request.method == "POST":
        selection, errors = _selection_from(request, budget_round)
        if not errors:
            errors, code = _cast(
                request,
                budget_round,
                lambda: codes.ballot_cast_with_code(
                    budget_round=budget_round,
                    code=request.POST.get("code", ""),
                    selection=selection,
                    client=_client(request),
                ),
            )
            if not errors:
                return _to_receipt(request, budget_round, code)
    return TemplateResponse(
        request,
        "voting/ballot.html",
        _ballot_context(
            request,
            budget_round,
            selection,
            errors=errors,
            code=True,
            typed_code=request.POST.get("code", "")[:20],
        ),
        status=400 if errors and request.method == "POST" else 200,
    )


@never_cache
def receipt(request, round_id: int):
    budget_round = _round(round_id)
    name = _receipt_cookie(budget_round)
    code = request.get_signed_cookie(name, default=None, salt=RECEIPT_SALT, max_age=RECEIPT_SECONDS)
    if code is None:
        messages.info(request, _("Your receipt is shown once, right after you vote."))
        return redirect("voting:ballot", round_id=budget_round.pk)
    response = TemplateResponse(
        request, "voting/receipt.html", {"round": budget_round, "code": code}
    )
    response.delete_cookie(name, path=reverse("voting:receipt", args=[budget_round.pk]))
    return response


def _result_charts(summary: dict, turnout_groups, budget_round: BudgetRound) -> dict:
    votes = bar_chart(
        [(row["proposal"].title, row["votes"], str(row["votes"])) for row in summary["rows"]],
        title=_("Votes per project"),
        column=_("Votes"),
        prefix="votes",
    )
    pot = bar_chart(
        [
            (_("Granted"), summary["spent"], format_kroner(summary["spent"])),
            (_("Left"), summary["left"], format_kroner(summary["left"])),
        ],
        title=_("The pot of %(pot)s: granted and left") % {"pot": format_kroner(budget_round.pot)},
        column=_("Amount"),
        prefix="pot",
    )
    less = _("fewer than %(n)s")
    turnout = [
        (
            breakdown,
            bar_chart(
                [
                    (
                        g.label,
                        g.count or 0,
                        str(g.count) if g.count is not None else less % {"n": breakdown.threshold},
                    )
                    for g in breakdown.groups
                ],
                title=breakdown.title,
                column=_("Voters"),
                prefix=f"turnout-{breakdown.dimension}",
            ),
        )
        for breakdown in turnout_groups
    ]
    return {"votes_chart": votes, "pot_chart": pot, "turnout_charts": turnout}


def results(request, round_id: int):
    budget_round = _round(round_id)
    if budget_round.phase not in PUBLISHED_PHASES:
        raise Http404
    summary = selectors.round_result_summary(budget_round=budget_round)
    confirmed = summary["confirmed"]
    turnout_groups = selectors.round_turnout_groups(budget_round=budget_round)
    return TemplateResponse(
        request,
        "voting/results/results.html",
        {
            "round": budget_round,
            **summary,
            **_result_charts(summary, turnout_groups, budget_round),
            # The total only: per channel, small groups are merged below like every breakdown.
            "voters": sum(selectors.round_turnout(budget_round=budget_round).values()),
            "min_group_size": selectors.min_group_size(),
            "may_download": may_download_round_data(request.user, budget_round),
            "export_kinds": exports.KINDS,
            "following": selectors.round_followed_by(user=request.user, budget_round=budget_round),
            "sha256": confirmed.ballots_sha256
            if confirmed
            else hashlib.sha256(export_round(budget_round).encode()).hexdigest(),
            "recipe": recount_recipe(
                slug=budget_round.slug,
                rule=summary["outcome"].rule,
                utility=summary["outcome"].details["utility"],
                ballot_style=budget_round.ballot_style,
            ),
        },
    )


def round_export(request, round_id: int, kind: str, fmt: str):
    """Proposals, results or turnout of a round as CSV or Excel, for its committee's staff."""
    budget_round = _round(round_id)
    if kind not in exports.KINDS or fmt not in exports.FORMATS:
        raise Http404
    if not may_download_round_data(request.user, budget_round):
        raise PermissionDenied
    if kind != "proposals" and budget_round.phase not in PUBLISHED_PHASES:
        raise Http404
    table = exports.table_for(budget_round=budget_round, kind=kind)
    if fmt == "csv":
        response = HttpResponse(exports.as_csv(table), content_type="text/csv; charset=utf-8")
    else:
        response = HttpResponse(
            exports.as_xlsx(table),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    response["Content-Disposition"] = f'attachment; filename="{budget_round.slug}-{kind}.{fmt}"'
    response["Cache-Control"] = "private, no-store"
    return response


def ballots_file(request, round_id: int):
    budget_round = _round(round_id)
    if budget_round.phase not in PUBLISHED_PHASES:
        raise Http404
    text = export_round(budget_round)
    response = HttpResponse(text, content_type="text/plain; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{budget_round.slug}.pb"'
    response["X-Content-SHA256"] = hashlib.sha256(text.encode()).hexdigest()
    return response


def follow(request, round_id: int):
    """Follow a round (an e-mail when its results are published) or stop following it."""
    budget_round = _round(round_id)
    if not is_signed_in(request.user):
        return redirect_to_login(request.get_full_path())
    if request.method == "POST":
        if request.POST.get("action") == "unfollow":
            services.round_unfollow(user=request.user, budget_round=budget_round)
            messages.success(request, _("You no longer follow this round."))
        else:
            services.round_follow(user=request.user, budget_round=budget_round)
            messages.success(
                request, _("You follow this round: we e-mail you when the results are published.")
            )
        return redirect("voting:follow", round_id=budget_round.pk)
    return TemplateResponse(
        request,
        "voting/follow.html",
        {
            "round": budget_round,
            "following": selectors.round_followed_by(user=request.user, budget_round=budget_round),
            "published": budget_round.phase in PUBLISHED_PHASES,
        },
    )


def _statistics_charts(stats) -> dict:
    def counts(pairs, title, column, prefix):
        return bar_chart(
            [(label, n, str(n)) for label, n in pairs], title=title, column=column, prefix=prefix
        )

    return {
        "category_chart": counts(
            stats.by_category, _("Proposals by category"), _("Proposals"), "category"
        ),
        "kind_chart": counts(
            stats.by_submitter_kind, _("Proposals by submitter"), _("Proposals"), "kind"
        ),
        "review_chart": counts(stats.reviews, _("Feasibility reviews"), _("Reviews"), "review"),
        "granted_chart": bar_chart(
            [(label, kr, format_kroner(kr)) for label, kr in stats.granted_by_category],
            title=_("Money granted per category"),
            column=_("Granted"),
            prefix="granted",
        ),
        "implementation_chart": counts(
            stats.implementation, _("Implementation of funded projects"), _("Projects"), "impl"
        ),
        "committee_turnout_chart": bar_chart(
            [
                (t.round.committee.name, round(t.share * 10), format_percent(t.share))
                for t in stats.turnout_by_committee
                if t.share is not None
            ],
            title=_("Turnout per committee, in its latest vote"),
            column=_("Turnout"),
            prefix="committee-turnout",
        ),
        "channel_chart": counts(
            stats.voters_by_channel, _("Voters by channel"), _("Voters"), "channel"
        ),
        "turnout_chart": bar_chart(
            [
                (
                    f"{t.round.title}" if stats.committee else f"{t.round.committee}: {t.round}",
                    round(t.share * 10) if t.share is not None else 0,
                    format_percent(t.share) if t.share is not None else _("not known"),
                )
                for t in stats.turnout
                if t.voters
            ],
            title=_("Turnout per round, as a share of the residents who may vote"),
            column=_("Turnout"),
            prefix="turnout",
        ),
    }


def _statistics_committee(committee_slug: str | None):
    if committee_slug is None:
        return None
    committee = statistics.committee_by_slug(slug=committee_slug)
    if committee is None:
        raise Http404
    return committee


def statistics_page(request, committee_slug: str | None = None):
    committee = _statistics_committee(committee_slug)
    stats = statistics.statistics(committee=committee)
    return TemplateResponse(
        request,
        "voting/results/statistics.html",
        {
            "committee": committee,
            "stats": stats,
            "committees": statistics.committees_listed(),
            # Rounds nobody has voted in yet are folded away below the table.
            "rounds_voted": [t for t in stats.turnout if t.voters],
            "rounds_without_voters": [t for t in stats.turnout if not t.voters],
            **_statistics_charts(stats),
        },
    )


def statistics_csv(request, committee_slug: str | None = None):
    committee = _statistics_committee(committee_slug)
    stats = statistics.statistics(committee=committee)
    table = exports.Table(
        _("Statistics"),
        [_("Figure"), _("Round or group"), _("Value")],
        statistics.statistics_rows(stats),
    )
    response = HttpResponse(exports.as_csv(table), content_type="text/csv; charset=utf-8")
    name = committee.slug if committee else "koebenhavn"
    response["Content-Disposition"] = f'attachment; filename="statistik-{name}.csv"'
    return response
