"""The recount recipe on the results page: plain commands that run and name the winners."""

import html
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.urls import reverse

from committees.models import BudgetRound
from tests import factories
from tests.voting.conftest import project_ids
from voting import keys
from voting.models import Ballot
from voting.results.recipe import recount_recipe

ROOT = Path(__file__).resolve().parents[3]
WIDTH = 64  # characters a line of the recipe may take, so that it fits a phone and a printout


@pytest.mark.parametrize("rule", ["greedy", "mes", "mes_add1"])
@pytest.mark.parametrize(
    ("utility", "style"), [("cost", "approval"), ("points", "approval"), ("points", "cumulative")]
)
def test_recipe_is_plain_commands_in_short_lines(rule, utility, style):
    recipe = recount_recipe(slug="oesterbro-2026", rule=rule, utility=utility, ballot_style=style)
    text = recipe.tally + "\n" + recipe.pabutools
    for leftover in ("{{", "{%", "==", " if ", "'cost'", "'points'"):
        assert leftover not in text
    assert max(len(line) for line in text.splitlines()) <= WIDTH
    assert f"--rule {rule} --utility {utility}" in recipe.tally
    assert ("voter_budget_increment=1" in recipe.pabutools) == (rule == "mes_add1")


def _recipe_blocks(page: str) -> list[str]:
    return [
        html.unescape(b)
        for b in re.findall(r'class="recount-recipe".*?<code>(.*?)</code>', page, re.S)
    ]


@pytest.mark.django_db
def test_the_recipe_on_the_page_recounts_the_file_and_names_the_winners(
    client, voting_round, tmp_path
):
    ids = project_ids(voting_round)
    day = voting_round.voting_start.date()
    for selection in [{ids["Bænke"]: 1, ids["Træer"]: 1}] * 5 + [{ids["Legeplads"]: 1}] * 2:
        Ballot.objects.create(
            budget_round=voting_round,
            selection=selection,
            channel="online",
            cast_on=day,
            receipt_code=keys.new_receipt(),
        )
    dates = factories.round_dates(phase="results")
    BudgetRound.objects.filter(pk=voting_round.pk).update(**dates)

    page = client.get(reverse("voting:results", args=[voting_round.pk])).content.decode()
    tally, pabutools = _recipe_blocks(page)
    pb = client.get(reverse("voting:ballots_file", args=[voting_round.pk])).content
    (tmp_path / f"{voting_round.slug}.pb").write_bytes(pb)

    command = tally.replace("python ", f"{sys.executable} ", 1).replace("\\\n", " ")
    ours = subprocess.run(
        command,
        shell=True,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=True,
        env={k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"},
    ).stdout
    script = pabutools.replace("pip install pabutools\n", "").replace(
        "python ", f"{sys.executable} ", 1
    )
    theirs = subprocess.run(
        ["bash", "-c", script], cwd=tmp_path, capture_output=True, text=True, check=True
    ).stdout

    funded = {ids["Bænke"]: "Bænke", ids["Træer"]: "Træer"}
    for pid, name in funded.items():
        assert f"  {pid}: {name}" in ours
        assert f"{pid}  {name}" in theirs
    assert "Legeplads" not in theirs
