"""The participants already counted when several input files are collated, kept compact.

Collating input files checks that no participant is counted twice, within a file or across files (ids compared
after stripping and case-folding). :class:`ParticipantIndex` remembers who was counted and from which file. It
behaves like the ``dict`` of case-folded id → file name that the reference reader path fills one response at a
time, but a streaming tally (:mod:`matrixkit._fastcsv`) can add a whole file's participants at once as 64-bit
hashes — 8 bytes each instead of about 100 for a Python string in a dict — so that collating a million
responses keeps memory flat.

Hashes are only ever a first filter: a hash found again is confirmed against the real ids (the earlier file is
read again for them) before anything is reported, so a hash collision never makes a false duplicate.
"""

from __future__ import annotations

from array import array
from bisect import bisect_left
from collections.abc import Callable, Iterable, Iterator, MutableMapping

__all__ = ["BUCKET_BITS", "HashedParticipants", "ParticipantIndex", "bucket_of", "split_sorted_hashes"]

#: Hashes are kept in ``2**BUCKET_BITS`` buckets by their top bits, so that checks build small sets only.
BUCKET_BITS = 6
_BUCKETS = 1 << BUCKET_BITS
_SHIFT = 64 - BUCKET_BITS
_OFFSET = 1 << 63
#: Hashes are sorted into buckets this many at a time (measured best between 8k and 16k).
_BATCH = 1 << 13
#: The lowest hash of each bucket (Python's hashes are signed 64-bit integers).
_EDGES = [(k << _SHIFT) - _OFFSET for k in range(_BUCKETS)]


def bucket_of(h: int) -> int:
    """The bucket of hash ``h``."""
    return (h + _OFFSET) >> _SHIFT


def split_sorted_hashes(hashes: list[int], buckets: list[array[int]]) -> None:
    """Append each of the *sorted* ``hashes`` to its bucket (C-speed slices, one bisection per bucket)."""
    if not hashes:
        return
    lo = 0
    n = len(hashes)
    first, last = bucket_of(hashes[0]), bucket_of(hashes[-1])
    if first == last:
        buckets[first].extend(hashes)
        return
    for k in range(first, last):
        hi = bisect_left(hashes, _EDGES[k + 1], lo)
        if hi > lo:
            buckets[k].extend(hashes[lo:hi])
        lo = hi
        if lo >= n:
            return
    buckets[last].extend(hashes[lo:])


class HashedParticipants:
    """One file's participants as hashes of their case-folded ids, split into buckets.

    ``read_ids`` reads the file again and yields its case-folded participant ids; it is called only to confirm
    a hash found twice.
    """

    def __init__(self, name: str, read_ids: Callable[[], Iterable[str]]) -> None:
        self.name = name
        self.read_ids = read_ids
        self._buckets: list[array[int]] = [array("q") for _ in range(_BUCKETS)]
        self._pending: list[int] = []
        self._ids: dict[int, set[str]] | None = None

    @property
    def buckets(self) -> list[array[int]]:
        """The hashes, bucket by bucket (each bucket in no particular order)."""
        if self._pending:
            split_sorted_hashes(sorted(self._pending), self._buckets)
            self._pending = []
        return self._buckets

    def __len__(self) -> int:
        return sum(len(b) for b in self.buckets)

    def add(self, hashes: Iterable[int]) -> None:
        """Add hashes; they are sorted into their buckets a batch at a time (sorting costs less than many small
        appends to 64 arrays)."""
        self._pending.extend(hashes)
        if len(self._pending) >= _BATCH:
            _ = self.buckets

    def has_duplicates(self) -> bool:
        """Whether some hash occurs twice (a participant twice in the file, or, rarely, a hash collision)."""
        return any(len(set(b)) != len(b) for b in self.buckets if len(b) > 1)

    def ids_with_hash(self, h: int) -> set[str]:
        """The case-folded ids of this file whose hash is ``h`` (reads the file again, once)."""
        if self._ids is None:
            found: dict[int, set[str]] = {}
            for folded in self.read_ids():
                found.setdefault(hash(folded), set()).add(folded)
            self._ids = found
        return self._ids.get(h, set())


class ParticipantIndex(MutableMapping[str, str]):
    """Case-folded participant id → the file it was counted from, across the input files of one collation.

    Ids set one by one (``index[folded] = file``) are kept as text, as in a dict. A streaming reader adds a
    whole file with :meth:`add_hashed` after checking it with :meth:`hashed_overlap`.
    """

    def __init__(self) -> None:
        self._ids: dict[str, str] = {}
        self._files: list[HashedParticipants] = []
        self._sorted: list[array[int]] | None = None

    # -- the hashed files ------------------------------------------------------------------------

    def hashed_overlap(self, part: HashedParticipants) -> bool:
        """Whether ``part`` repeats a participant or may share one with the index (equal hashes): then the
        file must be read by the reference path, which reports exactly who and where."""
        mine: dict[int, set[int]] = {}
        for folded in self._ids:
            h = hash(folded)
            mine.setdefault(bucket_of(h), set()).add(h)
        for k, bucket in enumerate(part.buckets):
            if not bucket:
                continue
            wanted = set(bucket)
            if len(wanted) != len(bucket):
                return True
            if k in mine and not wanted.isdisjoint(mine[k]):
                return True
            for other in self._files:
                if not wanted.isdisjoint(other.buckets[k]):
                    return True
        return False

    def add_hashed(self, part: HashedParticipants) -> None:
        """Remember a file's participants (checked with :meth:`hashed_overlap` first)."""
        self._files.append(part)
        self._sorted = None

    # -- mapping ---------------------------------------------------------------------------------

    def _hashed_file(self, folded: str) -> str | None:
        if not self._files:
            return None
        if self._sorted is None:
            self._sorted = [
                array("q", sorted(h for part in self._files for h in part.buckets[k])) for k in range(_BUCKETS)
            ]
        h = hash(folded)
        bucket = self._sorted[bucket_of(h)]
        i = bisect_left(bucket, h)
        if i == len(bucket) or bucket[i] != h:
            return None
        for part in self._files:
            if folded in part.ids_with_hash(h):
                return part.name
        return None

    def __contains__(self, folded: object) -> bool:
        if not isinstance(folded, str):
            return False
        return folded in self._ids or self._hashed_file(folded) is not None

    def __getitem__(self, folded: str) -> str:
        if folded in self._ids:
            return self._ids[folded]
        name = self._hashed_file(folded)
        if name is None:
            raise KeyError(folded)
        return name

    def __setitem__(self, folded: str, name: str) -> None:
        self._ids[folded] = name

    def __delitem__(self, folded: str) -> None:
        if folded in self._ids:
            del self._ids[folded]
        elif self._hashed_file(folded) is not None:
            raise TypeError("participants added as a file's hashes cannot be removed one by one")
        else:
            raise KeyError(folded)

    def __iter__(self) -> Iterator[str]:
        yield from self._ids
        for part in self._files:
            yield from part.read_ids()

    def __len__(self) -> int:
        return len(self._ids) + sum(len(part) for part in self._files)
