"""The instrument file format: loading, located errors, round trips and variants."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings

from matrixkit.errors import ValidationError
from matrixkit.format import (
    dump_instrument,
    instrument_to_dict,
    loads_instrument,
)
from matrixkit.format import (
    read_instrument as load_instrument,
)
from matrixkit.model import Instrument
from matrixkit.testing.strategies import instruments

SMALL = """\
format = 1
id = "small"
title = "Small"
version = "1.0"

[[levels]]
key = "low"
label = "Low"
score = 1

[[levels]]
key = "mid"
label = "Mid"
score = 2

[[levels]]
key = "high"
label = "High"
score = 3

[[groups]]
key = "people"
title = "People"

[[domains]]
key = "leadership"
title = "Leadership"
group = "people"
descriptors = ["L low", "L mid", "L high"]

[[domains]]
key = "funding"
title = "Funding"
descriptors = ["F low", "F mid", "F high"]

[[domains]]
key = "data"
title = "Data"
descriptors = ["D low", "D mid", "D high"]

[[guidance]]
key = "how-to-use"
title = "How to use"
text = "Mark one cell per row."
"""


def small() -> Instrument:
    return loads_instrument(SMALL, name="small.toml")


def errors_of(text: str, name: str = "x.toml", lookup=None) -> list[str]:  # type: ignore[no-untyped-def]
    with pytest.raises(ValidationError) as info:
        loads_instrument(text, name=name, lookup=lookup)
    return [str(p) for p in info.value.problems]


def test_loads_the_contract_shape(generic_file: Path) -> None:
    inst = load_instrument(generic_file)
    assert inst.id == "digital-maturity"
    assert len(inst.levels) == 6 and inst.scores == (0, 1, 2, 3, 4, 5)
    assert len(inst.domains) == 12
    assert inst.domain("funding").group == "foundations"


@settings(max_examples=150, deadline=None)
@given(instruments())
def test_round_trip_through_toml(instrument: Instrument) -> None:
    assert loads_instrument(dump_instrument(instrument)) == instrument


@settings(max_examples=50, deadline=None)
@given(instruments())
def test_round_trip_through_plain_data(instrument: Instrument) -> None:
    from matrixkit.format import instrument_from_document

    assert instrument_from_document(instrument_to_dict(instrument)) == instrument


def test_syntax_error_gives_line_and_column() -> None:
    [message] = errors_of('format = 1\nid = "x"\ntitle = \n', name="tools/x.toml")
    assert message.startswith("tools/x.toml:3: column 9: TOML syntax error")


def test_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "latin1.toml"
    path.write_bytes('format = 1\ntitle = "Caf\xe9"\n'.encode("latin-1"))
    with pytest.raises(ValidationError, match=r"latin1.toml:2: not UTF-8 text"):
        load_instrument(path)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match=r"nothere.toml: cannot read file"):
        load_instrument(tmp_path / "nothere.toml")


@pytest.mark.parametrize(
    ("edit", "expected"),
    [
        (lambda t: t.replace("format = 1\n", ""), "x.toml: missing 'format = 1'"),
        (lambda t: t.replace("format = 1", "format = 2"), "x.toml:1: format: unsupported format 2"),
        (lambda t: t.replace('version = "1.0"', "version = 1.0"), "x.toml:4: version: expected text, found a number"),
        (lambda t: t.replace('id = "small"', 'id = "Small Tool"'), "x.toml:2: id: id 'Small Tool' is not lowercase"),
        (lambda t: t + 'colour = "red"\n', "unknown key (expected one of: "),
        (lambda t: t.replace("score = 2", "score = 0"), "x.toml:14: levels[1].score: scores must increase strictly"),
        (lambda t: t.replace("score = 2", 'score = "2"'), "levels[1].score: expected a whole number, found text"),
        (lambda t: t.replace('key = "mid"', 'key = "low"'), "levels[1]: duplicate level key 'low' (also levels[0])"),
        (
            lambda t: t.replace('"L low", "L mid", "L high"', '"L low", "L mid"'),
            'x.toml:25: domains[0] "leadership": 2 descriptors for 3 levels',
        ),
        (lambda t: t.replace('group = "people"', 'group = "money"'), "group 'money' is not declared in [[groups]]"),
        (lambda t: t.replace('key = "funding"', 'key = "data"'), "domains[2]: duplicate domain key 'data'"),
        (lambda t: t.replace('"F low"', '""'), "domains[1].descriptors[0]: must be non-empty text"),
        (lambda t: t.replace('key = "funding"\n', ""), "domains[1].key: required key missing"),
        (
            lambda t: t.replace('descriptors = ["D low", "D mid", "D high"]', 'descriptors = "D"'),
            "domains[2].descriptors: expected a list, found text",
        ),
        (
            lambda t: t.replace('title = "Funding"', 'title = "Funding"\nweight = 2'),
            "x.toml:34: domains[1].weight: unknown key",
        ),
        (
            lambda t: t.replace('label = "High"', 'label = "High"\naliases = ["Gold", "Mid"]'),
            "x.toml:19: levels[2].aliases[1]: aliases[1] 'mid' of level 'high' reads as level 'mid' (levels[1], its "
            "key): an answer 'mid' would be ambiguous",
        ),
        (
            lambda t: t.replace('label = "Low"', 'label = "Low"\naliases = ["2"]'),
            "levels[0].aliases[0]: aliases[0] '2' of level 'low' reads as level 'mid'",
        ),
        (
            lambda t: t.replace('label = "Low"', 'label = "Low"\naliases = ["Level 3"]'),
            "levels[0].aliases[0]: aliases[0] 'level 3' of level 'low' reads as level 'high'",
        ),
        (
            lambda t: t.replace('label = "Low"', 'label = "Low"\naliases = ["N/A"]'),
            "levels[0].aliases[0]: aliases[0] 'n/a' of level 'low' reads as not answered",
        ),
        (
            lambda t: t.replace('label = "Low"', 'label = "Low"\naliases = ""'),
            "levels[0].aliases: expected a list, found text",
        ),
    ],
)
def test_each_problem_is_located(edit, expected) -> None:  # type: ignore[no-untyped-def]
    messages = errors_of(edit(SMALL))
    assert any(expected in m for m in messages), messages


def test_all_problems_of_a_file_are_reported_together() -> None:
    text = (
        SMALL.replace('id = "small"', 'id = "Small"')
        .replace('"L low", "L mid", "L high"', '"L low"')
        .replace('group = "people"', 'group = "money"')
        .replace('label = "Mid"', "label = 5")
    )
    messages = errors_of(text)
    assert len(messages) >= 4, messages
    assert all(m.startswith("x.toml") for m in messages)


def test_dump_is_readable_toml() -> None:
    text = dump_instrument(small())
    assert text.startswith('format = 1\nid = "small"\ntitle = "Small"\nversion = "1.0"\n')
    assert "None" not in text and "null" not in text


# -- variants ---------------------------------------------------------------------------------------

VARIANT = """\
format = 1
id = "small-local"
extends = "small"
title = "Small, adapted"
remove_domains = ["funding"]

