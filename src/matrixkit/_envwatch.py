"""Which environment variables a run looks at: :class:`RecordingEnviron` stands in for ``os.environ``.

Used by :mod:`matrixkit._launch` so that a cached ``matrixkit tools`` answer depends only on the variables the
listing actually read, not on every variable of the shell (a new terminal has new session variables).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, MutableMapping
from typing import Any

__all__ = ["RecordingEnviron"]


class RecordingEnviron(MutableMapping[str, str]):
    """A stand-in for ``os.environ`` that records the variables looked at.

    Reads and writes go to the real mapping. The first time a name is used (read, tested with ``in``, set or
    deleted), its value at that moment — None when it was not set — is kept in :attr:`read`. Anything that sees
    every variable at once (iteration, ``len``, ``keys``/``items``/``values``, ``copy``, comparison, ``|``) sets
    :attr:`whole`, after which the run must be taken to depend on the whole environment.
    """

    def __init__(self, real: MutableMapping[str, str]) -> None:
        self._real = real
        self.read: dict[str, str | None] = {}
        self.whole = False

    def _note(self, key: object) -> None:
        if isinstance(key, str) and key not in self.read:
            self.read[key] = self._real.get(key)

    def _everything(self) -> MutableMapping[str, str]:
        self.whole = True
        return self._real

    def __getitem__(self, key: str) -> str:
        self._note(key)
        return self._real[key]

    def __contains__(self, key: object) -> bool:
        self._note(key)
        return key in self._real

    def __setitem__(self, key: str, value: str) -> None:
        self._note(key)
        self._real[key] = value

    def __delitem__(self, key: str) -> None:
        self._note(key)
        del self._real[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._everything())

    def __len__(self) -> int:
        return len(self._everything())

    def __repr__(self) -> str:
        return f"RecordingEnviron({self._everything()!r})"

    def copy(self) -> dict[str, str]:
        return dict(self._everything())

    def __or__(self, other: Mapping[str, str]) -> dict[str, str]:
        return {**self._everything(), **other}

    def __ror__(self, other: Mapping[str, str]) -> dict[str, str]:
        return {**other, **self._everything()}

    def __ior__(self, other: Mapping[str, str]) -> RecordingEnviron:
        self.update(other)
        return self

    def __getattr__(self, name: str) -> Any:
        # os.environ's own helpers (encodekey, decodevalue…): they do not read variables.
        return getattr(self._real, name)
