"""Reading and writing pabulib ``.pb`` files (https://pabulib.org/format).

A file has three sections in this order: META (``key;value`` rows), PROJECTS (one row per
project, ``project_id`` first, a ``cost`` column) and VOTES (one row per voter, ``voter_id``
first, a ``vote`` column with comma-separated project ids, and a ``points`` column for
cumulative and scoring ballots). Each section starts with its name on a line of its own,
followed by a header row; cells are separated by ``;`` and may be quoted as in CSV.

Pure Python: plain dataclasses in, plain dataclasses out. A malformed file raises
:class:`PbFormatError`, whose message starts with the 1-based line number.
"""

import io
import os

# csv's reader and writer are those of its C module, _csv (csv.reader is _csv.reader); csv.py
# adds the Sniffer, whose import of re and enum costs a recount more than reading the META and
# PROJECTS of a 5,000-voter file. re itself is imported only where a file has spaces to find.
from _csv import Error as CsvError
from _csv import reader as csv_reader
from _csv import writer as csv_writer
from collections.abc import Iterator, Sequence
from itertools import chain, repeat

from voting.tally.election import ApprovalBallots
from voting.tally.records import Record

TYPE_CHECKING = False  # typing is not imported at run time: a recount starts faster without it
if TYPE_CHECKING:
    from typing import TextIO

SECTIONS = ("meta", "projects", "votes")
# Vote types whose ``vote`` column is a list of project ids: a set for approval-like ballots
# (knapsack and choose-1 are approval ballots), a ranking, best first, for ordinal ones.
LIST_VOTE_TYPES = frozenset({"approval", "choose-1", "knapsack", "ordinal"})
# Vote types with a ``points`` column giving each listed project's points.
POINT_VOTE_TYPES = frozenset({"cumulative", "scoring"})
VOTE_TYPES = LIST_VOTE_TYPES | POINT_VOTE_TYPES
SECTION_NAMES = frozenset(SECTIONS)
# Spaces that reading a row one by one would strip: around a cell or a project id.
# Compiled on first use (re caches them): most files never need them, and compiling costs.
_SPACE = r"[^\S\n]"
_EDGE_SPACE = r"(?:^|[;,])[^\S\n]|[^\S\n](?:$|[;,])"


class PbFormatError(ValueError):
    """A ``.pb`` file that does not follow the format; ``line`` is 1-based."""

    def __init__(self, line: int, reason: str) -> None:
        super().__init__(f"line {line}: {reason}")
        self.line = line
        self.reason = reason


class PbProject(Record):
    _fields = ("id", "cost", "name", "extra")

    def __init__(
        self, id: str, cost: int, name: str = "", extra: dict[str, str] | None = None
    ) -> None:
        self.id = id
        self.cost = cost
        self.name = name
        self.extra = {} if extra is None else extra  # the other columns, as written


class PbVote(Record):
    _fields = ("voter_id", "vote", "extra")

    def __init__(
        self, voter_id: str, vote: list[str] | dict[str, int], extra: dict[str, str] | None = None
    ) -> None:
        self.voter_id = voter_id
        # Project ids (a ranking, best first, for ordinal ballots), or project id -> points.
        self.vote = vote
        self.extra = {} if extra is None else extra  # the other columns, as written


class PbInstance(Record):
    _fields = ("meta", "projects", "votes")

    def __init__(
        self, meta: dict[str, str], projects: dict[str, PbProject], votes: list[PbVote]
    ) -> None:
        self.meta = meta
        self.projects = projects
        self.votes = votes

    @property
    def budget(self) -> int:
        budget = _integer(self.meta.get("budget", ""))
        if budget is None:
            raise ValueError("META has no integer budget")
        return budget

    @property
    def vote_type(self) -> str:
        return self.meta.get("vote_type", "").strip().lower()

    def costs(self) -> dict[str, int]:
        return {project.id: project.cost for project in self.projects.values()}

    def ballots(self) -> list[dict[str, int]]:
        """The votes as the ballots of the tally rules: project id -> positive value.

        Approval-like votes give 1 per project, cumulative and scoring votes their points,
        ordinal votes the Borda score of pabutools' ``Additive_Borda_Sat`` (a ranking of k
        projects gives k-1 to the first, ..., 0 to the last). Zero values are left out.
        """
        return _ballots(self.vote_type, self.votes)

    def published_selection(self) -> list[str] | None:
        """Projects marked 1 in the ``selected`` column, or None if there is no such column."""
        if not any("selected" in project.extra for project in self.projects.values()):
            return None
        return [p.id for p in self.projects.values() if p.extra.get("selected", "").strip() == "1"]


