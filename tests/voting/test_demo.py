import io
from http import HTTPStatus

import pytest
from django.core.management import call_command
from django.urls import reverse

from committees.models import BudgetRound
from voting.ballot_box import AlreadyVoted
from voting.codes import services as codes_services
from voting.models import Ballot, Participation, RoundResult

pytestmark = pytest.mark.django_db


def test_demo_has_a_round_in_voting_and_a_published_result(client, settings, tmp_path, home_page):
    settings.VAR_DIR, settings.DEBUG = tmp_path, True
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    voting = BudgetRound.objects.get(committee__name="Østerbro Lokaludvalg", slug="demo-voting")
    results = BudgetRound.objects.get(committee__name="Østerbro Lokaludvalg", slug="demo-results")
    assert voting.phase == "voting" and Ballot.objects.filter(budget_round=voting).count() == 40
    assert Participation.objects.filter(budget_round=voting).count() == 40
    result = RoundResult.objects.get(budget_round=results)
    assert result.final_selected and result.ballot_count == 40
    page = client.get(reverse("voting:results", args=[results.pk]))
    assert page.status_code == HTTPStatus.OK
    assert result.ballots_sha256 in page.content.decode()
    again = io.StringIO()
    call_command("seed_demo", stdout=again)
    assert Ballot.objects.count() == 80  # nothing added by a second run
    # The printed demo codes work, and the demo resident may vote online straight away.
    from committees.models import User
    from voting import services

    codes = out.getvalue().split("/kode/: ", 1)[1].split()[0:3]
    codes = [c.strip(",") for c in codes]
    assert (
        again.getvalue().split("/kode/: ", 1)[1].split()[0:3]
        == out.getvalue().split("/kode/: ", 1)[1].split()[0:3]
    )
    assert (
        codes_services.code_redeem(budget_round=voting, code=codes[0], client="t").batch == "Demo"
    )
    resident = User.objects.get(email="beboer@demo.borgerbudget.dk")
    assert services.eligibility_online(user=resident, budget_round=voting).can_vote
    # The first letter is the resident's own: once they vote online, it is refused.
    project = next(iter(services.ballot_costs(voting)))
    services.ballot_cast_online(user=resident, budget_round=voting, selection={project: 1})
    with pytest.raises(AlreadyVoted):
        codes_services.ballot_cast_with_code(
            budget_round=voting, code=codes[0], selection={project: 1}, client="t"
        )


def test_demo_has_a_meeting_with_its_live_display_ready(client, settings, tmp_path, home_page):
    from voting.models import MeetingLive, QuickVote

    settings.VAR_DIR, settings.DEBUG = tmp_path, True
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    call_command("seed_demo", stdout=io.StringIO())  # idempotent
    live = MeetingLive.objects.get()
    assert live.room_voting_open and live.meeting.budget_round.slug == "demo-voting"
    path = reverse("voting:live_meeting", args=[live.meeting.pk])
    assert path in out.getvalue()
    assert client.get(path).status_code == HTTPStatus.OK
    snapshot = client.get(reverse("voting:live_meeting_snapshot", args=[live.meeting.pk])).json()
    assert snapshot["round"]["tally_state"] == "shown" and snapshot["round"]["ballots"] == 40
    quick = QuickVote.objects.get()  # one closed quick vote, in the earlier meeting's minutes
    assert not quick.is_open and quick.result == [14, 4, 2]
    assert quick.meeting.minutes_entries.get(kind="quick_vote").params["question"] == quick.question


def test_demo_results_and_statistics_pages_show_charts_and_figures(
    client, settings, tmp_path, home_page
):
    settings.VAR_DIR, settings.DEBUG = tmp_path, True
    call_command("seed_demo", stdout=io.StringIO())
    results = BudgetRound.objects.get(committee__name="Østerbro Lokaludvalg", slug="demo-results")
    results_url = reverse("voting:results", args=[results.pk])
    committee_url = reverse("voting:statistics_committee", args=[results.committee.slug])
    city_url = reverse("voting:statistics")
    html = client.get("/en" + results_url).content.decode()
    assert "Funded projects" in html and html.count('role="img"') >= 5
    assert "Turnout by age band" in html and "Other groups" in html  # small bands merged
    for url in (committee_url, city_url):
        page = client.get("/en" + url).content.decode()
        assert "Turnout per round" in page and "Money granted per category" in page
        assert "No data yet." not in page.split("Proposals by category", 1)[1].split("</table>")[0]