[change_domains.leadership]
title = "Board leadership"
descriptors.high = "Our board owns it"

[change_domains.data]
descriptors = ["d1", "d2", "d3"]

[[add_domains]]
key = "people"
title = "People"
after = "leadership"
descriptors = ["p1", "p2", "p3"]

[[guidance]]
key = "how-to-use"
title = "How to use it here"
text = "Mark one cell per row, thinking of our own organisation."

[[guidance]]
key = "extra"
title = "Extra"
items = ["one", "two"]
"""


def lookup_small(ident: str) -> Instrument:
    if ident == "small":
        return small()
    raise KeyError(ident)


def test_variant_overrides_drops_and_adds() -> None:
    base = small()
    variant = loads_instrument(VARIANT, lookup=lookup_small)
    assert variant.id == "small-local" and variant.based_on == "small"
    assert variant.title == "Small, adapted"
    assert variant.version == base.version and variant.levels == base.levels
    assert variant.domain_keys == ("leadership", "people", "data")
    leadership = variant.domain("leadership")
    assert leadership.title == "Board leadership"
    assert leadership.descriptors == ("L low", "L mid", "Our board owns it")
    assert leadership.group == "people"
    assert variant.domain("data").descriptors == ("d1", "d2", "d3")
    assert [s.key for s in variant.guidance] == ["how-to-use", "extra"]
    assert variant.guidance[0].title == "How to use it here"


def test_resolved_variant_round_trips_as_a_plain_instrument() -> None:
    variant = loads_instrument(VARIANT, lookup=lookup_small)
    assert loads_instrument(dump_instrument(variant)) == variant


@pytest.mark.parametrize(
    ("edit", "expected"),
    [
        (lambda t: t.replace('extends = "small"', 'extends = "nope"'), "extends: unknown base instrument 'nope'"),
        (lambda t: t.replace('id = "small-local"', 'id = "small"'), "a variant needs its own id"),
        (lambda t: t.replace('["funding"]', '["finance"]'), "remove_domains[0]: 'finance' is not a domain of small"),
        (lambda t: t.replace("descriptors.high", "descriptors.top"), "'top' is not a level key of small"),
        (lambda t: t.replace('after = "leadership"', 'after = "funding"'), "add_domains[0].after: 'funding' is not"),
        (lambda t: t.replace('key = "people"', 'key = "data"'), "domain 'data' already exists in small"),
        (lambda t: t.replace('["d1", "d2", "d3"]', '["d1", "d2"]'), 'domains[2] "data": 2 descriptors for 3 levels'),
        (lambda t: t + "[[levels]]\nkey = 'x'\nlabel = 'X'\nscore = 9\n", "a variant keeps its base's levels"),
        (lambda t: t.replace("[change_domains.data]", "[change_domains.funding]"), "'funding' is both removed and"),
        (
            lambda t: t.replace('title = "Board leadership"', "colour = 1"),
            "change_domains.leadership.colour: unknown key",
        ),
    ],
)
def test_variant_problems(edit, expected) -> None:  # type: ignore[no-untyped-def]
    messages = errors_of(edit(VARIANT), lookup=lookup_small)
    assert any(expected in m for m in messages), messages


def test_variant_without_a_way_to_resolve_its_base() -> None:
    messages = errors_of(VARIANT)
    assert any("cannot resolve 'extends = 'small''" in m for m in messages)
