"""voting.tally against pabutools 1.2.3, on real pabulib files and on generated elections."""

import os
import random
from contextlib import contextmanager
from fractions import Fraction
from pathlib import Path
from types import MappingProxyType
from unittest import mock

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pabutools.election import (
    Additive_Borda_Sat,
    Additive_Cardinal_Sat,
    ApprovalBallot,
    ApprovalProfile,
    Cardinality_Sat,
    Cost_Sat,
    CumulativeBallot,
    CumulativeProfile,
    Instance,
    Project,
)
from pabutools.election.pabulib import parse_pabulib_from_string
from pabutools.election.satisfaction import AdditiveSatisfaction
from pabutools.rules import greedy_utilitarian_welfare, method_of_equal_shares

from voting import tally
from voting.tally import election as tally_election
from voting.tally import equal_shares, floats, lists
from voting.tally.election import ApprovalBallots
from voting.tally.exact import equal_shares_exact
from voting.tally.pabulib import read_pb

DATA = Path(__file__).resolve().parents[2] / "data" / "pabulib"
FILES = sorted(DATA.glob("*.pb"))
RULES = ("greedy", "mes", "mes_add1")


class PointsCostSat(AdditiveSatisfaction):
    """Points x cost: pabutools' Cost_Sat weighted by points, our utility="cost"."""

    def __init__(self, instance, profile, ballot):
        super().__init__(
            instance, profile, ballot, lambda i, p, b, project, v: b.get(project, 0) * project.cost
        )


SAT_CLASSES = {
    ("approval", "cost"): Cost_Sat,
    ("approval", "points"): Cardinality_Sat,
    ("cumulative", "cost"): PointsCostSat,
    ("cumulative", "points"): Additive_Cardinal_Sat,
}


def pabutools_election(costs, budget, ballots, kind):
    projects = {p: Project(p, cost) for p, cost in costs.items()}
    instance = Instance(projects.values(), budget_limit=budget)
    if kind == "approval":
        profile = ApprovalProfile([ApprovalBallot(projects[p] for p in b) for b in ballots])
    else:
        profile = CumulativeProfile(
            [CumulativeBallot({projects[p]: v for p, v in b.items()}) for b in ballots]
        )
    return instance, profile.as_multiprofile()


def pabutools_rule(rule, instance, profile, sat_class):
    if rule == "greedy":
        outcome = greedy_utilitarian_welfare(instance, profile, sat_class=sat_class)
    elif rule == "mes":
        outcome = method_of_equal_shares(instance, profile, sat_class=sat_class)
    else:
        outcome = method_of_equal_shares(
            instance, profile, sat_class=sat_class, voter_budget_increment=1
        )
    return [p.name for p in outcome]


def ours(rule, costs, budget, ballots, utility="cost"):
    return getattr(tally, rule)(costs=costs, budget=budget, ballots=ballots, utility=utility)


@contextmanager
def list_engine():
    """Single runs of Equal Shares in the list engine, whatever the size of the election."""
    with (
        mock.patch.object(equal_shares, "SMALL", -1),
        mock.patch.object(equal_shares, "SINGLE_RUN_LISTS", 10**9),
    ):
        yield


def election_of(path):
    instance = read_pb(path)
    kind = "cumulative" if instance.vote_type in ("cumulative", "scoring") else "approval"
    return instance, kind, instance.costs(), instance.budget, instance.ballots()


# pabutools 1.2.3 with voter_budget_increment=1 on Warszawa Ochota takes minutes (105 s with
# Cost_Sat, 73 s with Cardinality_Sat on the reference machine): its outcomes are recorded here,
# and recomputed when PABUTOOLS_FULL=1.
WARSZAWA_ADD1 = {
    "cost": "1120 1225 182 1280 468 939 1110 1909 172 1369 1072 1094 1386 461 1051 2066 1353 "
    "1585 1030 399 1330 555 187 459 456 2050 1089 1031 532 716 917 1260 753 1940 706 1599 "
    "541 756 1956",
    "points": "1225 716 187 1110 1094 756 1599 753 1089 1280 1386 461 1940 1072 541 706 1030 "
    "939 1909 1353 1051 2066 459 182 1369 172 468 2050 1120 532 1260 1956 1031 1585 399 456 "
    "917 1330 426",
}
FULL = os.environ.get("PABUTOOLS_FULL") == "1"


