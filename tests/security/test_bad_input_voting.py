"""Bad input to voting: malformed ballots, wrong, replayed and locked one-time codes, unknown or
early downloads and statistics of unknown committees. Nothing is cast, nothing is used up."""

from http import HTTPStatus

import pytest
from django.test import Client

from tests import factories
from tests.security.bad_input import SCRIPT, en
from voting.models import Ballot, VotingCode

pytestmark = pytest.mark.django_db


# --- Voting: ballots and one-time codes -------------------------------------------------------


def _round_with_projects(committee, style, count=3):
    budget_round = factories.voting_round(
        committee=committee,
        ballot_style=style,
        projects=tuple((f"Projekt {n}", 10_000) for n in range(count)),
    )
    return budget_round, [str(p.pk) for p in budget_round.proposals.order_by("pk")]


BALLOT_CASES = [
    pytest.param("cumulative", ["-1"], "whole numbers", id="points-negative"),
    pytest.param("cumulative", ["9999999"], "whole numbers", id="points-huge"),
    pytest.param("cumulative", ["abc"], "whole numbers", id="points-letters"),
    pytest.param("cumulative", ["1e3"], "whole numbers", id="points-exponent"),
    pytest.param("cumulative", ["²"], "whole numbers", id="points-superscript-digit"),
    pytest.param("cumulative", ["6"], "At most 5 points", id="points-over-per-project"),
    pytest.param("cumulative", ["5", "5", "5"], "at most 10 points", id="points-over-total"),
    pytest.param("cumulative", ["0", "0"], "at least one point", id="points-all-zero"),
    pytest.param("ranking", ["1", "1"], "without gaps or repeats", id="ranks-duplicate"),
    pytest.param("ranking", ["1", "3"], "without gaps or repeats", id="ranks-gap"),
    pytest.param("ranking", ["-2"], "whole numbers", id="rank-negative"),
    pytest.param("ranking", ["999999"], "without gaps or repeats", id="rank-huge"),
    pytest.param("approval", "NOT_A_PROJECT", "not on it", id="approval-unknown-project"),
    pytest.param("approval", "HUGE_ID", "not on it", id="approval-overflowing-project-id"),
]


@pytest.mark.parametrize(("style", "values", "error"), BALLOT_CASES)
def test_bad_ballot_is_refused_with_a_reason_and_nothing_is_cast(
    client, committee, style, values, error
):
    budget_round, pids = _round_with_projects(committee, style)
    client.force_login(factories.verified_voter(area=committee.district))
    if style == "approval":
        data = {"project": ["abc" if values == "NOT_A_PROJECT" else "9" * 30]}
    else:
        data = {f"value_{pid}": value for pid, value in zip(pids, values, strict=False)}
    response = client.post(en("voting:ballot", budget_round.pk), data)
    assert response.status_code == HTTPStatus.BAD_REQUEST
    html = response.content.decode()
    assert error.lower() in html.lower() and "alert-error" in html
    assert not Ballot.objects.exists()


@pytest.fixture
def code_round(committee):
    budget_round, pids = _round_with_projects(committee, "approval")
    return budget_round, pids


def _post_code(client, budget_round, code, pids):
    return client.post(
        en("voting:ballot_code", budget_round.pk),
        {"code": code, "project": pids[:1]},
    )


def test_replayed_one_time_code_is_refused(client, code_round):
    budget_round, pids = code_round
    code = factories.letter_codes(budget_round=budget_round, count=1)[0]
    assert _post_code(client, budget_round, code, pids).status_code == HTTPStatus.FOUND
    response = _post_code(Client(), budget_round, code.lower().replace("-", " "), pids)
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert "already been used" in response.content.decode()
    assert Ballot.objects.count() == 1


CODE_CASES = [
    pytest.param("ANOTHER_ROUND", "not right", id="code-of-another-round"),
    pytest.param("ABC", "12 letters and digits", id="code-too-short"),
    pytest.param("A" * 5000, "12 letters and digits", id="code-overlong"),
    pytest.param(SCRIPT, "12 letters and digits", id="code-script"),
    pytest.param("", "12 letters and digits", id="code-empty"),
]


@pytest.mark.parametrize(("code", "error"), CODE_CASES)
def test_wrong_or_malformed_code_is_refused(client, committee, code_round, code, error):
    budget_round, pids = code_round
    factories.letter_codes(budget_round=budget_round, count=1)
    if code == "ANOTHER_ROUND":
        other, _ = _round_with_projects(committee, "approval", count=1)
        code = factories.letter_codes(budget_round=other, count=1)[0]
    response = _post_code(client, budget_round, code, pids)
    assert response.status_code == HTTPStatus.BAD_REQUEST
    html = response.content.decode()
    assert error in html and "alert-error" in html
    assert "<script>alert" not in html
    assert not Ballot.objects.exists()
    assert not VotingCode.objects.filter(used=True).exists()


def test_five_near_miss_codes_lock_the_real_one(client, code_round):
    budget_round, pids = code_round
    code = factories.letter_codes(budget_round=budget_round, count=1)[0]
    prefix = code.replace("-", "")[:4]
    for i in range(5):
        wrong = f"{prefix}ZZZZZZZ{i}"
        response = _post_code(client, budget_round, wrong, pids)
        assert "not right" in response.content.decode()
    response = _post_code(client, budget_round, code, pids)
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert "locked after too many wrong tries" in response.content.decode()
    assert not Ballot.objects.exists()
    assert VotingCode.objects.get().misses == VotingCode.MAX_MISSES


def test_invalid_ballot_with_a_good_code_keeps_the_code_usable(client, code_round):
    budget_round, pids = code_round
    code = factories.letter_codes(budget_round=budget_round, count=1)[0]
    response = client.post(
        en("voting:ballot_code", budget_round.pk),
        {"code": code, "project": ["abc"]},
    )
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert not VotingCode.objects.get().used and not Ballot.objects.exists()
    assert _post_code(client, budget_round, code, pids).status_code == HTTPStatus.FOUND


# --- Downloads, statistics, follow-up ---------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "fmt"),
    [("ballots", "csv"), ("proposals", "exe"), ("../../etc/passwd", "csv"), ("results", "xlsx")],
)
def test_unknown_or_early_download_is_not_found(client, committee, moderator, kind, fmt):
    budget_round = factories.budget_round(committee=committee, phase="voting")
    client.force_login(moderator)
    url = f"/en/afstemning/runde/{budget_round.pk}/eksport/{kind}.{fmt}"
    assert client.get(url).status_code == HTTPStatus.NOT_FOUND


@pytest.mark.parametrize("slug", ["ukendt", "x" * 300, "%3Cscript%3E"])
def test_statistics_of_an_unknown_committee_are_not_found(client, committee, slug):
    assert client.get(f"/en/afstemning/statistik/{slug}/").status_code == HTTPStatus.NOT_FOUND
