import io
from pathlib import Path

import pytest
from pabutools.election import Additive_Borda_Sat
from pabutools.election.pabulib import parse_pabulib, parse_pabulib_from_string

from voting.tally.pabulib import (
    PbFormatError,
    PbInstance,
    PbProject,
    PbVote,
    _Parser,  # to tell which way the rows were read
    format_pb,
    parse_ballots,
    parse_pb,
    read_ballots,
    read_pb,
    write_pb,
)

DATA = Path(__file__).resolve().parents[2] / "data" / "pabulib"
FILES = sorted(DATA.glob("*.pb"))

VALID = """META
key;value
description;Test
num_projects;3
num_votes;2
budget;100
vote_type;approval
PROJECTS
project_id;cost;name;category
p1;50;Bench;"parks,culture"
p2;60.0;Lamp;
p3;40;"Tree; big";parks
VOTES
voter_id;vote;age
v1;p1,p3;30
v2;p2;
"""


def pabutools_view(instance, profile):
    """Costs, budget and votes of a pabutools election (approval votes as sets)."""
    costs = {p.name: int(p.cost) for p in instance}
    votes: list[object] = []
    for ballot in profile:
        if isinstance(ballot, dict):
            votes.append({p.name: int(points) for p, points in ballot.items()})
        elif isinstance(ballot, set):
            votes.append({p.name for p in ballot})
        else:
            votes.append([p.name for p in ballot])
    return costs, int(instance.budget_limit), votes


def our_view(instance: PbInstance):
    """The same for ours; approval-like votes are sets in pabutools."""
    ordered = instance.vote_type == "ordinal"
    votes = [v.vote if isinstance(v.vote, dict) or ordered else set(v.vote) for v in instance.votes]
    return instance.costs(), instance.budget, votes


def test_the_real_files_are_all_there():
    assert len(FILES) == 7
    assert (DATA / "SOURCES.md").exists()


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_real_file_reads_as_pabutools_reads_it(path):
    instance = read_pb(path)
    assert our_view(instance) == pabutools_view(*parse_pabulib(str(path)))
    assert len(instance.projects) == int(instance.meta["num_projects"])
    assert len(instance.votes) == int(instance.meta["num_votes"])


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_written_file_reads_back_the_same_here_and_in_pabutools(path):
    instance = read_pb(path)
    text = format_pb(instance)
    assert parse_pb(text) == instance
    assert pabutools_view(*parse_pabulib_from_string(text)) == our_view(instance)


def test_parse_valid_file():
    instance = parse_pb(VALID)
    assert instance.meta["description"] == "Test"
    assert instance.budget == 100
    assert instance.vote_type == "approval"
    assert instance.projects["p1"] == PbProject("p1", 50, "Bench", {"category": "parks,culture"})
    assert instance.projects["p2"].cost == 60  # an integral float is an integer
    assert instance.projects["p3"].name == "Tree; big"
    assert instance.votes == [
        PbVote("v1", ["p1", "p3"], {"age": "30"}),
        PbVote("v2", ["p2"], {"age": ""}),
    ]
    assert instance.ballots() == [{"p1": 1, "p3": 1}, {"p2": 1}]
    assert instance.published_selection() is None


def test_bytes_with_bom_and_crlf():
    data = b"\xef\xbb\xbf" + VALID.replace("\n", "\r\n").encode()
    assert parse_pb(data) == parse_pb(VALID)


def test_published_selection():
    instance = read_pb(DATA / "Netherlands_Assen_2024.pb")
    assert sorted(map(int, instance.published_selection())) == [2, 3, 5, 6, 9, 11, 12, 13, 14]


CUMULATIVE = """META
key;value
budget;10
vote_type;cumulative
PROJECTS
project_id;cost
a;5
b;7
VOTES
voter_id;vote;points
1;a,b;3,2
2;b;5
3;None;None
"""


def test_cumulative_votes_keep_points():
    instance = parse_pb(CUMULATIVE)
    assert [v.vote for v in instance.votes] == [{"a": 3, "b": 2}, {"b": 5}, {}]
    assert instance.ballots() == [{"a": 3, "b": 2}, {"b": 5}, {}]
    text = format_pb(instance)
    assert parse_pb(text).votes == instance.votes
    assert pabutools_view(*parse_pabulib_from_string(text)) == our_view(instance)


ORDINAL = """META
key;value
budget;10
vote_type;ordinal
PROJECTS
project_id;cost
a;5
b;7
c;3
VOTES
voter_id;vote
1;b,a,c
2;c
3;a,c
"""