@pytest.mark.parametrize("utility", ["cost", "points"])
@pytest.mark.parametrize("rule", RULES)
@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_real_file_matches_pabutools(path, rule, utility):
    _, kind, costs, budget, ballots = election_of(path)
    outcome = ours(rule, costs, budget, ballots, utility)
    if rule == "mes_add1" and "Warszawa" in path.name and not FULL:
        expected = WARSZAWA_ADD1[utility].split()
    else:
        instance, profile = pabutools_election(costs, budget, ballots, kind)
        expected = pabutools_rule(rule, instance, profile, SAT_CLASSES[kind, utility])
    assert outcome.selected == expected
    assert outcome.total_cost == sum(costs[p] for p in expected) <= budget
    if rule == "mes":
        # The list engine settles every decision of these files itself, and agrees.
        election = tally_election.prepare(costs, budget, ballots, utility)
        share = Fraction(budget, len(ballots))
        run = lists.equal_shares_lists(election, share.numerator, share.denominator)
        assert [election.ids[j] for j in run.selected] == expected
        with list_engine():
            assert ours(rule, costs, budget, ballots, utility).selected == expected


# The rule a file's META names, as one of ours (approval files: utility="cost").
DECIDING_RULES = {"greedy": "greedy", "equalshares": "mes", "equalshares/add1": "mes_add1"}


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_real_file_rule_reproduces_the_published_outcome(path):
    instance, _, costs, budget, ballots = election_of(path)
    rule = DECIDING_RULES.get(instance.meta.get("rule", ""))
    published = instance.published_selection()
    if rule is None or published is None:
        pytest.skip(f"rule {instance.meta.get('rule')!r}, no published selection to compare")
    assert sorted(ours(rule, costs, budget, ballots).selected) == sorted(published)


def test_assen_2024_was_decided_by_equal_shares_with_add1():
    instance, _, costs, budget, ballots = election_of(DATA / "Netherlands_Assen_2024.pb")
    assert instance.meta["rule"] == "equalshares/add1"
    published = sorted(instance.published_selection())
    assert sorted(tally.mes_add1(costs=costs, budget=budget, ballots=ballots).selected) == published
    # Neither plain Equal Shares nor approval-count utilities give that outcome.
    assert sorted(tally.mes(costs=costs, budget=budget, ballots=ballots).selected) != published
    outcome = tally.mes_add1(costs=costs, budget=budget, ballots=ballots, utility="points")
    assert sorted(outcome.selected) != published


ORDINAL = """META
key;value
budget;20
vote_type;ordinal
PROJECTS
project_id;cost
a;8
b;7
c;6
d;9
VOTES
voter_id;vote
1;b,a,c
2;c,d
3;a,c,b,d
4;d,a
5;b,c,a
"""


@pytest.mark.parametrize("rule", RULES)
def test_ordinal_ballots_as_borda_scores_match_pabutools(rule, tmp_path):
    path = tmp_path / "ordinal.pb"
    path.write_text(ORDINAL)
    instance = read_pb(path)
    outcome = ours(rule, instance.costs(), instance.budget, instance.ballots(), "points")
    pb_instance, profile = parse_pabulib_from_string(ORDINAL)
    assert outcome.selected == pabutools_rule(rule, pb_instance, profile, Additive_Borda_Sat)


# Ids chosen so that string order differs from number order ("10" < "9").
PROJECT_IDS = ["1", "2", "3", "9", "10", "11", "20", "a", "B", "b", "x7", "é"]


