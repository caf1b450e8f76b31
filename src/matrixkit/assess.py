"""An interactive assessment: one person goes through the matrix domain by domain and picks a descriptor.

:func:`run_assessment` drives the conversation through two callables — ``ask(prompt) -> answer`` and
``say(text)`` — so the terminal command (``matrixkit assess``) and tests share it. The person can choose a
level (by number, key or label), skip a domain (not answered / don't know), add a comment, go back, revisit any
domain from the summary, or quit without saving.
"""

from __future__ import annotations

import json
import textwrap
from collections.abc import Callable, Mapping

from matrixkit.errors import MatrixkitError
from matrixkit.model import Instrument
from matrixkit.responses import RESPONSES_FORMAT, Response, response_to_dict

__all__ = ["AssessmentAborted", "run_assessment", "write_response"]

HELP = (
    "Type the number (score), key or name of the statement that fits best; Enter keeps the current choice; "
    "s = skip (don't know); c = add a comment; b = back one domain; q = quit without saving."
)


class AssessmentAborted(MatrixkitError):
    """The person quit, or the input ended, before saving."""


def _wrap(text: str, indent: str, width: int) -> list[str]:
    return textwrap.wrap(
        " ".join(text.split()), width=width, initial_indent=indent, subsequent_indent=" " * len(indent)
    )


def run_assessment(
    instrument: Instrument,
    ask: Callable[[str], str],
    say: Callable[[str], None],
    *,
    participant: str | None = None,
    attributes: Mapping[str, str] | None = None,
    width: int = 88,
) -> Response:
    """Hold the assessment conversation and return the response. Raises :class:`AssessmentAborted`."""

    def prompt(text: str) -> str:
        try:
            return ask(text).strip()
        except EOFError:
            raise AssessmentAborted("input ended before the assessment was saved") from None

    say(
        f"{instrument.title} ({instrument.id} {instrument.version}): "
        f"self-assessment of {len(instrument.domains)} domains."
    )
    say("For each domain, choose the statement that most closely describes where you work now.")
    say(HELP)
    say("")
    while not participant:
        participant = prompt("Your name or id: ")
    levels = instrument.levels
    choices: dict[str, int | None] = dict.fromkeys(instrument.domain_keys)
    comments: dict[str, str] = {}
    domains = instrument.domains
    i = 0
    shown = -1
    while True:
        if i >= len(domains):
            say("")
            say("Your answers:")
            for n, domain in enumerate(domains, 1):
                index = choices[domain.key]
                chosen = "skipped" if index is None else f"{levels[index].score} {levels[index].label}"
                note = " (comment)" if domain.key in comments else ""
                say(f"  {n:>2}. {domain.title}: {chosen}{note}")
            answer = prompt(f"Save? y = save, 1–{len(domains)} = change that domain, b = back, q = quit: ").casefold()
            if answer in ("y", "yes", ""):
                break
            if answer in ("q", "quit"):
                raise AssessmentAborted("assessment abandoned")
            if answer == "b":
                i = len(domains) - 1
                continue
            if answer.isdigit() and 1 <= int(answer) <= len(domains):
                i = int(answer) - 1
                continue
            say("Please answer y, b, q or a domain number.")
            continue
        domain = domains[i]
        if shown != i:
            say("")
            say(f"[{i + 1}/{len(domains)}] {domain.title}")
            if domain.guidance:
                for line in _wrap(domain.guidance, "  ", width):
                    say(line)
            for level, descriptor in zip(levels, domain.descriptors, strict=True):
                for line in _wrap(descriptor, f"  {level.score} {level.label}: ", width):
                    say(line)
            shown = i
        current = choices[domain.key]
        now = "none" if current is None else f"{levels[current].score} {levels[current].label}"
        answer = prompt(f"Choice (now: {now}) [? for help]: ")
        folded = answer.casefold()
        if folded == "":
            if current is None:
                say("Choose a statement, or s to skip this domain.")
                continue
            i += 1
        elif folded in ("s", "skip"):
            choices[domain.key] = None
            i += 1
        elif folded in ("b", "back"):
            i = max(0, i - 1)
            shown = -1
        elif folded in ("c", "comment"):
            text = prompt("Comment (Enter alone removes it): ")
            if text:
                comments[domain.key] = text
            else:
                comments.pop(domain.key, None)
        elif folded in ("q", "quit"):
            raise AssessmentAborted("assessment abandoned")
        elif folded in ("?", "h", "help"):
            say(HELP)
        else:
            try:
                choices[domain.key] = instrument.level_index(answer)
            except ValueError as exc:
                say(str(exc))
                continue
            i += 1
    return Response(
        participant=participant,
        instrument=instrument.id,
        version=instrument.version,
        choices=choices,
        attributes=dict(attributes or {}),
        comments=comments,
    )


def write_response(response: Response, instrument: Instrument, suffix: str = ".toml") -> bytes:
    """A response file (TOML, or JSON when ``suffix`` is ``.json``) holding one response."""
    data = {"format": RESPONSES_FORMAT, **response_to_dict(response, instrument)}
    if suffix == ".json":
        return (json.dumps(data, indent=2, ensure_ascii=False) + "\n").encode("utf-8")
    import tomli_w

    return tomli_w.dumps(data).encode("utf-8")
