"""Plain text for people: the matrix of an instrument wrapped to the terminal's width, UK long dates."""

from __future__ import annotations

import datetime
import shutil
import textwrap

from matrixkit.model import Instrument

__all__ = ["long_date", "render_matrix", "terminal_width", "when_text"]

_MONTHS = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip


def terminal_width(default: int = 100) -> int:
    """The terminal's width in columns, kept between 60 and 120."""
    return max(60, min(shutil.get_terminal_size((default, 24)).columns, 120))


def long_date(date: datetime.date) -> str:
    """A date as people in the UK write it in a document: ``12 March 2025`` (English month names whatever the
    locale)."""
    return f"{date.day} {_MONTHS[date.month - 1]} {date.year}"


def when_text(when: datetime.date | str) -> str:
    """An action's "by when": a date as a UK long date, text as written."""
    return long_date(when) if isinstance(when, datetime.date) else when


def _wrap(text: str, width: int, indent: str, *, break_on_hyphens: bool = True) -> list[str]:
    return textwrap.wrap(
        " ".join(text.split()),
        width=width,
        initial_indent=indent,
        subsequent_indent=indent,
        break_long_words=False,
        break_on_hyphens=break_on_hyphens,
    )


def render_matrix(instrument: Instrument, width: int | None = None) -> str:
    """The instrument as readable text: header, levels, then each domain with its descriptors in turn."""
    width = width or terminal_width()
    lines: list[str] = []
    # The id is never cut at one of its hyphens: it is what people type.
    title = _wrap(f"{instrument.title} ({instrument.id} {instrument.version})", width, "", break_on_hyphens=False)
    lines += [*title, "=" * min(max(map(len, title)), width)]
    if instrument.based_on:
        lines.append(f"Adapted from {instrument.based_on}.")
    if instrument.description:
        lines += _wrap(instrument.description, width, "")
    lines.append("")
    scale = ", ".join(f"{lv.label} ({lv.score})" for lv in instrument.levels)
    lines += _wrap(f"Levels, lowest first: {scale}.", width, "")
    label_width = max(len(f"{lv.label} ({lv.score})") for lv in instrument.levels) + 2
    current_group: str | None = None
    for number, domain in enumerate(instrument.domains, 1):
        if domain.group != current_group and domain.group is not None:
            group = instrument.group(domain.group)
            lines += ["", f"[{group.title}]"]
            if group.description:
                lines += _wrap(group.description, width, "")
        current_group = domain.group
        heading = f"{number}. {domain.title}"
        if domain.short_title and domain.short_title != domain.title:
            heading += f" ({' '.join(domain.short_title.split())})"
        wrapped = _wrap(heading, width, "")
        lines += ["", *wrapped, "-" * min(max(map(len, wrapped)), width)]
        if domain.guidance:
            lines += _wrap(domain.guidance, width, "   ")
        for level, descriptor in zip(instrument.levels, domain.descriptors, strict=True):
            label = f"{level.label} ({level.score})"
            if label_width > width // 3:
                # Long level labels: the label on its own line, the descriptor indented below it.
                lines += _wrap(label, width, "   ")
                lines += _wrap(descriptor, width, "      ")
                continue
            body = _wrap(descriptor, width - 3 - label_width, "")
            lines.append(f"   {label.ljust(label_width)}{body[0] if body else ''}")
            lines += [" " * (3 + label_width) + rest for rest in body[1:]]
    for section in instrument.guidance:
        lines += ["", section.title, "-" * min(len(section.title), width)]
        for paragraph in section.text.split("\n\n"):
            if paragraph.strip():
                lines += [*_wrap(paragraph, width, ""), ""]
        for item in section.items:
            lines += textwrap.wrap(
                " ".join(item.split()),
                width=width,
                initial_indent=" - ",
                subsequent_indent="   ",
                break_long_words=False,
            )
    if instrument.source.attribution or instrument.source.title:
        lines += [
            "",
            *_wrap(f"Source: {instrument.source.attribution or instrument.source.title}", width, ""),
        ]
    return "\n".join(lines).rstrip() + "\n"