def test_ordinal_votes_keep_the_ranking_and_score_as_pabutools_borda():
    instance = parse_pb(ORDINAL)
    assert [v.vote for v in instance.votes] == [["b", "a", "c"], ["c"], ["a", "c"]]
    assert instance.ballots() == [{"b": 2, "a": 1}, {}, {"a": 1}]
    pb_instance, profile = parse_pabulib_from_string(format_pb(instance))
    borda = [
        {p.name: sat.sat_project(p) for p in pb_instance if sat.sat_project(p)}
        for sat in profile.as_sat_profile(Additive_Borda_Sat)
    ]
    assert borda == instance.ballots()


def test_knapsack_votes_are_approval_ballots():
    instance = parse_pb(VALID.replace("vote_type;approval", "vote_type;knapsack"))
    assert instance.ballots() == [{"p1": 1, "p3": 1}, {"p2": 1}]
    assert parse_pb(format_pb(instance)) == instance


def test_write_pb_to_a_text_stream_fixes_counts():
    instance = parse_pb(VALID)
    instance.votes.pop()
    stream = io.StringIO()
    write_pb(instance, stream)
    again = parse_pb(stream.getvalue())
    assert again.meta["num_votes"] == "1"
    assert again.votes == instance.votes


def error(data) -> PbFormatError:
    """The error parse_pb raises; parse_ballots (the recount's reader) raises the same one."""
    with pytest.raises(PbFormatError) as caught:
        parse_pb(data)
    with pytest.raises(PbFormatError) as again:
        parse_ballots(data)
    assert (again.value.line, str(again.value)) == (caught.value.line, str(caught.value))
    return caught.value


def line_of(text: str, needle: str) -> int:
    return text[: text.index(needle)].count("\n") + 1


@pytest.mark.parametrize(
    ("old", "new", "line", "words"),
    [
        ("p1;50;", "p1;12.5;", 10, "not an integer"),
        ("p1;50;", "p1;fifty;", 10, "not an integer"),
        ("p1;50;", "p1;-5;", 10, "negative"),
        ("p2;60.0;Lamp;", "p2;60;Lamp", 11, "expected 4 columns"),
        ("p2;60.0;Lamp;", "p2;60;Lamp;;", 11, "expected 4 columns"),
        ("v1;p1,p3;30", "v1;p1,p9;30", 15, "unknown project 'p9'"),
        ("v1;p1,p3;30", "v1;p1,p1;30", 15, "twice"),
        ("v2;p2;", "v1;p2;", 16, "votes twice"),
        ("p3;40;", "p1;40;", 12, "listed twice"),
        ("budget;100", "budget;many", 6, "budget"),
        ("vote_type;approval", "vote_type;quadratic", 7, "unsupported vote_type"),
        ("num_votes;2", "num_votes;3", 5, "num_votes"),
        ("vote_type;approval", "budget;5\nvote_type;approval", 7, "repeats line 6"),
        ("project_id;cost;name;category", "project_id;price;name;category", 9, "no cost column"),
        ("voter_id;vote;age", "vote;voter_id;age", 14, "first column"),
        ("key;value", "name;value", 2, "key;value"),
        ("VOTES\n", "PROJECTS\n", 13, "expected section VOTES"),
        ("p1;50;Bench", 'p1;"50;Bench', 10, "malformed CSV"),
    ],
)
def test_errors_name_the_line(old, new, line, words):
    assert old in VALID
    caught = error(VALID.replace(old, new))
    assert caught.line == line
    assert str(caught).startswith(f"line {line}: ")
    assert words in str(caught)


def test_empty_file():
    assert error("").line == 1
    assert error(b" \n\n").line == 1
    assert "empty" in str(error(""))


def test_bad_encoding_names_the_line():
    data = VALID.encode().replace(b"Lamp", b"L\xe6mp")  # Latin-1, not UTF-8
    caught = error(data)
    assert caught.line == line_of(VALID, "Lamp")
    assert "UTF-8" in str(caught)


def test_missing_sections():
    without_votes = VALID[: VALID.index("VOTES")]
    caught = error(without_votes)
    assert "without a VOTES section" in str(caught)
    assert caught.line == line_of(VALID, "p3;40")
    assert "start with a META" in str(
        error(VALID[VALID.index("PROJECTS") :].replace("PROJECTS", "x"))
    )
    caught = error("META\nkey;value\nbudget;1\nvote_type;approval\nPROJECTS\n")
    assert caught.line == 5
    assert "without a VOTES section" in str(caught)
    caught = error("META\nkey;value\nbudget;1\nvote_type;approval\nPROJECTS\nVOTES\n")
    assert caught.line == 6
    assert "PROJECTS has no header row" in str(caught)


