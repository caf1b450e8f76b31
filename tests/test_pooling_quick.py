"""Pooling collation JSON files quickly (``collate_files(..., parts=False)``, what ``matrixkit collate`` does) gives
exactly the pooled collation of the full path, and the same errors for any corrupted file.

The quick path adds a document's counts without building its objects only when the document is exactly what
``collation_from_dict`` reads without a problem; anything else goes the full way. Documents are generated from
random instruments and responses, written as ``matrixkit collate`` writes them, and corrupted one value at a
time (deleted, negative, a boolean, text, a float, null, an empty object or list, one more).
"""

from __future__ import annotations

import copy
import json
import os
import tempfile
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from matrixkit.collation import Collation, collate, collate_files
from matrixkit.errors import MatrixkitError, ValidationError
from matrixkit.readers import builtin_readers
from matrixkit.report import build_collation_report, collation_report_to_dict
from matrixkit.rules import LowerMedianRule
from matrixkit.testing.strategies import instruments, response_lists

SETTINGS = settings(
    max_examples=int(os.environ.get("MATRIXKIT_POOLING_EXAMPLES", "80")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
READERS = {r.name: r for r in builtin_readers()}
MUTATIONS: tuple[object, ...] = ("delete", -1, True, "x", 1.5, None, {}, [], "one-more")


def _paths(doc: object, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every place in a JSON document (keys of objects, indices of lists)."""
    found = [prefix] if prefix else []
    if isinstance(doc, dict):
        for key, value in doc.items():
            found += _paths(value, (*prefix, key))
    elif isinstance(doc, list):
        for i, value in enumerate(doc):
            found += _paths(value, (*prefix, i))
    return found


def _mutate(doc: dict[str, Any], path: tuple[Any, ...], mutation: object) -> None:
    parent: Any = doc
    for part in path[:-1]:
        parent = parent[part]
    last = path[-1]
    if mutation == "delete":
        del parent[last]
    elif mutation == "one-more":
        value = parent[last]
        parent[last] = value + 1 if isinstance(value, int) and not isinstance(value, bool) else [value]
    else:
        parent[last] = copy.deepcopy(mutation)


def _outcome(paths: list[str], instrument: Any, by: str | None, parts: bool) -> object:
    try:
        collation = collate_files(paths, instrument, READERS, by, parts=parts)[0]
    except ValidationError as exc:
        return ("ValidationError", [str(p) for p in exc.problems])
    except MatrixkitError as exc:
        return (type(exc).__name__, str(exc))
    assert isinstance(collation, Collation)
    return collation


@SETTINGS
@given(st.data())
def test_quick_pooling_equals_full_pooling(data: st.DataObject) -> None:
    instrument = data.draw(instruments(max_levels=5, max_domains=4))
    written_by = data.draw(st.sampled_from([None, "sector"]))
    pooled_by = data.draw(st.sampled_from([None, "sector", "table"]))
    tables = data.draw(st.lists(response_lists(instrument, max_size=6), min_size=1, max_size=3))
    docs = []
    for responses in tables:
        report = build_collation_report(collate(instrument, responses, by=written_by), LowerMedianRule())
        docs.append(collation_report_to_dict(report))
    if data.draw(st.booleans()):
        i = data.draw(st.integers(0, len(docs) - 1))
        places = _paths(docs[i])
        _mutate(docs[i], data.draw(st.sampled_from(places)), data.draw(st.sampled_from(MUTATIONS)))
    with tempfile.TemporaryDirectory() as folder:
        paths = []
        for i, doc in enumerate(docs):
            path = Path(folder) / f"table-{i}.json"
            path.write_text(json.dumps(doc), encoding="utf-8")
            paths.append(str(path))
        assert _outcome(paths, instrument, pooled_by, parts=False) == _outcome(paths, instrument, pooled_by, True)


@SETTINGS
@given(st.data())
def test_documents_as_written_take_the_quick_path(data: st.DataObject) -> None:
    from matrixkit.collation import _Pool

    instrument = data.draw(instruments(max_levels=5, max_domains=4))
    by = data.draw(st.sampled_from([None, "sector"]))
    responses = data.draw(response_lists(instrument, max_size=8))
    collation = collate(instrument, responses, by=by)
    doc = json.loads(json.dumps(collation_report_to_dict(build_collation_report(collation, LowerMedianRule()))))
    pool = _Pool(instrument, by)
    assert pool.add_document(doc)
    assert pool.collation() == collation
    unsplit = _Pool(instrument, None)
    assert unsplit.add_document(doc)
    assert unsplit.collation() == collation.unsplit()
