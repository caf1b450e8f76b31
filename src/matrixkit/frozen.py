"""An immutable, hashable mapping for the fields of frozen models.

attrs' ``frozen`` stops attributes being re-assigned, not a ``dict`` held in one being changed; and a model
holding a ``dict`` cannot be hashed. Models that map keys to values (a response's choices, a collation's groups,
a workshop record's decisions) hold a :class:`FrozenDict` instead: a read-only mapping that compares equal to a
``dict`` with the same items and hashes by its items.

Python 3.11 has no built-in frozen mapping (``types.MappingProxyType`` is read-only but unhashable and wraps a
mutable dict), so this small class is the one place where that is provided.
"""

from __future__ import annotations

from collections.abc import ItemsView, Iterable, Iterator, KeysView, Mapping, ValuesView
from typing import Any, TypeVar, overload

__all__ = ["FrozenDict", "freeze"]

K = TypeVar("K")
V = TypeVar("V")


class FrozenDict(Mapping[K, V]):
    """A read-only mapping that keeps its insertion order, compares like a dict and can be hashed."""

    __slots__ = ("_hash", "_items")

    _items: dict[K, V]
    _hash: int | None

    @overload
    def __init__(self) -> None: ...
    @overload
    def __init__(self, items: Mapping[K, V] | Iterable[tuple[K, V]]) -> None: ...

    def __init__(self, items: Mapping[K, V] | Iterable[tuple[K, V]] = ()) -> None:
        object.__setattr__(self, "_items", dict(items))
        object.__setattr__(self, "_hash", None)

    def __getitem__(self, key: K) -> V:
        return self._items[key]

    def __iter__(self) -> Iterator[K]:
        return iter(self._items)

    def __len__(self) -> int:
        return len(self._items)

    def __contains__(self, key: object) -> bool:
        return key in self._items

    # The dict's own views (read-only): set operations, comparisons and iteration run in C.
    def keys(self) -> KeysView[K]:
        return self._items.keys()

    def values(self) -> ValuesView[V]:
        return self._items.values()

    def items(self) -> ItemsView[K, V]:
        return self._items.items()

    def __eq__(self, other: object) -> bool:
        if isinstance(other, FrozenDict):
            return self._items == other._items
        if isinstance(other, Mapping):
            return self._items == dict(other)
        return NotImplemented

    def __hash__(self) -> int:
        if self._hash is None:
            object.__setattr__(self, "_hash", hash(frozenset(self._items.items())))
        assert self._hash is not None
        return self._hash

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError("a FrozenDict cannot be changed")

    def __repr__(self) -> str:
        return repr(self._items)  # as a dict: what people reading it want to see

    def __or__(self, other: Mapping[K, V]) -> FrozenDict[K, V]:
        return FrozenDict({**self._items, **other})

    def __reduce__(self) -> tuple[Any, ...]:
        return (FrozenDict, (self._items,))


def freeze(items: Mapping[Any, Any] | Iterable[tuple[Any, Any]] | None = None) -> FrozenDict[Any, Any]:
    """``items`` as a :class:`FrozenDict` (the same object when it already is one); an attrs converter (typed
    loosely: a field's own annotation says what it holds)."""
    if isinstance(items, FrozenDict):
        return items
    return FrozenDict(items if items is not None else ())