def test_a_section_after_votes_is_an_error_naming_its_line():
    for name in ("meta", "PROJECTS", "votes"):
        text = VALID.rstrip("\n") + f"\n{name}\n"
        caught = error(text)
        assert caught.line == text.count("\n")
        assert f"{name.upper()} after the VOTES section" in str(caught)


def test_meta_must_have_budget_and_vote_type():
    caught = error(VALID.replace("budget;100\n", ""))
    assert caught.line == line_of(VALID, "PROJECTS") - 1
    assert "no budget" in str(caught)


def test_points_errors():
    assert "2 projects in vote but 1 values" in str(error(CUMULATIVE.replace("3,2", "3")))
    caught = error(CUMULATIVE.replace("2;b;5", "2;b;-5"))
    assert caught.line == line_of(CUMULATIVE, "2;b;5")
    assert "negative points" in str(caught)
    assert "not an integer" in str(error(CUMULATIVE.replace("3,2", "3,x")))
    assert "no points column" in str(
        error(CUMULATIVE.replace("voter_id;vote;points", "voter_id;vote"))
    )


# --- parse_ballots: the recount's reader, straight into ballots -------------------------------


def same_as_parse_pb(data):
    """parse_ballots gives parse_pb's META, PROJECTS and ballots."""
    instance = parse_pb(data)
    read = parse_ballots(data)
    assert (read.meta, read.projects, read.ballots) == (
        instance.meta,
        instance.projects,
        instance.ballots(),
    )
    assert (read.budget, read.vote_type, read.costs()) == (
        instance.budget,
        instance.vote_type,
        instance.costs(),
    )
    assert read.published_selection() == instance.published_selection()
    return read


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_ballots_of_a_real_file_are_those_of_parse_pb(path):
    read = same_as_parse_pb(path.read_bytes())
    assert read_ballots(path) == read
    assert len(read.ballots) == int(read.meta["num_votes"])


@pytest.mark.parametrize(
    ("text", "old", "new", "in_bulk"),
    [
        # Read in bulk:
        (VALID, "", "", True),
        (VALID, "v2;p2;", "v2;p2,;", True),  # an empty project id is left out
        (VALID, "v2;p2;", "v2;None;", True),
        (VALID, "v2;p2;", "v2;;", True),
        (VALID, "\n", "\r\n", True),
        (VALID, "VOTES\n", "VOTES\n\n", True),
        (VALID, "v2;p2;\n", "v2;p2;\n\n\n", True),
        (VALID, "vote_type;approval", "vote_type;choose-1", True),
        (CUMULATIVE, "", "", True),
        (CUMULATIVE, "2;b;5", "2;b;0", True),  # zero points are no ballot entry
        (CUMULATIVE, "1;a,b;3,2", "1;a,b;0,2", True),
        (CUMULATIVE, "vote_type;cumulative", "vote_type;scoring", True),
        (CUMULATIVE.replace("cumulative", "scoring"), "2;b;5", "2;b;-5", True),  # allowed there
        (ORDINAL, "", "", True),
        (CUMULATIVE, "3;None;None", "3;;", True),
        # Read one by one:
        (VALID, "v2;p2;", "v2; p2;", False),
        (VALID, "v2;p2;", 'v2;"p2";', False),
        (VALID, "v1;p1,p3;30", "v1;p1, p3;30", False),
        (VALID, "v2;p2;", "v2;p2;\n\nv3;p1;", False),  # a blank line among the rows
        (VALID, "v2;p2;", "votes;p2;", False),  # a section name as a voter id
        (CUMULATIVE, "2;b;5", "2;b;5.0", False),
        (ORDINAL, "3;a,c", "3; a,c", False),
    ],
)
def test_ballots_are_those_of_parse_pb_in_bulk_and_row_by_row(text, old, new, in_bulk):
    assert old in text
    text = text.replace(old, new).replace("num_votes;2\n", "")
    parser = _Parser(ballots_only=True)
    parser.parse(text)
    assert (parser.ballots is not None) == in_bulk
    same_as_parse_pb(text)
    same_as_parse_pb(text.encode())
