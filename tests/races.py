"""Races between real database connections: calls released together by one barrier.

Each call runs in a thread of its own, so with its own database connection (closed when it is
done), and all wait at one barrier before they start: on PostgreSQL they really overlap. What a
call returns goes to `results`; a refusal the code raises on purpose (`ValidationError`,
`PermissionDenied`) goes to `refusals` as the exception, for the test to read its code or
message; anything else would be a server error for the person and goes to `errors`, which a
test asserts empty; so does a call still running when the time is up.
"""

import contextlib
import threading
from collections.abc import Callable
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.utils import translation


@dataclass
class Race:
    results: list = field(default_factory=list)
    refusals: list[Exception] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    @property
    def refusal_codes(self) -> list[str | None]:
        return [getattr(exc, "code", None) for exc in self.refusals]


def release_together(*calls: Callable, language: str | None = None, timeout: float = 60) -> Race:
    """Run the calls at once, each in its own thread and connection; what each came to."""
    barrier = threading.Barrier(len(calls))
    race = Race()

    def run(call):
        try:
            with translation.override(language) if language else contextlib.nullcontext():
                barrier.wait()
                race.results.append(call())
        except (ValidationError, PermissionDenied) as exc:
            race.refusals.append(exc)
        except Exception as exc:  # anything else would be a server error
            race.errors.append(repr(exc))
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout)
    race.errors += [
        f"{thread.name} still running after {timeout} s" for thread in threads if thread.is_alive()
    ]
    return race
