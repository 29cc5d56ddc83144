"""The pure tally core: plain data in, outcomes out; no Django, no ORM.

`python -m voting.tally FILE.pb` recounts a published ballot file with the same code that the
results page, the live display, the export and `manage.py pb_tally` use.
"""

from voting.tally.rules import Outcome, Utility, greedy, mes, mes_add1

__all__ = ["Outcome", "Utility", "greedy", "mes", "mes_add1"]
