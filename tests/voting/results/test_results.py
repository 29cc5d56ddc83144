"""The results page, the committee's downloads, following a round and the results e-mail."""

import csv
import io
import json
from http import HTTPStatus

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse
from openpyxl import load_workbook

from committees.accounts import privacy
from committees.models import BudgetRound
from proposals.models import State
from tests import factories
from tests.voting.conftest import project_ids
from voting import keys, selectors, services
from voting.models import Ballot, Participation, RoundFollow
from voting.results import services as results_services

pytestmark = pytest.mark.django_db


def _to_results_phase(budget_round):
    """The clock passes the end of voting (the dates move past the model, which freezes them
    once voting has opened)."""
    dates = factories.round_dates(phase="results")
    BudgetRound.objects.filter(pk=budget_round.pk).update(**dates)
    for name, value in dates.items():
        setattr(budget_round, name, value)


def _vote(budget_round, selections, *, area, age_bands, channels):
    """Ballots and participation rows as the ballot box stores them: never linked."""
    day = budget_round.voting_start.date()
    for number, selection in enumerate(selections):
        Participation.objects.create(
            budget_round=budget_round,
            voter_key=keys.voter_key(round_id=budget_round.pk, person=f"p{number}"),
            channel=channels[number % len(channels)],
            voted_on=day,
            area=area,
            age_band=age_bands[number % len(age_bands)],
        )
        Ballot.objects.create(
            budget_round=budget_round,
            selection=selection,
            channel=channels[number % len(channels)],
            cast_on=day,
            receipt_code=keys.new_receipt(),
        )


@pytest.fixture
def published(committee, voting_round):
    """12 voters: 10 aged 25-34, 2 aged 65+; 11 online, 1 on paper."""
    ids = project_ids(voting_round)
    selections = [{ids["Bænke"]: 1, ids["Træer"]: 1}] * 8 + [{ids["Legeplads"]: 1}] * 4
    _vote(
        voting_round,
        selections,
        area=committee.district,
        age_bands=["25-34"] * 5 + ["65+"],  # numbers 5 and 11 are 65+
        channels=["online"] * 11 + ["paper"],
    )
    _to_results_phase(voting_round)
    return voting_round


def test_turnout_hides_groups_below_the_threshold(published, settings, english):
    settings.RESULTS_MIN_GROUP_SIZE = 10
    by = {b.dimension: b for b in selectors.round_turnout_groups(budget_round=published)}
    ages = {g.label: g.count for g in by["age_band"].groups}
    assert ages["25-34"] == 10
    assert "65+" not in ages and ages["Other groups"] is None  # 2 voters: neither shown nor summed
    assert by["age_band"].merged_groups == 1
    assert [g.count for g in by["area"].groups] == [12]
    settings.RESULTS_MIN_GROUP_SIZE = 2
    by = {b.dimension: b for b in selectors.round_turnout_groups(budget_round=published)}
    assert {g.label: g.count for g in by["age_band"].groups} == {"25-34": 10, "65+": 2}


def test_results_page_shows_winners_pot_explanations_charts_and_suppressed_turnout(
    client, published, settings
):
    settings.RESULTS_MIN_GROUP_SIZE = 10
    html = client.get("/en" + reverse("voting:results", args=[published.pk])).content.decode()
    assert "Funded projects" in html and "Bænke" in html
    assert "were left when its turn came" in html  # the rule's explanation per project
    assert html.count('role="img"') >= 5  # votes, pot, three turnout breakdowns
    assert "Votes per project" in html and "<desc" in html  # each chart has a text alternative
    assert "fewer than 10" in html and "65+" not in html
    assert "(paper)" not in html and "On paper" not in html  # one paper voter is not singled out
    assert "Downloads for the committee" not in html  # the exports are for the committee


def _export_url(budget_round, kind, fmt):
    return reverse("voting:round_export", args=[budget_round.pk, kind, fmt])


@pytest.mark.parametrize("role", [None, "host", "polling_staff", "other_committee"])
def test_exports_are_refused_to_everyone_but_the_committees_staff(client, published, role):
    url = _export_url(published, "results", "csv")
    assert client.get(url).status_code == HTTPStatus.FORBIDDEN  # anonymous too
    person = factories.user()
    if role == "other_committee":
        other = factories.committee("Valby Lokaludvalg", district_name="Valby")
        factories.moderator(committee=other, person=person)
    elif role:
        factories.staff(committee=published.committee, role=role, person=person)
    client.force_login(person)
    assert client.get(url).status_code == HTTPStatus.FORBIDDEN


