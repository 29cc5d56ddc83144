"""The pure tally core: plain data in, outcomes out; no Django, no ORM.

The rules follow pabutools 1.2.3 exactly (tests/voting/tally/test_rules.py compares them on real
pabulib files and on hundreds of generated elections):

- :mod:`~voting.tally.utility`: what a project is worth to a voter ("cost" or "points");
- :mod:`~voting.tally.election`: ballots and tie-breaking, the election as the rules read it;
- :mod:`~voting.tally.greedy`: greedy;
- :mod:`~voting.tally.equal_shares`: the Method of Equal Shares, plain and with add1, over
  :mod:`~voting.tally.exact`, :mod:`~voting.tally.lists` and :mod:`~voting.tally.floats` (the
  three engines; the two float ones certified by :mod:`~voting.tally.certified`);
- :mod:`~voting.tally.ballots`: what a valid ballot is, per ballot style;
- :mod:`~voting.tally.pabulib`: reading and writing pabulib ``.pb`` files;
- :mod:`~voting.tally.recount`: the recount of a ``.pb`` file.

`python -m voting.tally FILE.pb` recounts a published ballot file with the same code that the
results page, the live display, the export and `manage.py pb_tally` use, without Django.
"""

from voting.tally.greedy import greedy
from voting.tally.outcome import Outcome
from voting.tally.utility import Utility, default_utility

__all__ = ["Outcome", "Utility", "default_utility", "greedy", "mes", "mes_add1"]


def __getattr__(name: str) -> object:
    # Equal Shares is imported on first use, so that a greedy recount does not load it.
    if name in ("mes", "mes_add1"):
        from voting.tally import equal_shares

        return getattr(equal_shares, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
