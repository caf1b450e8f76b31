"""Participants counted so far across the inputs of one collation, kept compact.

Collating checks that no participant is counted twice, within a file or across files (ids compared by
:func:`~matrixkit.responses.participant_key`). A million participants kept as strings would cost about 100 MB;
:class:`ParticipantLedger` keeps a 64-bit hash of each (8 bytes), in buckets by the hash's top bits so that
finding repeats builds only small sets. A repeated hash only makes a participant a *suspect*: the caller then
reads the inputs again for the suspects' real ids, so a hash collision never makes a false duplicate.
"""

from __future__ import annotations

from array import array
from bisect import bisect_left
from collections import Counter
from collections.abc import Sequence

from matrixkit.responses import participant_keys

__all__ = ["ParticipantLedger"]

#: Hashes are kept in ``2**BUCKET_BITS`` buckets by their top bits.
BUCKET_BITS = 6
_BUCKETS = 1 << BUCKET_BITS
_SHIFT = 64 - BUCKET_BITS
_OFFSET = 1 << 63
#: Hashes are sorted into buckets this many at a time (sorting a batch costs less than many small appends).
_BATCH = 1 << 13
#: The lowest hash of each bucket (Python's hashes are signed 64-bit integers).
_EDGES = [(k << _SHIFT) - _OFFSET for k in range(_BUCKETS)]


class ParticipantLedger:
    """The participants of the inputs read so far, as hashes of their keys."""

    def __init__(self) -> None:
        self._buckets: list[array[int]] = [array("q") for _ in range(_BUCKETS)]
        self._pending: list[int] = []

    def add(self, participants: Sequence[str]) -> None:
        """Add participants by their ids (compared as :func:`~matrixkit.responses.participant_key` does)."""
        self._pending.extend(map(hash, participant_keys(participants)))
        if len(self._pending) >= _BATCH:
            self._flush()

    def _flush(self) -> None:
        hashes = sorted(self._pending)
        packed = array("q", hashes)  # converted once: each bucket takes a slice of it
        self._pending = []
        lo = 0
        for k in range(_BUCKETS):
            hi = bisect_left(hashes, _EDGES[k + 1], lo) if k + 1 < _BUCKETS else len(hashes)
            if hi > lo:
                self._buckets[k].extend(packed[lo:hi])
            lo = hi
            if lo >= len(hashes):
                break

    def __len__(self) -> int:
        return sum(len(b) for b in self._buckets) + len(self._pending)

    def suspects(self) -> set[int]:
        """The hashes seen more than once: participants that may have been counted twice."""
        self._flush()
        found: set[int] = set()
        for bucket in self._buckets:
            if len(bucket) > 1 and len(set(bucket)) != len(bucket):
                found.update(h for h, n in Counter(bucket).items() if n > 1)
        return found
