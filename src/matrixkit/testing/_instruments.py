"""Hypothesis strategies for instruments: valid instruments of any shape, for round-trip and contract tests."""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

from matrixkit.model import Domain, Group, GuidanceSection, Instrument, Level, Source, ambiguous_names

__all__ = ["colours", "instruments", "keys", "levels", "texts"]

_BIDI = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
_WORD = st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789", min_size=1, max_size=8)

#: Lowercase kebab-case keys and ids.
keys = st.lists(_WORD, min_size=1, max_size=3).map("-".join)

#: Hex colours ``#rrggbb``.
colours = st.integers(min_value=0, max_value=0xFFFFFF).map(lambda n: f"#{n:06x}")


def texts(min_size: int = 1, max_size: int = 60, hostile: bool = True) -> st.SearchStrategy[str]:
    """Non-blank text people may write (any character but control characters and bidirectional overrides, which
    instruments refuse); with ``hostile``, also markup, formulas, quotes and non-ASCII that outputs must escape."""
    plain = st.text(
        alphabet=st.characters(exclude_categories=["Cs", "Cc"], exclude_characters=_BIDI),
        min_size=min_size,
        max_size=max_size,
    ).filter(lambda s: s.strip() != "")
    if not hostile:
        return plain
    nasty = st.sampled_from(
        [
            "<script>alert(1)</script>",
            '=HYPERLINK("http://example.invalid","x")',
            "+1+1",
            "-2",
            "@SUM(A1)",
            'Tom & Jerry\'s "plan"',
            "Ærø — Zoë’s café ✓",
            "]]> <!-- --> {{ x }} {% y %}",
        ]
    )
    return st.one_of(plain, nasty)


def levels(min_levels: int = 2, max_levels: int = 7) -> st.SearchStrategy[tuple[Level, ...]]:
    """Ordered levels with distinct keys and labels and strictly increasing (possibly negative) scores, no name of
    one level readable as another (as instruments require)."""
    return _levels(min_levels, max_levels).filter(lambda found: not any(ambiguous_names(list(enumerate(found)))))


@st.composite
def _levels(draw: st.DrawFn, min_levels: int = 2, max_levels: int = 7) -> tuple[Level, ...]:
    n = draw(st.integers(min_levels, max_levels))
    level_keys = draw(st.lists(keys, min_size=n, max_size=n, unique=True))
    labels = draw(st.lists(texts(max_size=20), min_size=n, max_size=n, unique_by=lambda s: s.casefold()))
    start = draw(st.integers(-3, 3))
    gaps = draw(st.lists(st.integers(1, 3), min_size=n, max_size=n))
    scores, score = [], start
    for gap in gaps:
        scores.append(score)
        score += gap
    return tuple(
        Level(key=k, label=lab, score=s, colour=draw(colours))
        for k, lab, s in zip(level_keys, labels, scores, strict=True)
    )


def _optional(strategy: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.one_of(st.none(), strategy)


@st.composite
def instruments(
    draw: st.DrawFn,
    min_levels: int = 2,
    max_levels: int = 7,
    min_domains: int = 1,
    max_domains: int = 12,
    hostile: bool = True,
) -> Instrument:
    """Valid instruments of any shape: any number of levels and domains, optional groups and guidance."""
    text = texts(hostile=hostile)
    scale = draw(levels(min_levels, max_levels))
    group_list = draw(
        st.lists(
            st.builds(Group, key=keys, title=text, description=st.just("") | text),
            max_size=3,
            unique_by=lambda g: g.key,
        )
    )
    group_keys = [g.key for g in group_list]
    n_domains = draw(st.integers(min_domains, max_domains))
    domain_keys = draw(st.lists(keys, min_size=n_domains, max_size=n_domains, unique=True))
    domains = [
        Domain(
            key=key,
            title=draw(text),
            descriptors=tuple(draw(st.lists(text, min_size=len(scale), max_size=len(scale)))),
            group=draw(st.none() | st.sampled_from(group_keys)) if group_keys else None,
            short_title=draw(_optional(text)),
            guidance=draw(st.just("") | text),
        )
        for key in domain_keys
    ]
    guidance = draw(
        st.lists(
            st.builds(
                GuidanceSection,
                key=keys,
                title=text,
                text=text,
                items=st.lists(text, max_size=3).map(tuple),
            ),
            max_size=3,
            unique_by=lambda s: s.key,
        )
    )
    return Instrument(
        id=draw(keys),
        title=draw(text),
        version=draw(st.from_regex(r"\A[0-9]{1,2}\.[0-9]{1,2}\Z")),
        description=draw(st.just("") | text),
        short_title=draw(_optional(text)),
        levels=scale,
        domains=domains,
        groups=group_list,
        guidance=guidance,
        source=draw(
            st.builds(Source, title=st.just("") | text, publisher=st.just("") | text, licence=st.just("") | text)
        ),
        based_on=draw(_optional(keys)),
    )
