"""`python -m voting.tally FILE.pb --rule greedy|mes|mes_add1 [--utility cost|points] [--json]`.

Recounts a pabulib file with the platform's tally, without Django: it prints what
`manage.py pb_tally` prints. A file that cannot be recounted is an error on stderr, exit 1.
"""

import argparse
import sys

from voting.tally.recount import (
    HELP,
    RULE_NAMES,
    UTILITY_HELP,
    UTILITY_NAMES,
    RecountError,
    recount,
)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m voting.tally", description=HELP)
    parser.add_argument("file", help="a pabulib .pb file")
    parser.add_argument("--rule", choices=RULE_NAMES, default="greedy")
    parser.add_argument("--utility", choices=UTILITY_NAMES, default=None, help=UTILITY_HELP)
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    options = parser.parse_args(argv)
    try:
        text = recount(
            options.file, rule=options.rule, utility=options.utility, as_json=options.json
        )
    except RecountError as exc:
        print(exc, file=sys.stderr)
        return 1
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
