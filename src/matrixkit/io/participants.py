"""Participants counted so far across the inputs of one collation, kept compact.

Collating checks that no participant is counted twice, within a file or across files (ids compared by
:func:`~matrixkit.responses.participant_key`). A million participants kept as strings would cost about 100 MB;
:class:`ParticipantLedger` keeps a 64-bit hash of each (8 bytes), in buckets by the hash's top bits so that
finding repeats builds only small sets. A repeated hash only makes a participant a *suspect*: the caller then
reads the inputs again for the suspects' real ids, so a hash collision never makes a false duplicate.
"""

from __future__ import annotations

from array import array
from collections import Counter, deque
from collections.abc import Sequence

from matrixkit.responses import participant_keys

__all__ = ["ParticipantLedger"]

#: Hashes are kept in ``2**BUCKET_BITS`` buckets by their top bits.
BUCKET_BITS = 6
#: A hash's bucket: its top bits as a signed number (Python's hashes are signed 64-bit integers), from
#: ``-2**(BUCKET_BITS - 1)`` to ``2**(BUCKET_BITS - 1) - 1`` — a list index either way.
_BUCKET_OF = (64 - BUCKET_BITS).__rrshift__


class ParticipantLedger:
    """The participants of the inputs read so far, as hashes of their keys."""

    def __init__(self) -> None:
        self._buckets: list[array[int]] = [array("q") for _ in range(1 << BUCKET_BITS)]

    def add(self, participants: Sequence[str]) -> None:
        """Add participants by their ids (compared as :func:`~matrixkit.responses.participant_key` does)."""
        hashes = list(map(hash, participant_keys(participants)))
        buckets = self._buckets
        # Each hash appended to its bucket, in C: no Python frame per participant (the consume idiom).
        deque(map(array.append, map(buckets.__getitem__, map(_BUCKET_OF, hashes)), hashes), maxlen=0)

    def __len__(self) -> int:
        return sum(len(b) for b in self._buckets)

    def suspects(self) -> set[int]:
        """The hashes seen more than once: participants that may have been counted twice."""
        found: set[int] = set()
        for bucket in self._buckets:
            if len(bucket) > 1 and len(set(bucket)) != len(bucket):
                found.update(h for h, n in Counter(bucket).items() if n > 1)
        return found
