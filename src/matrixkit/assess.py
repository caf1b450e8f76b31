"""An interactive assessment: one person goes through the matrix domain by domain and picks a descriptor.

:func:`run_assessment` holds the conversation through a :class:`Dialogue` — ``ask(prompt) -> answer``,
``say(text)`` and the width to wrap to — so the terminal command (``matrixkit assess``, with
:class:`TerminalDialogue`) and tests share it. The person gives their name and the attributes the workshop
splits by (sector, organisation, table), then for each domain chooses a level (by number, key, label or any
spelling :meth:`Instrument.read_answer <matrixkit.model.Instrument.read_answer>` accepts), skips it (not
answered / don't know), adds a comment, goes back, or quits without saving. From the review at the end any
domain can be changed, and the review comes back after it.
"""

from __future__ import annotations

import textwrap
from collections.abc import Mapping, Sequence
from typing import Protocol, TextIO

from matrixkit.errors import MatrixkitError
from matrixkit.model import Between, Instrument
from matrixkit.responses import Response
from matrixkit.text import terminal_width

__all__ = ["AssessmentAborted", "Dialogue", "TerminalDialogue", "run_assessment"]

HELP = (
    "Type the number (score), key or name of the statement that fits best; Enter keeps the current choice; "
    "s = skip (don't know); c = add a comment; b = back one domain; q = quit without saving."
)


class AssessmentAborted(MatrixkitError):
    """The person quit, or the input ended, before saving."""


class Dialogue(Protocol):
    """How the assessment talks with the person."""

    #: Columns to wrap text to.
    width: int

    def ask(self, prompt: str) -> str:
        """The person's answer to ``prompt``; raises EOFError when the input ends."""
        ...

    def say(self, text: str) -> None:
        """Show a line."""
        ...


class TerminalDialogue:
    """A dialogue on a terminal: text wrapped to its width."""

    def __init__(self, stdin: TextIO, stdout: TextIO) -> None:
        self.stdin, self.stdout = stdin, stdout
        self.width = min(terminal_width(), 100) - 2

    def ask(self, prompt: str) -> str:
        self.stdout.write(prompt)
        self.stdout.flush()
        line = self.stdin.readline()
        if not line:
            raise EOFError
        return line.rstrip("\n")

    def say(self, text: str) -> None:
        print(text, file=self.stdout)

    def confirm(self, question: str) -> bool:
        """Whether the person answers yes to ``question`` (anything but y/yes is no)."""
        try:
            return self.ask(f"{question} [y/N] ").strip().casefold() in ("y", "yes")
        except EOFError:
            return False


def _wrap(text: str, indent: str, width: int) -> list[str]:
    return textwrap.wrap(
        " ".join(text.split()), width=max(40, width), initial_indent=indent, subsequent_indent=" " * len(indent)
    )


def run_assessment(
    instrument: Instrument,
    dialogue: Dialogue,
    *,
    participant: str | None = None,
    attributes: Mapping[str, str] | None = None,
    ask: Sequence[str] = (),
) -> Response:
    """Hold the assessment conversation and return the response. ``ask`` names the attributes to ask for
    (those already in ``attributes`` are not asked again). Raises :class:`AssessmentAborted`."""
    width = dialogue.width

    def prompt(text: str) -> str:
        try:
            return dialogue.ask(text).strip()
        except EOFError:
            raise AssessmentAborted("input ended before the assessment was saved") from None

    def say(text: str = "") -> None:
        for line in _wrap(text, "", width) or [""]:
            dialogue.say(line)

    say(
        f"{instrument.title} ({instrument.id} {instrument.version}): "
        f"self-assessment of {len(instrument.domains)} domains."
    )
    say("For each domain, choose the statement that most closely describes where you work now.")
    say(HELP)
    say()
    while not participant:
        participant = prompt("Your name or id: ")
    given = dict(attributes or {})
    for name in ask:
        if name not in given:
            value = prompt(f"Your {name} (Enter to leave out): ")
            if value:
                given[name] = value
    levels = instrument.levels
    choices: dict[str, int | None] = dict.fromkeys(instrument.domain_keys)
    comments: dict[str, str] = {}
    domains = instrument.domains
    i = 0
    shown = -1
    reviewing = False
    while True:
        if i >= len(domains):
            say()
            say("Your answers:")
            for n, domain in enumerate(domains, 1):
                index = choices[domain.key]
                chosen = "skipped" if index is None else f"{levels[index].score} {levels[index].label}"
                note = " (comment)" if domain.key in comments else ""
                dialogue.say(f"  {n:>2}. {domain.title}: {chosen}{note}")
            answer = prompt(f"Save? y = save, 1–{len(domains)} = change that domain, b = back, q = quit: ").casefold()
            if answer in ("y", "yes", ""):
                break
            if answer in ("q", "quit"):
                raise AssessmentAborted("assessment abandoned")
            if answer == "b":
                i, reviewing = len(domains) - 1, False
                continue
            if answer.isdigit() and 1 <= int(answer) <= len(domains):
                i, reviewing = int(answer) - 1, True
                continue
            say("Please answer y, b, q or a domain number.")
            continue
        domain = domains[i]
        if shown != i:
            say()
            say(f"[{i + 1}/{len(domains)}] {domain.title}")
            if domain.guidance:
                for line in _wrap(domain.guidance, "  ", width):
                    dialogue.say(line)
            for level, descriptor in zip(levels, domain.descriptors, strict=True):
                for line in _wrap(descriptor, f"  {level.score} {level.label}: ", width):
                    dialogue.say(line)
            shown = i
        current = choices[domain.key]
        now = "none" if current is None else f"{levels[current].score} {levels[current].label}"
        answer = prompt(f"Choice (now: {now}) [? for help]: ")
        folded = answer.casefold()
        done = False
        if folded == "":
            if current is None:
                say("Choose a statement, or s to skip this domain.")
                continue
            done = True
        elif folded in ("s", "skip"):
            choices[domain.key] = None
            done = True
        elif folded in ("b", "back"):
            i, shown = max(0, i - 1), -1
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
                found = instrument.read_answer(answer, domain.key)
            except ValueError as exc:
                say(str(exc))
                continue
            if isinstance(found, Between):
                say("Choose one statement: the one that fits best.")
                continue
            choices[domain.key] = found
            done = True
        if done:
            i = len(domains) if reviewing else i + 1
    return Response(
        participant=participant,
        instrument=instrument.id,
        version=instrument.version,
        choices=choices,
        attributes=given,
        comments=comments,
    )
