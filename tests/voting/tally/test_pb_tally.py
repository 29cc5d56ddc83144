"""pb_tally recounts any pabulib file from the command line."""

import io
import json
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from voting.tally.pabulib import read_pb

DATA = Path(__file__).resolve().parents[2] / "data" / "pabulib"


def _tally(path, rule):
    out = io.StringIO()
    call_command("pb_tally", str(path), "--rule", rule, "--json", stdout=out)
    return json.loads(out.getvalue())


def test_assen_2024_recounts_to_its_published_result_with_equal_shares_add1():
    path = DATA / "Netherlands_Assen_2024.pb"
    result = _tally(path, "mes_add1")
    instance = read_pb(path)
    assert result["rule"] == "mes_add1"
    assert sorted(result["selected"]) == sorted(instance.published_selection())
    costs = instance.costs()
    assert result["total_cost"] == sum(costs[p] for p in result["selected"])
    assert result["total_cost"] <= instance.budget


@pytest.mark.parametrize("rule", ["greedy", "mes", "mes_add1"])
@pytest.mark.parametrize("name", ["Poland_Warszawa_2020_Ochota.pb", "Switzerland_Zurich_D10.pb"])
def test_every_rule_answers_with_ids_from_the_file(rule, name):
    instance = read_pb(DATA / name)
    result = _tally(DATA / name, rule)
    assert set(result["selected"]) <= set(instance.projects)
    assert result["total_cost"] <= instance.budget


@pytest.mark.parametrize(
    ("content", "line"),
    [
        (
            "META\nkey;value\nbudget;100\nvote_type;approval\nnum_projects;1\nnum_votes;1\n"
            "PROJECTS\nproject_id;cost\n1;abc\nVOTES\nvoter_id;vote\n1;1\n",
            "line 9",
        ),
        (
            "META\nkey;value\nbudget;100\nvote_type;approval\nnum_projects;1\nnum_votes;1\n"
            "PROJECTS\nproject_id;cost\n1;50\nVOTES\nvoter_id;vote\n1;7\n",
            "line 12",
        ),
    ],
)
def test_malformed_file_is_a_clear_error_naming_the_line(tmp_path, content, line):
    path = tmp_path / "bad.pb"
    path.write_text(content)
    with pytest.raises(CommandError, match=line):
        call_command("pb_tally", str(path), "--json", stdout=io.StringIO())


def test_missing_file_is_a_clear_error(tmp_path):
    with pytest.raises(CommandError, match="no such file"):
        call_command("pb_tally", str(tmp_path / "nope.pb"), stdout=io.StringIO())
