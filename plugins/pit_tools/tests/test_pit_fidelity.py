"""Fidelity: every descriptor of the four tools is the toolkit's text, word for word (whitespace normalised).

The toolkit's text is read from ``../shared/seeds/001_0bf79d064a966a9f.txt`` beside the repository (or from
the folder named by ``MATRIXKIT_SEEDS``); the tests skip, saying why, only when that file is absent.

Three descriptors repair damage done when the text was extracted; each repair is listed in ``REPAIRS`` with the
seed's lines, checked against the seed, and marked by an "extraction fix" comment in the instrument file.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import attrs
import pytest

from matrixkit.model import Instrument

Get = Callable[[str], Instrument]

TOOLS = ("pit-a", "pit-b", "pit-c", "pit-d")


def normalise(text: str) -> str:
    """Whitespace normalised: every run of whitespace (including no-break spaces) becomes one space."""
    return " ".join(text.split())


@attrs.frozen
class Repair:
    """A descriptor printed over several lines of the seed, possibly with foreign text caught in it."""

    lines: tuple[str, ...]  # the seed's consecutive non-blank lines holding the cell
    dropped: str = ""  # text in those lines that is not part of the descriptor (e.g. a diagram caption)


REPAIRS: dict[tuple[str, str, str], Repair] = {
    # Diagram labels "Barriers in top-down" / "Place-based planning" caught in the cell, making a fifth cell.
    ("pit-c", "practical-asset-mapping", "emerging"): Repair(
        lines=(
            "Little account taken of community assets or locally identified deficits. Barriers in top-down",
            "Place-based planning",
        ),
        dropped="Barriers in top-down Place-based planning",
    ),
    # One cell printed as two lines (two sentences).
    ("pit-d", "information-sharing", "thriving"): Repair(
        lines=(
            "Technical connectivity, integrated IT reliably facilitates communication and timely, safe "
            "transfer of intelligence.",
            "Arrangements for joint analysis and agreement of interpretation in key areas.",
        ),
    ),
    # One cell split mid-sentence over two lines.
    ("pit-d", "joint-commissioning-and-procurement", "emerging"): Repair(
        lines=("Individual siloed service", "commissioning in each service sector"),
    ),
}


def _matrix_section(seed: str, title: str) -> str:
    """The normalised text of a tool's matrix: from its heading to its Workshop Collation Sheet."""
    text = normalise(seed)
    tool = title.split(":")[0]  # "Tool A"
    end = re.search(rf"{tool}: Workshop Collation Sheet", text)
    assert end, f"no collation sheet for {tool} in the seed"
    starts = [m.start() for m in re.finditer(re.escape(title), text[: end.start()], flags=re.IGNORECASE)]
    assert starts, f"no matrix heading {title!r} in the seed"
    return text[starts[-1] : end.start()]


def _non_blank_lines(seed: str) -> list[str]:
    return [line.strip() for line in seed.replace("\xa0", " ").splitlines() if line.strip()]


def _expected_seed_text(ident: str, key: str, level: str, descriptor: str) -> str:
    """What the seed holds for a descriptor: the descriptor itself, or the repaired cell's lines joined."""
    repair = REPAIRS.get((ident, key, level))
    return normalise(" ".join(repair.lines)) if repair else descriptor


@pytest.mark.parametrize("ident", TOOLS)
def test_every_descriptor_is_the_toolkits_text_in_order(instrument: Get, seed_text: str, ident: str) -> None:
    tool = instrument(ident)
    section = _matrix_section(seed_text, tool.title)
    position = 0
    for domain in tool.domains:
        found = section.find(domain.title, position)
        assert found >= 0, f"{ident}: row title {domain.title!r} not found (in order) in the toolkit"
        position = found + len(domain.title)
        for level, descriptor in zip(tool.level_keys, domain.descriptors, strict=True):
            expected = _expected_seed_text(ident, domain.key, level, descriptor)
            found = section.find(expected, position)
            assert found >= 0, f"{ident} / {domain.key} / {level}: not the toolkit's text: {descriptor!r}"
            assert section[position:found].strip() in ("", domain.title), (
                f"{ident} / {domain.key} / {level}: unexpected toolkit text before this descriptor: "
                f"{section[position:found]!r}"
            )
            position = found + len(expected)