def _ballots(vote_type: str, votes: list[PbVote]) -> list[dict[str, int]]:
    """The ballots of :meth:`PbInstance.ballots`."""
    ordinal = vote_type == "ordinal"
    ballots = []
    for vote in votes:
        if isinstance(vote.vote, dict):
            ballot = {project: points for project, points in vote.vote.items() if points}
        elif ordinal:
            size = len(vote.vote)
            ballot = {p: size - rank - 1 for rank, p in enumerate(vote.vote) if rank < size - 1}
        else:
            ballot = dict.fromkeys(vote.vote, 1)
        ballots.append(ballot)
    return ballots


class PbBallots(Record):
    """A ``.pb`` file read for a recount: META, PROJECTS and the votes as the rules' ballots
    (what :meth:`PbInstance.ballots` gives), without a record per voter."""

    _fields = ("meta", "projects", "ballots")

    def __init__(
        self,
        meta: dict[str, str],
        projects: dict[str, PbProject],
        ballots: Sequence[dict[str, int]],
    ) -> None:
        self.meta = meta
        self.projects = projects
        self.ballots = ballots

    budget = PbInstance.budget
    vote_type = PbInstance.vote_type
    costs = PbInstance.costs
    published_selection = PbInstance.published_selection


def read_pb(path: str | os.PathLike[str]) -> PbInstance:
    with open(path, "rb") as file:
        return parse_pb(file.read())


def read_ballots(path: str | os.PathLike[str]) -> PbBallots:
    """The file at ``path`` as :func:`parse_ballots` reads it."""
    with open(path, "rb") as file:
        return parse_ballots(file.read())


def parse_pb(data: str | bytes) -> PbInstance:
    """Parse the contents of a ``.pb`` file (bytes are decoded as UTF-8, BOM allowed)."""
    return _Parser().parse(_text(data))


def parse_ballots(data: str | bytes) -> PbBallots:
    """What :func:`parse_pb` reads, with the votes as :meth:`PbInstance.ballots` gives them.

    The same checks and errors as :func:`parse_pb`; plain VOTES rows (see
    :meth:`_Parser._votes_in_bulk`) go straight into ballots, without a :class:`PbVote` per voter.
    """
    parser = _Parser(ballots_only=True)
    instance = parser.parse(_text(data))
    ballots = parser.ballots
    if ballots is None:  # the rows were read one by one
        ballots = instance.ballots()
    return PbBallots(meta=instance.meta, projects=instance.projects, ballots=ballots)


def _text(data: str | bytes) -> str:
    if isinstance(data, bytes):
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            line = data.count(b"\n", 0, error.start) + 1
            raise PbFormatError(line, f"not valid UTF-8 text ({error.reason})") from None
    else:
        text = data.removeprefix("\ufeff")
    if not text.strip():
        raise PbFormatError(1, "the file is empty")
    return text


def _integer(text: str) -> int | None:
    """The integer a cell holds ("1200", "1200.0", "1200,00"), or None."""
    text = text.strip().replace(",", ".")
    try:
        return int(text)
    except ValueError:
        pass
    from decimal import Decimal, InvalidOperation  # rare: most integers are written plainly

    try:
        number = Decimal(text)
    except InvalidOperation:
        return None
    if not number.is_finite() or number != number.to_integral_value():
        return None
    return int(number)


def _has_space(text: str) -> bool:
    """Whether the text holds any white space other than line breaks."""
    if text.isascii():
        return any(space in text for space in " \t\v\f\x1c\x1d\x1e\x1f")
    import re

    return re.search(_SPACE, text) is not None


def _rows(reader: Iterator[list[str]]) -> Iterator[tuple[int, list[str]]]:
    """Non-blank CSV records of a ``csv.reader`` with the line each starts on."""
    line = reader.line_num + 1
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except CsvError as error:
            raise PbFormatError(line, f"malformed CSV ({error})") from None
        if any(cell.strip() for cell in row):
            yield line, row
        line = reader.line_num + 1


