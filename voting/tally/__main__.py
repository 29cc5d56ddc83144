"""`python -m voting.tally FILE.pb --rule greedy|mes|mes_add1 [--utility cost|points] [--json]`.

Recounts a pabulib file with the platform's tally, without Django: it prints what
`manage.py pb_tally` prints. A file that cannot be recounted is an error on stderr, exit 1.
"""

import sys

from voting.tally.recount import (
    HELP,
    RULE_NAMES,
    UTILITY_HELP,
    UTILITY_NAMES,
    RecountError,
    recount,
)

TYPE_CHECKING = False  # argparse is imported only when a command line needs it
if TYPE_CHECKING:
    import argparse


def main(argv: list[str] | None = None) -> int:
    options = plain_options(sys.argv[1:] if argv is None else argv)
    if options is None:  # help, a mistake, or a form argparse reads: argparse answers
        parsed = parser().parse_args(argv)
        options = (parsed.file, parsed.rule, parsed.utility, parsed.json)
    path, rule, utility, as_json = options
    try:
        text = recount(path, rule=rule, utility=utility, as_json=as_json)
    except RecountError as exc:
        print(exc, file=sys.stderr)
        return 1
    print(text)
    return 0


def parser() -> "argparse.ArgumentParser":
    """The command line's parser: its --help, its errors (exit 2) and the forms it reads."""
    import argparse

    parser = argparse.ArgumentParser(prog="python -m voting.tally", description=HELP)
    parser.add_argument("file", help="a pabulib .pb file")
    parser.add_argument("--rule", choices=RULE_NAMES, default="greedy")
    parser.add_argument("--utility", choices=UTILITY_NAMES, default=None, help=UTILITY_HELP)
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    return parser


def plain_options(args: list[str]) -> tuple[str, str, str | None, bool] | None:
    """(file, rule, utility, json) of a plain command line, as :func:`parser` reads it, or None.

    Plain: one file not starting with "-", and only ``--rule R``, ``--utility U`` (valid
    choices) and ``--json``, in any order, the last one winning, as argparse takes them.
    Anything else (``--help``, ``--rule=mes``, ``--js``, a mistake) is left to argparse, whose
    help and messages are then the same as ever. Importing and building it would cost a
    recount more time than greedy takes on a 5,000-voter file.
    """
    path = None
    rule, utility, as_json = "greedy", None, False
    words = iter(args)
    for word in words:
        if word == "--json":
            as_json = True
        elif word == "--rule" or word == "--utility":
            value = next(words, None)
            if word == "--rule" and value in RULE_NAMES:
                rule = value
            elif word == "--utility" and value in UTILITY_NAMES:
                utility = value
            else:
                return None
        elif path is not None or word.startswith("-"):
            return None
        else:
            path = word
    if path is None:
        return None
    return path, rule, utility, as_json


if __name__ == "__main__":
    import gc

    # A recount is a short process that makes no garbage cycles: collecting would only walk
    # its thousands of ballots, again and again, as they are made.
    gc.disable()
    # Then leave without tearing the interpreter down: freeing the ballots object by object
    # takes a recount of a large round longer than its imports. The output is written first;
    # an output nobody reads is exit 120, as at Python's own exit, without a traceback.
    try:
        code = main()
        sys.stdout.flush()
    except BrokenPipeError:
        code = 120
    sys.stderr.flush()
    import os

    os._exit(code)
