"""pb_tally and `python -m voting.tally` recount any pabulib file from the command line."""

import io
import json
import os
import subprocess
import sys
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


# --- python -m voting.tally: the same recount without Django ----------------------------------

ROOT = Path(__file__).resolve().parents[3]


def _recount(*args):
    """Run `python -m voting.tally` as its own process, as someone recounting would."""
    return subprocess.run(
        [sys.executable, "-m", "voting.tally", *map(str, args)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        env={k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"},
    )


def _command_output(*args):
    out = io.StringIO()
    call_command("pb_tally", *map(str, args), stdout=out)
    return out.getvalue()


@pytest.mark.parametrize(
    "options", [[], ["--json"], ["--utility", "cost"], ["--utility", "points"]]
)
@pytest.mark.parametrize("rule", ["greedy", "mes", "mes_add1"])
@pytest.mark.parametrize("name", ["Switzerland_Zurich_D10.pb", "Netherlands_Assen_2024.pb"])
def test_module_prints_what_pb_tally_prints(name, rule, options):
    args = [DATA / name, "--rule", rule, *options]
    process = _recount(*args)
    assert process.returncode == 0, process.stderr
    assert process.stdout == _command_output(*args)
    assert process.stderr == ""


def test_module_recounts_a_large_file_like_pb_tally():
    args = [DATA / "Poland_Warszawa_2020_Ochota.pb", "--rule", "mes", "--json"]
    process = _recount(*args)
    assert process.returncode == 0, process.stderr
    assert json.loads(process.stdout) == json.loads(_command_output(*args))


def test_module_reports_a_malformed_file_with_its_line_and_fails(tmp_path):
    path = tmp_path / "bad.pb"
    path.write_text(
        "META\nkey;value\nbudget;100\nvote_type;approval\nnum_projects;1\nnum_votes;1\n"
        "PROJECTS\nproject_id;cost\n1;abc\nVOTES\nvoter_id;vote\n1;1\n"
    )
    process = _recount(path, "--json")
    assert process.returncode == 1
    assert process.stdout == ""
    with pytest.raises(CommandError) as error:
        _command_output(path, "--json")
    assert process.stderr == f"{error.value}\n"
    assert process.stderr.startswith(f"{path}: line 9: ")


def test_module_reports_a_missing_file_and_fails(tmp_path):
    process = _recount(tmp_path / "nope.pb")
    assert process.returncode == 1
    assert process.stderr == f"{tmp_path / 'nope.pb'}: no such file\n"


def test_module_rejects_an_unknown_rule_or_utility():
    for option in (["--rule", "borda"], ["--utility", "votes"]):
        process = _recount(DATA / "Netherlands_Assen_2024.pb", *option)
        assert process.returncode == 2
        assert "invalid choice" in process.stderr


def test_module_imports_neither_django_nor_numpy_on_a_small_file():
    process = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "voting.tally"]
        + [str(DATA / "Netherlands_Assen_2024.pb"), "--rule", "mes_add1"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    modules = {line.rsplit("|", 1)[-1].strip() for line in process.stderr.splitlines()}
    assert "voting.tally.equal_shares" in modules
    assert not {m for m in modules if m.split(".")[0] in ("django", "wagtail", "numpy")}


def test_module_recounts_a_mid_sized_file_in_floats_without_numpy():
    # Warszawa 2020 Ochota (41,736 voter-project pairs): Equal Shares in the list engine, which
    # needs neither NumPy (60 ms to import) nor the fractions module.
    process = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "voting.tally"]
        + [str(DATA / "Poland_Warszawa_2020_Ochota.pb"), "--rule", "mes", "--json"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    modules = {line.rsplit("|", 1)[-1].strip() for line in process.stderr.splitlines()}
    assert "voting.tally.lists" in modules
    assert not {m for m in modules if m.split(".")[0] in ("django", "numpy", "fractions")}
    assert json.loads(process.stdout) == json.loads(
        _command_output(DATA / "Poland_Warszawa_2020_Ochota.pb", "--rule", "mes", "--json")
    )


def test_module_imports_neither_argparse_nor_json_on_a_plain_command_line():
    process = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "voting.tally"]
        + [str(DATA / "Netherlands_Assen_2024.pb"), "--rule", "greedy", "--json"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    modules = {line.rsplit("|", 1)[-1].strip() for line in process.stderr.splitlines()}
    assert "voting.tally.greedy" in modules
    # csv.py neither: the reader takes csv's C module, _csv (csv.py would import re and enum)
    assert not modules & {"argparse", "json", "csv"}


PLAIN = [
    ["f.pb"],
    ["f.pb", "--json"],
    ["--json", "f.pb", "--rule", "mes"],
    ["f.pb", "--rule", "mes_add1", "--utility", "points"],
    ["--utility", "cost", "--rule", "greedy", "f.pb", "--json", "--json"],
    ["f.pb", "--rule", "mes", "--rule", "greedy"],  # the last one wins
    ["--rule", "mes", "f.pb", "--utility", "points", "--utility", "cost"],
    [""],
    ["a file.pb"],
]
NOT_PLAIN = [
    [],
    ["--help"],
    ["-h"],
    ["f.pb", "-h"],
    ["f.pb", "--rule=mes"],
    ["f.pb", "--js"],
    ["f.pb", "--rule"],
    ["f.pb", "--rule", "borda"],
    ["f.pb", "--utility", "votes"],
    ["f.pb", "--utility", "--json"],
    ["f.pb", "g.pb"],
    ["-"],
    ["--", "f.pb"],
    ["-x.pb"],
    ["f.pb", "--rule", "mes", "--rule", "borda"],
]


@pytest.mark.parametrize("args", PLAIN)
def test_plain_command_lines_are_read_as_argparse_reads_them(args):
    from voting.tally.__main__ import parser, plain_options

    options = parser().parse_args(args)
    assert plain_options(args) == (options.file, options.rule, options.utility, options.json)


@pytest.mark.parametrize("args", NOT_PLAIN)
def test_other_command_lines_are_left_to_argparse(args):
    from voting.tally.__main__ import plain_options

    assert plain_options(args) is None


def test_module_help_and_errors_are_argparses(capsys):
    from voting.tally.__main__ import main, parser

    for args in (["--help"], [], ["f.pb", "--rule", "borda"], ["f.pb", "--rule=x"]):
        with pytest.raises(SystemExit) as exited:
            main(args)
        out, err = capsys.readouterr()
        with pytest.raises(SystemExit) as expected:
            parser().parse_args(args)
        assert (exited.value.code, out, err) == (expected.value.code, *capsys.readouterr())
        assert exited.value.code == (0 if args == ["--help"] else 2)


def test_json_is_what_json_dumps_writes():
    from voting.tally.recount import json_text

    odd = "".join(map(chr, range(0x100))) + "ąę€😀\u2028"
    result = {"rule": "mes", "selected": [odd, "1", 'a"b', ""], "total_cost": 1234}
    assert json_text(result) == json.dumps(result, ensure_ascii=False)
    assert json_text({"rule": "greedy", "selected": [], "total_cost": 0}) == json.dumps(
        {"rule": "greedy", "selected": [], "total_cost": 0}, ensure_ascii=False
    )


@pytest.mark.parametrize("unbuffered", ["", "1"])
def test_module_fails_quietly_when_its_output_is_closed(unbuffered):
    # The tool leaves without tearing the interpreter down, but only after writing its output:
    # an output nobody reads is exit 120, as Python's own exit gives it, with no traceback,
    # whether the output is buffered (written at the end) or not (written by print).
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    env["PYTHONUNBUFFERED"] = unbuffered
    process = subprocess.Popen(
        [sys.executable, "-m", "voting.tally", str(DATA / "Netherlands_Assen_2024.pb"), "--json"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
    )
    process.stdout.close()
    stderr = process.stderr.read()
    process.stderr.close()
    assert process.wait(timeout=60) == 120
    assert stderr == b""