class _Parser:
    def __init__(self, *, ballots_only: bool = False) -> None:
        # With ballots_only, plain VOTES rows are read into `ballots` and no PbVote is made.
        self.ballots_only = ballots_only
        self.ballots: Sequence[dict[str, int]] | None = None
        self.meta: dict[str, str] = {}
        self.meta_lines: dict[str, int] = {}
        self.projects: dict[str, PbProject] = {}
        self.votes: list[PbVote] = []
        self.voter_ids: set[str] = set()
        self.vote_type = ""

    def parse(self, text: str) -> PbInstance:
        section = ""
        header: list[str] | None = None
        header_line = 0
        last_line = 1
        stream = io.StringIO(text, newline="")  # read line by line, as csv reads lines
        reader = csv_reader(stream, delimiter=";", strict=True)
        for line, row in _rows(reader):
            last_line = line
            first = row[0].strip().lower()
            if first in SECTIONS and not any(cell.strip() for cell in row[1:]):
                if section == SECTIONS[-1]:
                    raise PbFormatError(line, f"{first.upper()} after the VOTES section")
                expected = SECTIONS[SECTIONS.index(section) + 1] if section else "meta"
                if first != expected:
                    raise PbFormatError(
                        line, f"expected section {expected.upper()}, found {first.upper()}"
                    )
                if header is None and section:
                    raise PbFormatError(line, f"section {section.upper()} has no header row")
                if first == "projects":
                    self._check_meta(line)
                section, header = first, None
                continue
            if not section:
                raise PbFormatError(line, "the file must start with a META section")
            if header is None:
                header = self._header(section, row, line)
                header_line = line
                if section == "votes":
                    start = stream.tell()  # csv reads no further than the row it returns
                    if self._votes_in_bulk(header, stream.read()):
                        break
                    stream.seek(start)  # read the rows one by one after all
                continue
            if len(row) != len(header):
                raise PbFormatError(
                    line,
                    f"expected {len(header)} columns as in the header on line {header_line}, "
                    f"found {len(row)}",
                )
            cells = [cell.strip() for cell in row]
            if section == "meta":
                self._meta_row(cells, line)
            elif section == "projects":
                self._project_row(header, cells, line)
            else:
                self._vote_row(header, cells, line)
        if section != "votes":
            missing = SECTIONS[SECTIONS.index(section) + 1] if section else "meta"
            raise PbFormatError(last_line, f"the file ends without a {missing.upper()} section")
        if header is None:
            raise PbFormatError(last_line, "section VOTES has no header row")
        self._check_counts()
        return PbInstance(meta=self.meta, projects=self.projects, votes=self.votes)

    def _header(self, section: str, row: list[str], line: int) -> list[str]:
        names = [cell.strip() for cell in row]
        if len(set(names)) != len(names):
            raise PbFormatError(line, f"repeated column name in the {section.upper()} header")
        required = {
            "meta": ["key", "value"],
            "projects": ["project_id", "cost"],
            "votes": ["voter_id", "vote"],
        }[section]
        if section == "votes" and self.vote_type in POINT_VOTE_TYPES:
            required.append("points")
        if section == "meta" and names != required:
            raise PbFormatError(line, "the META header must be 'key;value'")
        if names[0] != required[0]:
            raise PbFormatError(
                line, f"the first column of {section.upper()} must be {required[0]}"
            )
        for name in required[1:]:
            if name not in names:
                raise PbFormatError(line, f"{section.upper()} has no {name} column")
        return names

    def _meta_row(self, cells: list[str], line: int) -> None:
        key, value = cells
        if not key:
            raise PbFormatError(line, "META row without a key")
        if key in self.meta:
            raise PbFormatError(line, f"META key {key!r} repeats line {self.meta_lines[key]}")
        self.meta[key] = value
        self.meta_lines[key] = line

    def _check_meta(self, line: int) -> None:
        for key in ("budget", "vote_type"):
            if key not in self.meta:
                raise PbFormatError(line, f"META has no {key}")
        budget = _integer(self.meta["budget"])
        if budget is None or budget < 0:
            raise PbFormatError(
                self.meta_lines["budget"],
                f"budget must be a non-negative integer, not {self.meta['budget']!r}",
            )
        vote_type = self.meta["vote_type"].strip().lower()
        if vote_type not in VOTE_TYPES:
            raise PbFormatError(
                self.meta_lines["vote_type"], f"unsupported vote_type {self.meta['vote_type']!r}"
            )
        self.vote_type = vote_type

    def _project_row(self, header: list[str], cells: list[str], line: int) -> None:
        row = dict(zip(header, cells, strict=True))
        project_id = row.pop("project_id")
        if not project_id:
            raise PbFormatError(line, "empty project_id")
        if project_id in self.projects:
            raise PbFormatError(line, f"project {project_id!r} is listed twice")
        cost_text = row.pop("cost")
        cost = _integer(cost_text)
        if cost is None:
            raise PbFormatError(
                line, f"cost of project {project_id!r} is not an integer: {cost_text!r}"
            )
        if cost < 0:
            raise PbFormatError(line, f"cost of project {project_id!r} is negative")
        name = row.pop("name", "")
        self.projects[project_id] = PbProject(id=project_id, cost=cost, name=name, extra=row)

    def _vote_row(self, header: list[str], cells: list[str], line: int) -> None:
        row = dict(zip(header, cells, strict=True))
        voter_id = row.pop("voter_id")
        if not voter_id:
            raise PbFormatError(line, "empty voter_id")
        if voter_id in self.voter_ids:
            raise PbFormatError(line, f"voter {voter_id!r} votes twice")
        self.voter_ids.add(voter_id)
        vote_text = row.pop("vote")
        chosen = [] if vote_text.lower() == "none" else [p.strip() for p in vote_text.split(",")]
        chosen = [p for p in chosen if p]
        for project in chosen:
            if project not in self.projects:
                raise PbFormatError(line, f"vote for unknown project {project!r}")
        if len(set(chosen)) != len(chosen):
            raise PbFormatError(line, f"voter {voter_id!r} lists a project twice")
        vote: list[str] | dict[str, int] = chosen
        if self.vote_type in POINT_VOTE_TYPES:
            points_text = row.pop("points")
            texts = [] if points_text.lower() in ("", "none") else points_text.split(",")
            if len(texts) != len(chosen):
                raise PbFormatError(
                    line, f"{len(chosen)} projects in vote but {len(texts)} values in points"
                )
            points = {}
            for project, text in zip(chosen, texts, strict=True):
                value = _integer(text)
                if value is None:
                    raise PbFormatError(line, f"points for project {project!r} not an integer")
                if value < 0 and self.vote_type == "cumulative":
                    raise PbFormatError(line, f"negative points for project {project!r}")
                points[project] = value
            vote = points
        self.votes.append(PbVote(voter_id=voter_id, vote=vote, extra=row))

    def _votes_in_bulk(self, header: list[str], text: str) -> bool:
        """Read the rows of VOTES (``text``, to the end of the file) in a few passes over all of
        them at once, as :meth:`_vote_row` would read them one by one.

        Only plain rows are read this way: no quotes, no cell or project id with spaces around
        it, nothing :meth:`_vote_row` would reject. Anything else returns False with nothing
        read, and the rows are then read one by one, which names the line of any problem.
        """
        if "\r" in text:
            text = text.replace("\r\n", "\n")  # outside quotes, a line break like "\n"
        if not text or '"' in text or "\r" in text or "\0" in text:
            return False
        if _has_space(text):
            import re

            if re.search(_EDGE_SPACE, text, re.MULTILINE):
                return False
        text = text.rstrip("\n")  # blank lines at the end are no rows
        width = len(header)
        # Without quotes, each line is a row and every ";" separates two cells.
        if set(map(str.count, text.split("\n"), repeat(";"))) != {width - 1}:
            return False
        # So the cells, row after row, are those of the text split at every ";" and line break.
        cells = text.replace("\n", ";").split(";")
        columns = {name: cells[k::width] for k, name in enumerate(header)}
        voter_ids = columns.pop("voter_id")
        if (
            "" in voter_ids  # blank rows too
            or len(set(voter_ids)) != len(voter_ids)
            or not (
                "".join(voter_ids).isdigit() or SECTION_NAMES.isdisjoint(map(str.lower, voter_ids))
            )
        ):
            return False
        cells = columns.pop("vote")
        if "none" in "\n".join(cells).lower():
            chosen = [[] if cell.lower() == "none" else cell.split(",") for cell in cells]
        else:
            chosen = list(map(str.split, cells, repeat(",")))
        projects = list(chain.from_iterable(chosen))
        if "" in projects:
            chosen = [[project for project in ids if project] for ids in chosen]
            projects = list(chain.from_iterable(chosen))
        if not self.projects.keys() >= set(projects):
            return False
        if len(projects) != sum(map(len, map(set, chosen))):
            return False
        if self.ballots_only and self.vote_type in LIST_VOTE_TYPES and self.vote_type != "ordinal":
            # Approval ballots, read as PbInstance.ballots gives them, without a dict per voter.
            self.ballots = ApprovalBallots(chosen)
            return True
        votes: list[list[str]] | list[dict[str, int]] = chosen
        if self.vote_type in POINT_VOTE_TYPES:
            texts = [
                [] if cell.lower() in ("", "none") else cell.split(",")
                for cell in columns.pop("points")
            ]
            if list(map(len, texts)) != list(map(len, chosen)):
                return False
            try:
                values = list(map(int, chain.from_iterable(texts)))
            except ValueError:
                return False
            if self.vote_type == "cumulative" and min(values, default=0) < 0:
                return False
            flat = iter(values)
            # zip takes from `flat` only while `ids` lasts
            votes = [dict(zip(ids, flat, strict=False)) for ids in chosen]
            if self.ballots_only:  # as PbInstance.ballots: without zero points
                if 0 in values:
                    votes = [{p: v for p, v in vote.items() if v} for vote in votes]
                self.ballots = votes
                return True
        if self.ballots_only:  # ordinal
            self.ballots = _ballots(self.vote_type, list(map(PbVote, voter_ids, chosen)))
            return True
        names = list(columns)
        extras = map(dict, map(zip, repeat(names), zip(*columns.values(), strict=True)))
        if not names:
            extras = ({} for _ in voter_ids)
        self.votes.extend(map(PbVote, voter_ids, votes, extras))
        return True

    def _check_counts(self) -> None:
        votes = len(self.votes) if self.ballots is None else len(self.ballots)
        for key, actual in (("num_projects", len(self.projects)), ("num_votes", votes)):
            if key in self.meta:
                declared = _integer(self.meta[key])
                if declared != actual:
                    raise PbFormatError(
                        self.meta_lines[key], f"{key} is {self.meta[key]!r} but there are {actual}"
                    )