@st.composite
def elections(draw, kind):
    ids = draw(st.lists(st.sampled_from(PROJECT_IDS), min_size=2, max_size=12, unique=True))
    unit = draw(st.sampled_from([1, 1, 7]))  # 7: more add1 increments
    costs = {p: unit * draw(st.sampled_from([1, 2, 3, 4, 6, 8, 12, 15, 20])) for p in ids}
    if kind == "approval":
        ballot = st.sets(st.sampled_from(ids), max_size=6).map(
            lambda s: dict.fromkeys(sorted(s), 1)
        )
    else:
        ballot = st.dictionaries(st.sampled_from(ids), st.integers(1, 3), max_size=6)
    if draw(st.booleans()):  # a few distinct ballots, many voters each: exact ties abound
        ballot = st.sampled_from(draw(st.lists(ballot, min_size=1, max_size=4)))
    voters = draw(st.integers(1, 40))
    ballots = draw(st.lists(ballot, min_size=voters, max_size=voters))
    budget = draw(st.integers(0, sum(costs.values()) // draw(st.sampled_from([1, 4]))))
    return costs, budget, ballots


def check_against_pabutools(costs, budget, ballots, kind, utility):
    instance, profile = pabutools_election(costs, budget, ballots, kind)
    sat_class = SAT_CLASSES[kind, utility]
    for rule in RULES:
        expected = pabutools_rule(rule, instance, profile, sat_class)
        assert ours(rule, costs, budget, ballots, utility).selected == expected, rule
    # The float engine, where it certifies its result, and the add1 loop without skipping.
    election = tally_election.prepare(costs, budget, ballots, utility)
    if ballots:
        share = Fraction(budget, len(ballots))
        exact = equal_shares_exact(
            election, share.numerator, share.denominator, track=False
        ).selected
        floating = equal_shares.try_float(election, share.numerator, share.denominator)
        assert floating is None or floating.selected == exact
        listed = equal_shares.try_lists(election, share.numerator, share.denominator)
        assert listed is None or listed.selected == exact
    with list_engine():
        listed = ours("mes", costs, budget, ballots, utility).selected
    assert listed == pabutools_rule("mes", instance, profile, sat_class)
    with mock.patch.object(equal_shares, "SMALL", -1):
        floated = ours("mes_add1", costs, budget, ballots, utility).selected
    assert floated == pabutools_rule("mes_add1", instance, profile, sat_class)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(election=elections("approval"), utility=st.sampled_from(["cost", "points"]))
def test_generated_approval_elections_match_pabutools(election, utility):
    check_against_pabutools(*election, "approval", utility)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(election=elections("cumulative"), utility=st.sampled_from(["cost", "points"]))
def test_generated_cumulative_elections_match_pabutools(election, utility):
    check_against_pabutools(*election, "cumulative", utility)


def add1_stepwise(costs, budget, ballots, utility):
    """Equal Shares with add1 one increment at a time, as pabutools runs it."""
    supported = {p for ballot in ballots for p, v in ballot.items() if v}
    start, previous, step = Fraction(budget, len(ballots)), [], 0
    while True:
        selected = tally.mes(
            costs=costs, budget=budget, ballots=ballots, utility=utility, voter_budget=start + step
        ).selected
        spent = sum(costs[p] for p in selected)
        if spent > budget:
            return previous
        if all(p in selected or costs[p] > budget - spent for p in supported):
            return selected
        previous, step = selected, step + 1


@pytest.mark.parametrize("seed", range(12))
def test_add1_skipping_increments_agrees_with_stepping_one_by_one(seed):
    rng = random.Random(seed)
    ids = [str(i) for i in range(rng.randint(3, 14))]
    costs = {p: rng.randint(1, 40) * 25 for p in ids}
    weights = [rng.random() for _ in ids]
    ballots = []
    for _ in range(rng.randint(5, 120)):
        chosen = set(rng.choices(ids, weights, k=rng.randint(0, 5)))
        ballots.append({p: rng.choice([1, 1, 2, 3]) if seed % 2 else 1 for p in chosen})
    budget = sum(costs.values()) // 3
    for utility in ("cost", "points"):
        expected = add1_stepwise(costs, budget, ballots, utility)
        outcome = tally.mes_add1(costs=costs, budget=budget, ballots=ballots, utility=utility)
        assert outcome.selected == expected
        with mock.patch.object(equal_shares, "SMALL", -1):
            assert ours("mes_add1", costs, budget, ballots, utility).selected == expected


@pytest.mark.parametrize("seed", range(6))
def test_float_engine_agrees_with_exact_engine_on_larger_elections(seed):
    rng = random.Random(100 + seed)
    ids = [f"p{i}" for i in range(40)]
    costs = {p: rng.randrange(1_000, 90_000, 100) for p in ids}
    popularity = [rng.lognormvariate(0, 1) for _ in ids]
    ballots = [
        {p: (rng.randint(1, 4) if seed % 2 else 1) for p in rng.choices(ids, popularity, k=5)}
        for _ in range(2_000)
    ]
    budget = sum(costs.values()) // 4
    election = tally_election.prepare(costs, budget, ballots, "cost")
    for extra in (0, 7, 40):
        share = Fraction(budget, len(ballots)) + extra
        exact = equal_shares_exact(election, share.numerator, share.denominator, track=False)
        for engine in (floats.equal_shares_float, lists.equal_shares_lists):
            floating = engine(election, share.numerator, share.denominator)
            assert floating.selected == exact.selected
            assert floating.explanations.keys() == exact.explanations.keys()
            for project, explanation in exact.explanations.items():
                assert_same_explanation(floating.explanations[project], explanation)


def assert_same_explanation(actual, expected):
    assert actual.keys() == expected.keys()
    for key, value in expected.items():
        if isinstance(value, float):
            assert actual[key] == pytest.approx(value, rel=1e-9, abs=1e-9), key
        else:
            assert actual[key] == value, key


FLOAT_ENGINES = {"float": floats.equal_shares_float, "lists": lists.equal_shares_lists}


@pytest.mark.parametrize("engine", FLOAT_ENGINES)
def test_float_engines_leave_exact_ties_to_the_exact_engine(engine):
    # Two voters with 50 each and a project costing exactly their 100.
    election = tally_election.prepare({"a": 100}, 100, [{"a": 1}, {"a": 1}], "cost")
    with pytest.raises(floats.Uncertain):
        FLOAT_ENGINES[engine](election, 50, 1)
    with list_engine():
        assert tally.mes(costs={"a": 100}, budget=100, ballots=[{"a": 1}, {"a": 1}]).selected == [
            "a"
        ]


@pytest.mark.parametrize("engine", FLOAT_ENGINES)
def test_float_engines_leave_a_supporter_with_exactly_the_share_to_the_exact_engine(engine):
    # Three voters with 40 each. X (20) is backed by v1 alone and funded first (20 per point,
    # Y's 33.33 is dearer); then Y (100), backed by all three: v1 pays the 20 left, and v2 and
    # v3 pay exactly all they have, 40 each. Floats cannot tell whether 40 is enough.
    costs, ballots = {"X": 20, "Y": 100}, [{"X": 1, "Y": 1}, {"Y": 1}, {"Y": 1}]
    election = tally_election.prepare(costs, 120, ballots, "points")
    with pytest.raises(floats.Uncertain):
        FLOAT_ENGINES[engine](election, 40, 1)
    instance, profile = pabutools_election(costs, 120, ballots, "approval")
    expected = pabutools_rule("mes", instance, profile, Cardinality_Sat)
    assert expected == ["X", "Y"]
    with list_engine():
        assert ours("mes", costs, 120, ballots, "points").selected == expected


@pytest.mark.parametrize("engine", FLOAT_ENGINES)
def test_float_engines_settle_equal_prices_exactly(engine):
    # Six voters with 19 each: three back all four projects, three only "11" and "20". "9" and
    # "10" (30) tie at 10 per point; "10" wins, as "10" < "9" in string order. Then "9" is out
    # of reach (3 x 9 < 30), and "11" and "20" (66) tie at a split price: the first three pay
    # the 9 they have left, the others 13. The engines settle both ties with exact fractions,
    # without handing the run over.
    costs = {"9": 30, "10": 30, "11": 66, "20": 66}
    ballots = [{"9": 1, "10": 1, "11": 1, "20": 1}] * 3 + [{"11": 1, "20": 1}] * 3
    election = tally_election.prepare(costs, 114, ballots, "points")
    run = FLOAT_ENGINES[engine](election, 19, 1)
    instance, profile = pabutools_election(costs, 114, ballots, "approval")
    expected = pabutools_rule("mes", instance, profile, Cardinality_Sat)
    assert [election.ids[j] for j in run.selected] == expected == ["10", "11"]
    assert run.explanations[election.ids.index("11")]["supporters_paying_all"] == 3


@pytest.mark.parametrize("rule", RULES)
def test_ties_go_to_the_id_first_in_string_order(rule):
    costs = {"9": 10, "10": 10}
    ballots = [{"9": 1, "10": 1}] * 3
    outcome = ours(rule, costs, 10, ballots)
    instance, profile = pabutools_election(costs, 10, ballots, "approval")
    assert outcome.selected == ["10"] == pabutools_rule(rule, instance, profile, Cost_Sat)


# Four voters with 100 each. A (150) is backed by v1-v3, B (120) by v1 and v4, C (300) by v2
# only, D (100) by nobody.
COSTS = {"A": 150, "B": 120, "C": 300, "D": 100}
BALLOTS = [{"A": 1, "B": 1}, {"A": 1, "C": 1}, {"A": 1}, {"B": 1}]


def test_greedy_explanations():
    outcome = tally.greedy(costs=COSTS, budget=400, ballots=BALLOTS)
    # Projects nobody voted for are funded last if money remains, as in pabutools.
    assert outcome.selected == ["A", "B", "D"]
    assert outcome.total_cost == 370
    assert outcome.explanations == {
        "A": {"rank": 1, "score": 3, "cost": 150, "remaining_before": 400, "status": "funded"},
        "B": {"rank": 2, "score": 2, "cost": 120, "remaining_before": 250, "status": "funded"},
        "C": {
            "rank": 3,
            "score": 1,
            "cost": 300,
            "remaining_before": 130,
            "status": "not_funded",
            "reason": "exceeds_remaining_budget",
        },
        "D": {"rank": 4, "score": 0, "cost": 100, "remaining_before": 130, "status": "funded"},
    }


@pytest.mark.parametrize("engine", ["exact", "lists", "float"])
def test_equal_shares_explanations(engine):
    small = 10**9 if engine == "exact" else -1
    lists_up_to = 10**9 if engine == "lists" else -1
    with (
        mock.patch.object(equal_shares, "SMALL", small),
        mock.patch.object(equal_shares, "SINGLE_RUN_LISTS", lists_up_to),
    ):
        outcome = tally.mes(costs=COSTS, budget=400, ballots=BALLOTS)
        # In floats every decision here is clear-cut, so no fallback happens.
        election = tally_election.prepare(COSTS, 400, BALLOTS, "cost")
        assert equal_shares.try_float(election, 100, 1) is not None
        assert equal_shares.try_lists(election, 100, 1) is not None
    assert outcome.selected == ["A", "B"]
    assert outcome.total_cost == 270
    explanations = outcome.explanations
    # A: three supporters pay 50 each; rho is the price per unit of utility (cost x vote).
    assert explanations["A"] == pytest.approx(
        {
            "cost": 150,
            "status": "funded",
            "round": 1,
            "supporters": 3,
            "supporters_budget": 300.0,
            "share": 50.0,
            "effective_votes": 3.0,
            "rho": 50 / 150,
            "supporters_paying_all": 0,
            "supporters_without_money": 0,
        }
    )
    # B: v1 has 50 left and pays it all, v4 pays the remaining 70.
    assert explanations["B"] == pytest.approx(
        {
            "cost": 120,
            "status": "funded",
            "round": 2,
            "supporters": 2,
            "supporters_budget": 150.0,
            "share": 70.0,
            "effective_votes": 120 / 70,
            "rho": 70 / 120,
            "supporters_paying_all": 1,
            "supporters_without_money": 0,
        }
    )
    # C: its only supporter, v2, has 50 left at the end.
    assert explanations["C"] == {
        "cost": 300,
        "status": "not_funded",
        "reason": "supporters_budget_too_small",
        "supporters": 1,
        "supporters_budget": 50.0,
    }
    assert explanations["D"] == {
        "cost": 100,
        "status": "not_funded",
        "reason": "no_supporters",
        "supporters": 0,
    }
    assert outcome.details == {
        "budget": 400,
        "utility": "cost",
        "voters": 4,
        "voter_budget": 100.0,
    }


def test_add1_explanations_and_details():
    outcome = tally.mes_add1(costs=COSTS, budget=400, ballots=BALLOTS)
    instance, profile = pabutools_election(COSTS, 400, BALLOTS, "approval")
    assert outcome.selected == pabutools_rule("mes_add1", instance, profile, Cost_Sat)
    details = outcome.details
    assert details["voter_budget"] == details["voter_budget_start"] + details["increments"]
    assert details["voter_budget_start"] == 100.0
    funded = [p for p, e in outcome.explanations.items() if e["status"] == "funded"]
    assert sorted(funded) == sorted(outcome.selected)
    rounds = [outcome.explanations[p]["round"] for p in outcome.selected]
    assert rounds == list(range(1, len(rounds) + 1))


def test_explanations_cover_every_project_of_a_real_file():
    _, _, costs, budget, ballots = election_of(DATA / "Poland_Warszawa_2020_Ochota.pb")
    for rule in RULES:
        outcome = ours(rule, costs, budget, ballots)
        assert set(outcome.explanations) == set(costs)
        for project, explanation in outcome.explanations.items():
            assert explanation["status"] == (
                "funded" if project in outcome.selected else "not_funded"
            )
            if rule != "greedy" and explanation["status"] == "funded":
                # The supporters' money covers the cost; full shares are at most their money.
                assert explanation["supporters_budget"] >= costs[project] - 1e-6
                assert explanation["share"] * explanation["effective_votes"] == pytest.approx(
                    costs[project]
                )


def test_no_voters_and_no_money():
    assert tally.mes(costs=COSTS, budget=400, ballots=[]).selected == []
    assert tally.mes_add1(costs=COSTS, budget=400, ballots=[]).selected == []
    assert tally.greedy(costs=COSTS, budget=400, ballots=[]).selected == ["A", "B", "D"]
    for rule in RULES:
        assert ours(rule, COSTS, 0, BALLOTS).selected == []


@pytest.mark.parametrize(
    ("costs", "budget", "ballots", "words"),
    [
        ({"A": 0}, 10, [], "cost of 'A'"),
        ({"A": -3}, 10, [], "cost of 'A'"),
        ({"A": 2.5}, 10, [], "cost of 'A'"),
        ({"A": 3}, -1, [], "budget"),
        ({"A": 3}, 10, [{"Z": 1}], "unknown project 'Z'"),
        ({"A": 3}, 10, [{"Z": 0}], "unknown project 'Z'"),
        ({"A": 3}, 10, [{"A": -1}], "'A' must be an integer"),
        ({"A": 3}, 10, [{"A": 1.0}], "'A' must be an integer"),
        ({"A": 3}, 10, [["A"]], "must map project ids"),
        # Approval ballots are counted in bulk: a value equal to 1 that is not the integer 1
        # is still refused, and an unknown project still named.
        ({"A": 3}, 10, [{"A": 1}, {"A": True}], "'A' must be an integer"),
        ({"A": 3}, 10, [{"A": 1}, {"A": 1.0}], "'A' must be an integer"),
        ({"A": 3}, 10, [{"A": 1}, {"A": 1, "Z": 1}], "unknown project 'Z'"),
    ],
)
@pytest.mark.parametrize("rule", RULES)
def test_bad_input(rule, costs, budget, ballots, words):
    with pytest.raises(ValueError, match=words):
        ours(rule, costs, budget, ballots)


@pytest.mark.parametrize("rule", RULES)
def test_approval_ballots_of_any_mapping_count_alike(rule):
    """Approval ballots as dicts and as the reader's lists (counted in bulk), and as other
    mappings (value by value)."""
    as_dicts = ours(rule, COSTS, 400, BALLOTS)
    as_mappings = ours(rule, COSTS, 400, [MappingProxyType(ballot) for ballot in BALLOTS])
    as_lists = ApprovalBallots([list(ballot) for ballot in BALLOTS])
    assert as_lists == BALLOTS
    assert as_dicts == as_mappings == ours(rule, COSTS, 400, as_lists)


def test_bad_utility():
    with pytest.raises(ValueError, match="utility"):
        tally.mes(costs=COSTS, budget=1, ballots=[], utility="votes")
