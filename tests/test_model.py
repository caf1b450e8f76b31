"""The model checks itself: an invalid instrument cannot be built, and every problem is reported at once."""

from __future__ import annotations

import pytest

from matrixkit.errors import ValidationError
from matrixkit.model import (
    MAX_LEVELS,
    Domain,
    Group,
    GuidanceSection,
    Instrument,
    Level,
    has_refused_characters,
    text_problems,
)


def levels(n: int = 3, start: int = 1) -> list[Level]:
    return [Level(key=f"k{i}", label=f"Stage {'ABCDEFGH'[i]}", score=start + i) for i in range(n)]


def domain(key: str = "d", n: int = 3, **kw: object) -> Domain:
    return Domain(key=key, title=key.title(), descriptors=[f"{key} {i}" for i in range(n)], **kw)  # type: ignore[arg-type]


def test_a_valid_instrument_of_any_shape() -> None:
    inst = Instrument(id="six", title="Six", version="1", levels=levels(6, 0), domains=[domain(n=6)])
    assert inst.scores == (0, 1, 2, 3, 4, 5)
    assert inst.span == 5
    assert inst.level_index("3") == 3
    assert inst.level_index(" L2 ") == 2
    assert inst.level_index("level 4") == 4
    assert inst.level_index("stage d") == 3
    assert inst.describe_scale() == "0–5 or k0/k1/k2/k3/k4/k5"


def test_level_index_rejects_what_is_not_a_level() -> None:
    inst = Instrument(id="t", title="T", version="1", levels=levels(4), domains=[domain(n=4)])
    for bad in ("5", "0", "nope", True, 2.5, ""):
        with pytest.raises(ValueError, match=r"is not a level of t \(1–4 or k0/k1/k2/k3\)"):
            inst.level_index(bad)


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: Level(key="Bad Key", label="x", score=1), "not lowercase kebab-case"),
        (lambda: Level(key="a", label="  ", score=1), "must be non-empty text"),
        (lambda: Level(key="a", label="A", score=1, colour="red"), "not a hex colour"),
        (lambda: Level(key="a", label="A", score=True), "score must be a whole number"),
        (lambda: Domain(key="d", title="D", descriptors=["ok", ""]), r"descriptors\[1\]: must be non-empty text"),
        (lambda: Group(key="g_1", title="G"), "not lowercase kebab-case"),
        (lambda: GuidanceSection(key="g", title="G"), "needs text or items"),
    ],
)
def test_parts_check_themselves(make, message) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValidationError, match=message):
        make()


def test_every_cross_field_problem_is_reported_at_once() -> None:
    bad_levels = [Level(key="a", label="A", score=2), Level(key="a", label="a", score=1)]
    with pytest.raises(ValidationError) as info:
        Instrument(
            id="x",
            title="X",
            version="1",
            levels=bad_levels,
            domains=[domain("one", 1, group="missing"), domain("one", 2)],
        )
    text = str(info.value)
    assert "duplicate level key 'a'" in text
    assert "duplicate level label 'a'" in text
    assert "scores must increase strictly" in text
    assert "duplicate domain key 'one'" in text
    assert '"one": 1 descriptors for 2 levels' in text
    assert "group 'missing' is not declared" in text
    assert len(info.value.problems) == 6


def test_at_most_255_levels() -> None:
    many = [Level(key=f"k{i}", label=f"Stage {i}", score=i) for i in range(MAX_LEVELS + 1)]
    Instrument(id="x", title="X", version="1", levels=many[:-1], domains=[domain(n=MAX_LEVELS)])
    with pytest.raises(ValidationError) as info:
        Instrument(id="x", title="X", version="1", levels=many, domains=[domain(n=MAX_LEVELS + 1)])
    assert [(p.field, p.message) for p in info.value.problems] == [
        ("levels", "at most 255 levels are allowed, found 256")
    ]


def test_too_few_levels_and_no_domains() -> None:
    with pytest.raises(ValidationError) as info:
        Instrument(id="x", title="X", version="1", levels=levels(1), domains=[])
    assert {p.field for p in info.value.problems} == {"levels", "domains"}


def test_fingerprint_ignores_wording_around_the_matrix_but_not_the_matrix() -> None:
    a = Instrument(id="a", title="A", version="1", levels=levels(), domains=[domain()])
    renamed = Instrument(id="a", title="Another title", version="2", levels=levels(), domains=[domain()])
    reworded = Instrument(
        id="a",
        title="A",
        version="1",
        levels=levels(),
        domains=[Domain(key="d", title="D", descriptors=["x", "y", "z"])],
    )
    assert a.fingerprint == renamed.fingerprint
    assert a.fingerprint != reworded.fingerprint


def test_models_are_frozen() -> None:
    inst = Instrument(id="a", title="A", version="1", levels=levels(), domains=[domain()])
    with pytest.raises(AttributeError):
        inst.title = "changed"  # type: ignore[misc]


def test_a_column_is_refused_exactly_when_one_of_its_texts_is() -> None:
    # Every character up to past the last refused one (U+2069), in an ASCII column and in a non-ASCII one: the
    # column check (ASCII columns by deleting bytes, others by the pattern) against text_problems of each cell.
    for code in range(0x2100):
        for multiline in (False, True):
            for column in (["ann", f"b{chr(code)}"], ["é", f"b{chr(code)}"]):
                refused = any(text_problems(t, "f", multiline=multiline) for t in column)
                assert has_refused_characters(column, multiline=multiline) is refused, (hex(code), multiline, column)