def format_pb(instance: PbInstance) -> str:
    buffer = io.StringIO()
    write_pb(instance, buffer)
    return buffer.getvalue()


def write_pb(instance: PbInstance, fp: "TextIO") -> None:
    """Write ``instance`` as a ``.pb`` file, readable by pabutools and by :func:`parse_pb`.

    ``num_projects`` and ``num_votes`` are written from the data. An empty cumulative or
    scoring vote is written as ``None``, which pabutools reads as an empty ballot.
    """
    writer = csv_writer(fp, delimiter=";", lineterminator="\n")
    points = instance.vote_type in POINT_VOTE_TYPES
    meta = dict(instance.meta)
    meta["num_projects"] = str(len(instance.projects))
    meta["num_votes"] = str(len(instance.votes))
    writer.writerow(["META"])
    writer.writerow(["key", "value"])
    writer.writerows(meta.items())

    projects = list(instance.projects.values())
    named = any(project.name for project in projects)
    extra = _extra_columns(project.extra for project in projects)
    writer.writerow(["PROJECTS"])
    writer.writerow(["project_id", "cost", *(["name"] if named else []), *extra])
    for project in projects:
        writer.writerow(
            [
                project.id,
                project.cost,
                *([project.name] if named else []),
                *(project.extra.get(key, "") for key in extra),
            ]
        )

    extra = _extra_columns(vote.extra for vote in instance.votes)
    writer.writerow(["VOTES"])
    writer.writerow(["voter_id", "vote", *(["points"] if points else []), *extra])
    for vote in instance.votes:
        if isinstance(vote.vote, dict):
            ids = ",".join(vote.vote) or "None"
            values = [",".join(str(v) for v in vote.vote.values()) or "None"]
        else:
            ids, values = ",".join(vote.vote), []
        writer.writerow([vote.voter_id, ids, *values, *(vote.extra.get(key, "") for key in extra)])


def _extra_columns(rows: Iterator[dict[str, str]]) -> list[str]:
    columns: dict[str, None] = {}
    for row in rows:
        columns.update(dict.fromkeys(row))
    return list(columns)
