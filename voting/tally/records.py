"""Plain records for the tally's data, without importing ``dataclasses``.

A record compares equal to another of its class with equal fields and has a readable repr, as a
``@dataclass`` has; each class writes its own ``__init__``. ``dataclasses`` (with ``inspect``,
which it imports) takes a recount of a 5,000-voter file longer to import than greedy takes to
count it, so the tally's record types do without it.
"""


class Record:
    """Equality field by field, as a dataclass's ``__eq__``; ``_fields`` names the fields."""

    __slots__ = ()
    _fields: tuple[str, ...] = ()

    def _values(self) -> tuple[object, ...]:
        return tuple(getattr(self, name) for name in self._fields)

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        return self._values() == other._values()  # type: ignore[attr-defined]

    __hash__ = None  # type: ignore[assignment]  # mutable, like a dataclass with eq

    def __repr__(self) -> str:
        fields = ", ".join(f"{name}={getattr(self, name)!r}" for name in self._fields)
        return f"{self.__class__.__qualname__}({fields})"


class FrozenRecord(Record):
    """A record whose fields cannot be assigned after ``__init__`` (which sets them with
    ``object.__setattr__``), as a frozen dataclass."""

    __slots__ = ()

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"cannot assign to field {name!r}")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"cannot delete field {name!r}")

    def __hash__(self) -> int:
        return hash(self._values())
