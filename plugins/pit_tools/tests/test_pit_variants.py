"""The variants: single-agency rewording of each tool, and the primary care network example of Tool A."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest

from matrixkit.format import dump_instrument, loads_instrument
from matrixkit.model import Instrument

Get = Callable[[str], Instrument]

SINGLE_AGENCY = ("pit-a-single-agency", "pit-b-single-agency", "pit-c-single-agency", "pit-d-single-agency")
PCN = "pit-a-pcn-phm"

#: Words that mark a descriptor as written for a partnership.
PARTNERSHIP_WORDS = re.compile(
    r"\b(partners?|partnerships?|joint(ly)?|system|agency|agencies|inter-agency|multi-agency)\b", re.IGNORECASE
)
#: Words that show a descriptor has been placed inside one organisation.
OWN_WORDS = re.compile(r"\b(organisation('s)?|organisation-wide|directorates?|its|board)\b", re.IGNORECASE)
#: Single-agency cells that keep partnership words with no mention of the organisation, each reviewed.
REVIEWED = {
    # "existing local partnerships and networks within communities": the communities' own partnerships.
    ("pit-b-single-agency", "building-on-community-assets", "emerging"),
    # "Work in partnership with community groups to identify funding requirements": what one agency does.
    ("pit-b-single-agency", "financial-support-to-vcse-sector", "developing"),
}


def _pairs(instrument: Get, ident: str) -> tuple[Instrument, Instrument]:
    variant = instrument(ident)
    assert variant.based_on is not None
    return instrument(variant.based_on), variant


@pytest.mark.parametrize("ident", SINGLE_AGENCY)
def test_single_agency_keeps_what_results_are_compared_on(instrument: Get, ident: str) -> None:
    base, variant = _pairs(instrument, ident)
    assert variant.id == ident and variant.based_on == ident.removesuffix("-single-agency")
    assert variant.levels == base.levels
    assert variant.domain_keys == base.domain_keys
    assert [d.title for d in variant.domains] == [d.title for d in base.domains]
    assert [d.group for d in variant.domains] == [d.group for d in base.domains]
    assert variant.groups == base.groups
    assert variant.title == f"{base.title} (single agency)"


@pytest.mark.parametrize("ident", SINGLE_AGENCY)
def test_single_agency_rewords_most_rows(instrument: Get, ident: str) -> None:
    base, variant = _pairs(instrument, ident)
    changed = [b.key for a, b in zip(base.domains, variant.domains, strict=True) if a.descriptors != b.descriptors]
    assert len(changed) >= 6, f"{ident}: only {len(changed)} of 10 rows reworded"
    for domain in variant.domains:
        assert len(set(domain.descriptors)) == 4 and all(t.strip() == t and t for t in domain.descriptors)


@pytest.mark.parametrize("ident", SINGLE_AGENCY)
def test_single_agency_cells_read_inside_one_organisation(instrument: Get, ident: str) -> None:
    _, variant = _pairs(instrument, ident)
    unplaced = {
        (ident, domain.key, level)
        for domain in variant.domains
        for level, text in zip(variant.level_keys, domain.descriptors, strict=True)
        if PARTNERSHIP_WORDS.search(text) and not OWN_WORDS.search(text)
    }
    assert unplaced <= REVIEWED, sorted(unplaced - REVIEWED)


def test_single_agency_rewording_is_documented_row_by_row(instrument: Get, repo_root: Path) -> None:
    doc = (repo_root / "docs" / "pit-single-agency-variants.md").read_text(encoding="utf-8")
    for ident in SINGLE_AGENCY:
        base, variant = _pairs(instrument, ident)
        rows = sum(a.descriptors != b.descriptors for a, b in zip(base.domains, variant.domains, strict=True))
        cells = sum(
            x != y
            for a, b in zip(base.domains, variant.domains, strict=True)
            for x, y in zip(a.descriptors, b.descriptors, strict=True)
        )
        assert f"| `{ident}` | {rows} of 10 | {cells} of 40 |" in doc, "the summary table is out of date"
        for old, new in zip(base.domains, variant.domains, strict=True):
            assert f"(`{old.key}`)" in doc, f"{ident}: no section for {old.key}"
            for level, before, after in zip(base.levels, old.descriptors, new.descriptors, strict=True):
                if before != after:
                    assert f"Toolkit: {before}" in doc, (ident, old.key, level.key)
                    assert f"Single agency: {after}" in doc, (ident, old.key, level.key)


@pytest.mark.parametrize("ident", SINGLE_AGENCY)
def test_single_agency_guidance(instrument: Get, ident: str) -> None:
    base, variant = _pairs(instrument, ident)
    assert [s.key for s in variant.guidance] == [s.key for s in base.guidance]
    own = {s.key: s for s in variant.guidance}
    assert "single agency or topic-based work" in own["purpose"].text
    assert own["purpose"] != {s.key: s for s in base.guidance}["purpose"]
    assert len(own["workshop-prompts"].items) == 7
    assert variant.source.attribution != base.source.attribution


def test_single_agency_shared_guidance_is_identical(instrument: Get) -> None:
    first = {s.key: s for s in instrument(SINGLE_AGENCY[0]).guidance if s.key != "purpose"}
    for ident in SINGLE_AGENCY[1:]:
        assert {s.key: s for s in instrument(ident).guidance if s.key != "purpose"} == first


# -- the primary care network example ------------------------------------------------------------------------

RENAMED = {
    "leadership": "Leadership across the PCN",
    "needs-assessment": "Linked data and population needs",
    "scoping-whole-system": "Scoping beyond general practice",
    "information-governance": "Data access and governance",
    "programme-management": "Programme support and facilitation",
    "evaluation": "Evaluation and embedded research",
}
ADDED = ("practice-engagement", "capacity-and-resources", "action-learning")
REMOVED = ("business-planning",)
UNCHANGED = ("intervention-selection", "target-setting")


def test_pcn_example_shape(instrument: Get) -> None:
    base, variant = _pairs(instrument, PCN)
    assert base.id == "pit-a"
    assert variant.levels == base.levels
    assert variant.domain_keys == (
        "leadership",
        "practice-engagement",
        "needs-assessment",
        "prioritisation",
        "scoping-whole-system",
        "intervention-selection",
        "target-setting",
        "capacity-and-resources",
        "information-governance",
        "programme-management",
        "action-learning",
        "evaluation",
    )
    assert set(base.domain_keys) - set(variant.domain_keys) == set(REMOVED)
    assert set(variant.domain_keys) - set(base.domain_keys) == set(ADDED)


def test_pcn_example_renames_and_rewords(instrument: Get) -> None:
    base, variant = _pairs(instrument, PCN)
    for key, title in RENAMED.items():
        assert base.domain(key).title != title and variant.domain(key).title == title
    for key in UNCHANGED:
        assert variant.domain(key) == base.domain(key)
    for key in set(base.domain_keys) - set(REMOVED) - set(UNCHANGED):
        assert variant.domain(key).descriptors != base.domain(key).descriptors, key
    # Evaluation keeps Tool A's Emerging cell and rewrites the others.
    assert variant.domain("evaluation").descriptors[0] == base.domain("evaluation").descriptors[0]
    every = [t for d in variant.domains for t in d.descriptors]
    assert len(every) == len(set(every)) == 4 * 12


def test_pcn_example_guidance_and_doc(instrument: Get, repo_root: Path) -> None:
    variant = instrument(PCN)
    sections = {s.key: s for s in variant.guidance}
    assert {"purpose", "how-to-use", "pcn-context", "workshop-prompts", "workshop-format"} <= set(sections)
    assert "twelve domains" in sections["how-to-use"].text
    doc = (repo_root / "docs" / "pit-pcn-example.md").read_text(encoding="utf-8")
    for key in (*variant.domain_keys, *REMOVED):
        assert f"`{key}`" in doc, key


@pytest.mark.parametrize("ident", [*SINGLE_AGENCY, PCN])
def test_resolved_variants_round_trip(instrument: Get, ident: str) -> None:
    variant = instrument(ident)
    assert loads_instrument(dump_instrument(variant)) == variant