@pytest.mark.parametrize("ident", TOOLS)
def test_nothing_left_out_of_the_matrix(instrument: Get, seed_text: str, ident: str) -> None:
    # Everything in the matrix section is a level heading, a group heading, a row title or a descriptor.
    tool = instrument(ident)
    rest = _matrix_section(seed_text, tool.title)
    rest = rest[len(tool.title) :]
    for domain in tool.domains:
        for level_key, descriptor in zip(tool.level_keys, domain.descriptors, strict=True):
            rest = rest.replace(_expected_seed_text(ident, domain.key, level_key, descriptor), " ", 1)
        rest = rest.replace(domain.title, " ", 1)
    for group in tool.groups:
        rest = rest.replace(group.title, " ", 1)
    for level in tool.levels:
        rest = rest.replace(f"{level.label} ({level.score})", " ", 1)
    assert rest.split() == []


@pytest.mark.parametrize(("where", "repair"), list(REPAIRS.items()), ids=["/".join(k) for k in REPAIRS])
def test_repairs_are_what_the_seed_shows(
    instrument: Get, seed_text: str, where: tuple[str, str, str], repair: Repair
) -> None:
    ident, key, level = where
    tool = instrument(ident)
    descriptor = tool.domain(key).descriptors[tool.level_keys.index(level)]
    lines = _non_blank_lines(seed_text)
    # The damage is really there: the cell's pieces are consecutive lines of their own in the seed.
    starts = [i for i, line in enumerate(lines) if line == repair.lines[0]]
    assert len(starts) == 1, f"the repaired cell's first line is not a line of the seed: {repair.lines[0]!r}"
    first = starts[0]
    assert tuple(lines[first : first + len(repair.lines)]) == repair.lines
    # The repair only joins the lines and drops the documented foreign text, nothing else.
    joined = normalise(" ".join(repair.lines))
    assert joined == normalise(f"{descriptor} {repair.dropped}")


def test_repairs_are_marked_in_the_files(instrument: Get, instrument_path: Callable[[str], Path]) -> None:
    marked: set[tuple[str, str, str]] = set()
    for ident in TOOLS:
        tool = instrument(ident)
        lines = instrument_path(ident).read_text(encoding="utf-8").splitlines()
        for domain in tool.domains:
            for level, descriptor in zip(tool.level_keys, domain.descriptors, strict=True):
                literal = f'"{descriptor}",'
                index = next(i for i, line in enumerate(lines) if line.strip() == literal)
                comments = []
                for line in reversed(lines[:index]):
                    if not line.strip().startswith("#"):
                        break
                    comments.append(line)
                if any("extraction fix" in c for c in comments):
                    marked.add((ident, domain.key, level))
    assert marked == set(REPAIRS)


def test_guidance_quotes_the_toolkit(instrument: Get, seed_text: str) -> None:
    seed = normalise(seed_text)
    sections = {s.key: s for s in instrument("pit-a").guidance}
    for key in ("workshop-prompts", "effective-workshops", "uses"):
        for item in sections[key].items:
            assert item in seed, (key, item)
    *steps, plenary = sections["workshop-format"].items
    for item in steps:
        assert item in seed, item
    # The toolkit prints the plenary as two bullets; the instrument joins them into one step.
    first, second = plenary.split(" and consequences")
    assert f"{first} and" in seed and f"consequences{second}" in seed
    assert sections["start-with-tool-a"].text in seed
    for paragraph in sections["collation-sheet"].text.split("\n\n"):
        assert paragraph in seed, paragraph