@pytest.mark.parametrize("role", ["moderator", "reviewer"])
def test_committee_staff_download_csv_and_excel_without_personal_data(
    client, published, role, django_capture_on_commit_callbacks
):
    author = factories.user(email="author-secret@example.dk")
    factories.proposal(
        budget_round=published, author=author, state=State.SUBMITTED, title="=HYPERLINK(1)"
    )
    staff = factories.staff(
        committee=published.committee, role=role, email="staff-secret@example.dk"
    )
    client.force_login(staff)
    urls = {
        (k, f): _export_url(published, k, f)
        for k in ("proposals", "results", "turnout")
        for f in ("csv", "xlsx")
    }
    html = client.get("/en" + reverse("voting:results", args=[published.pk])).content.decode()
    assert "/en" + urls["turnout", "xlsx"] in html
    for kind in ("proposals", "results", "turnout"):
        response = client.get("/en" + urls[kind, "csv"])
        assert response.status_code == HTTPStatus.OK
        text = response.content.decode("utf-8-sig")
        rows = list(csv.reader(io.StringIO(text)))
        assert len(rows) > 1
        assert "@" not in text  # no e-mail address
        for user_id in (author.pk, staff.pk):
            assert not any(cell == str(user_id) for row in rows for cell in row[:1])
        for ballot in Ballot.objects.filter(budget_round=published):
            assert str(ballot.pk) not in text and ballot.receipt_code not in text
        book = load_workbook(io.BytesIO(client.get("/en" + urls[kind, "xlsx"]).content))
        cells = [c for row in book.active.iter_rows(values_only=True) for c in row]
        assert not any(isinstance(c, str) and "@" in c for c in cells)
        if kind == "proposals":
            assert "'=HYPERLINK(1)" in text  # a title is never run as a formula
            assert all(not str(c).startswith("=") for c in cells if c is not None)
            assert book.active["B1"].value == "Title"
    results = client.get("/en" + urls["results", "csv"]).content.decode()
    assert "Bænke" in results and "yes" in results
    missing = urls["results", "csv"].replace("results", "nothing")
    assert client.get(missing).status_code == HTTPStatus.NOT_FOUND


def test_pb_file_is_public_and_its_digest_is_on_the_page(client, published):
    import hashlib

    pb = client.get(reverse("voting:ballots_file", args=[published.pk]))
    assert pb.status_code == HTTPStatus.OK
    html = client.get(reverse("voting:results", args=[published.pk])).content.decode()
    assert hashlib.sha256(pb.content).hexdigest() in html


def test_follow_and_unfollow_a_round(client, voting_round):
    url = reverse("voting:follow", args=[voting_round.pk])
    assert client.post(url, {"action": "follow"}).status_code == HTTPStatus.FOUND
    assert not RoundFollow.objects.exists()  # anonymous: sent to log in
    resident = factories.user()
    client.force_login(resident)
    client.post(url, {"action": "follow"})
    client.post(url, {"action": "follow"})
    assert RoundFollow.objects.filter(user=resident).count() == 1
    exported = privacy.export(resident)
    assert voting_round.title in json.dumps(exported["voting"], default=str)
    client.post(url, {"action": "unfollow"})
    assert not RoundFollow.objects.exists()
    services.round_follow(user=resident, budget_round=voting_round)
    privacy.account_delete(user=resident)
    assert not RoundFollow.objects.exists()


def test_results_email_once_after_commit_in_each_recipients_language(
    published, django_capture_on_commit_callbacks
):
    ids = project_ids(published)
    proposals = {p.title: p for p in published.proposals.all()}
    author_en = proposals["Bænke"].author
    author_en.preferred_language = "en"
    author_en.save()
    author_da = proposals["Legeplads"].author
    author_da.preferred_language = "da"
    author_da.save()
    follower = factories.user(preferred_language="en")
    services.round_follow(user=follower, budget_round=published)
    services.round_follow(user=author_en, budget_round=published)  # author and follower: once
    factories.user()  # neither author nor follower
    moderator = factories.moderator(committee=published.committee)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        results_services.result_confirm(moderator=moderator, budget_round=published)
    assert mail.outbox == []  # nothing before the confirmation commits
    with django_capture_on_commit_callbacks(execute=True):  # the queued sends
        for callback in callbacks:
            callback()
    by_address = {}
    for message in mail.outbox:
        assert len(message.to) == 1
        by_address.setdefault(message.to[0], []).append(message)
    recipients = {p.author.email for p in published.proposals.all() if p.author} | {follower.email}
    assert set(by_address) == recipients
    assert all(len(m) == 1 for m in by_address.values()), [(m.to, m.subject) for m in mail.outbox]
    english = by_address[author_en.email][0]
    assert english.subject == f"The results of {published.title} are published"
    assert 'Your proposal "Bænke" was selected.' in english.body
    assert f"/en/afstemning/runde/{published.pk}/resultat/" in english.body
    danish = by_address[author_da.email][0]
    assert "/en/" not in danish.body
    assert f"/afstemning/runde/{published.pk}/resultat/" in danish.body
    assert "Dear" not in danish.body  # rendered in Danish, not in the source language
    assert ids["Legeplads"]  # the Danish author's proposal was on the ballot
    with pytest.raises(ValidationError):
        with django_capture_on_commit_callbacks(execute=True):
            results_services.result_confirm(moderator=moderator, budget_round=published)
    assert len(mail.outbox) == len(recipients)  # a second confirmation sends nothing


def test_moderators_find_the_downloads_from_the_voting_overview(client, published):
    moderator = factories.moderator(committee=published.committee)
    client.force_login(moderator)
    html = client.get(reverse("voting_overview")).content.decode()
    assert reverse("voting:results", args=[published.pk]) + "#downloads" in html


def test_proposals_export_works_before_the_results_and_results_wait_for_them(client, voting_round):
    moderator = factories.moderator(committee=voting_round.committee)
    client.force_login(moderator)
    proposals = client.get(_export_url(voting_round, "proposals", "xlsx"))
    assert proposals.status_code == HTTPStatus.OK
    assert load_workbook(io.BytesIO(proposals.content)).active.max_row == 4  # header + 3
    results = client.get(_export_url(voting_round, "results", "csv"))
    assert results.status_code == HTTPStatus.NOT_FOUND  # still voting
