"""Plain-text rendering for terminals: the matrix of an instrument, wrapped to the terminal's width."""

from __future__ import annotations

import textwrap

from matrixkit.model import Instrument

__all__ = ["render_matrix", "terminal_width"]


def terminal_width(default: int = 100) -> int:
    import shutil  # here: shutil is not needed by most commands

    return max(60, min(shutil.get_terminal_size((default, 24)).columns, 120))


def _wrap(text: str, width: int, indent: str) -> list[str]:
    return textwrap.wrap(" ".join(text.split()), width=width, initial_indent=indent, subsequent_indent=indent)


def render_matrix(instrument: Instrument, width: int | None = None) -> str:
    """The instrument as readable text: header, levels, then each domain with its descriptors in turn."""
    width = width or terminal_width()
    lines: list[str] = []
    title = f"{instrument.title} ({instrument.id} {instrument.version})"
    lines += [title, "=" * min(len(title), width)]
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
            heading += f" ({domain.short_title})"
        lines += ["", heading, "-" * min(len(heading), width)]
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
            lines += textwrap.wrap(" ".join(item.split()), width=width, initial_indent=" - ", subsequent_indent="   ")
    if instrument.source.attribution or instrument.source.title:
        lines += [
            "",
            *_wrap(f"Source: {instrument.source.attribution or instrument.source.title}", width, ""),
        ]
    return "\n".join(lines).rstrip() + "\n"
