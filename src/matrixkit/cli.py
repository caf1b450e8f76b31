"""The ``matrixkit`` command line: arguments and printing only; the work is done by :mod:`matrixkit.services`
(finding instruments and formats by :mod:`matrixkit.lookup`, which is all this module imports of that layer).

Sub-commands come from plugins through :func:`~matrixkit.hookspecs.matrixkit_register_commands`; the core's
own (``tools``, ``show``, ``collate``, ...) are registered the same way by :mod:`matrixkit._builtins.commands`.
Commands that write a file use :meth:`Context.write` (and :func:`add_output_arguments`), so that every command —
a plugin's too — takes the format from ``-o``'s extension, refuses to write one format under another's
extension, and writes atomically.

Every failure a user can cause exits non-zero with a message and no traceback; ``--debug`` shows the traceback.
An exception raised in a plugin's code is reported naming the plugin.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn, TextIO

from matrixkit import lookup
from matrixkit.errors import MatrixkitError, Problem, ValidationError
from matrixkit.exporting import write_atomic
from matrixkit.io.mapping import read_mapping
from matrixkit.io.options import BETWEEN_POLICIES, DUPLICATE_POLICIES, ReadOptions
from matrixkit.model import Instrument
from matrixkit.registry import Command, Deferred, Registry, get_registry

if TYPE_CHECKING:
    from _typeshed import SupportsWrite

__all__ = ["Context", "add_output_arguments", "add_read_arguments", "build_parser", "main", "run"]

#: At most this many problems are listed; the headline counts them all.
SHOWN_PROBLEMS = 50
#: Media types that are safe to print on a terminal.
_TEXT_MEDIA = ("text/", "application/json", "application/toml", "image/svg+xml")


class Context:
    """What a command's ``run`` receives besides its arguments: the registry, the standard streams, and helpers
    to find instruments and write output."""

    def __init__(
        self,
        registry: Registry | None = None,
        stdout: TextIO | None = None,
        stderr: TextIO | None = None,
        debug: bool = False,
        stdin: TextIO | None = None,
    ) -> None:
        self._registry = registry
        self.stdout = stdout if stdout is not None else sys.stdout
        self.stderr = stderr if stderr is not None else sys.stderr
        #: Where interactive commands (``assess``) read answers; they check ``stdin.isatty()`` first.
        self.stdin = stdin if stdin is not None else sys.stdin
        self.debug = debug

    @property
    def registry(self) -> Registry:
        if self._registry is None:
            self._registry = get_registry()
        return self._registry

    def print(self, text: str = "") -> None:
        print(text, file=self.stdout)

    def warn(self, text: str) -> None:
        print(f"matrixkit: warning: {text}", file=self.stderr)

    def note(self, text: str) -> None:
        print(f"matrixkit: note: {text}", file=self.stderr)

    def warn_registry_problems(self) -> None:
        """Report instruments that were registered but could not be loaded (broken files)."""
        for problem in self.registry.instruments.problems:
            self.warn(f"skipped {problem}")

    def instrument(self, ref: str) -> Instrument:
        """An instrument by registered id, or from a TOML file when ``ref`` is a path to one."""
        return lookup.get_instrument(self.registry, ref)

    def write_output(self, data: bytes, output: str | None) -> None:
        """Write to ``output`` atomically, or to standard output when it is None or ``-``."""
        if output in (None, "-"):
            stream = getattr(self.stdout, "buffer", None)
            if stream is not None:
                self.stdout.flush()
                stream.write(data)
                stream.flush()
            else:
                self.stdout.write(data.decode("utf-8"))
            return
        assert output is not None
        write_atomic(Path(output), data)

    def write(
        self, kind: str, subject: object, *, format: str | None = None, output: str | None = None, default: str = "text"
    ) -> None:
        """Render ``subject`` as ``kind`` and write it to ``output`` (standard output when None or ``-``): the
        format is ``format``, else the one ``output``'s extension names; a binary format is never printed on a
        terminal (``default`` is the format for standard output). The shared way for commands, plugins' too, to
        write what they make."""
        exporter = lookup.exporter_for(self.registry, kind, format, output, default=default)
        self.write_rendered(
            lambda: lookup.render_with(self.registry, exporter, kind, subject),
            output,
            format=exporter.obj.name,
            text=exporter.obj.media_type.startswith(_TEXT_MEDIA),
        )

    def write_rendered(self, render: Callable[[], bytes], output: str | None, *, format: str, text: bool) -> None:
        """Render (``render()``) and write what it makes: to ``output`` atomically, or to standard output — where
        a binary format (``text`` false) is refused on a terminal before anything is rendered. For commands that
        render something of their own (the format chosen by :func:`matrixkit.exporting.choose_format`)."""
        if not text and output in (None, "-") and getattr(self.stdout, "isatty", lambda: False)():
            raise MatrixkitError(f"format {format!r} is binary: write it to a file with -o FILE")
        self.write_output(render(), output)

    def read_options(self, args: argparse.Namespace, instrument: Instrument | None = None) -> ReadOptions:
        """The reading options given by :func:`add_read_arguments`'s options (the mapping file read, and checked
        against ``instrument`` when given; the services check it again against the instrument they read for)."""
        mapping = read_mapping(args.map, instrument) if getattr(args, "map", None) else None
        return ReadOptions(
            encoding=getattr(args, "encoding", None),
            sheet=getattr(args, "sheet", None),
            mapping=mapping,
            between=getattr(args, "between", None) or "refuse",
            duplicates=getattr(args, "duplicates", None) or "refuse",
        )


def add_output_arguments(parser: argparse.ArgumentParser, kind: str, default: str = "text") -> None:
    """``--format``/``-f`` and ``-o``/``--output`` for a command writing a ``kind`` (see :meth:`Context.write`)."""
    parser.add_argument(
        "--format",
        "-f",
        default=None,
        metavar="FORMAT",
        help=f"output format (see 'matrixkit formats'); default: from the extension of -o, else {default}",
    )
    parser.add_argument("-o", "--output", metavar="FILE", help="write to FILE (atomically) instead of standard output")


def add_read_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of reading response files: encoding, sheet, mapping file, marks across levels, duplicates."""
    group = parser.add_argument_group("reading response files")
    group.add_argument(
        "--encoding", metavar="NAME", help="the encoding of CSV files (default: recognised; e.g. cp1252)"
    )
    group.add_argument("--sheet", metavar="NAME", help="the sheet of a workbook to read (default: the first)")
    group.add_argument(
        "--map",
        metavar="FILE.toml",
        help="a mapping file: which column is what, answers that mean a level (matrixkit map)",
    )
    group.add_argument(
        "--between",
        choices=[p for p in BETWEEN_POLICIES if p != "refuse"],
        help="read a mark across two levels ('2/3') as the lower or higher level, or skip it (default: refuse it)",
    )
    group.add_argument(
        "--duplicates",
        choices=[p for p in DUPLICATE_POLICIES if p != "refuse"],
        help="keep the latest (by completion time, else file order) or first response of a participant given "
        "twice (default: refuse)",
    )


class _Parser(argparse.ArgumentParser):
    """argparse printing help, usage and errors to the given streams (a :class:`Context`'s) instead of
    ``sys.stdout`` and ``sys.stderr``, so that a command run in-process can be captured whole."""

    def __init__(self, *args: Any, stdout: TextIO | None = None, stderr: TextIO | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.stdout = stdout if stdout is not None else sys.stdout
        self.stderr = stderr if stderr is not None else sys.stderr

    def print_help(self, file: SupportsWrite[str] | None = None) -> None:
        super().print_help(file if file is not None else self.stdout)

    def print_usage(self, file: SupportsWrite[str] | None = None) -> None:
        super().print_usage(file if file is not None else self.stdout)

    def error(self, message: str) -> NoReturn:
        self.print_usage(self.stderr)
        self.exit(2, f"{self.prog}: error: {message}\n")

    def exit(self, status: int = 0, message: str | None = None) -> NoReturn:
        if message:
            self.stderr.write(message)
        sys.exit(status)


#: What ``--version`` prints (:func:`matrixkit.versions.describe`), imported when asked for.
_describe_versions: Callable[[], str] = Deferred("matrixkit.versions:describe")


class _VersionAction(argparse.Action):
    """``--version`` anywhere on the command line: what :func:`matrixkit.versions.describe` says (read only when
    asked: it reads every installed distribution's metadata)."""

    def __init__(self, option_strings: Sequence[str], dest: str = argparse.SUPPRESS, **kwargs: Any) -> None:
        super().__init__(option_strings, dest, nargs=0, default=argparse.SUPPRESS, **kwargs)

    def __call__(self, parser: argparse.ArgumentParser, *args: Any, **kwargs: Any) -> None:
        print(_describe_versions(), file=parser.stdout if isinstance(parser, _Parser) else sys.stdout)
        parser.exit()


def build_parser(
    registry: Registry, *, only: str | None = None, stdout: TextIO | None = None, stderr: TextIO | None = None
) -> argparse.ArgumentParser:
    """The ``matrixkit`` parser with every registered command, printing help and errors to ``stdout`` and
    ``stderr`` (the process's when not given).

    :param only: configure the options of this command alone; the others are still listed with their help.
    """
    parser = _Parser(
        prog="matrixkit",
        description="Maturity-matrix instruments: list and show them, assess, collate, report.",
        epilog="Run 'matrixkit COMMAND --help' for a command's options.",
        stdout=stdout,
        stderr=stderr,
    )
    parser.add_argument(
        "--version", "-V", action=_VersionAction, help="show which matrixkit and plugins are installed, and exit"
    )
    parser.add_argument("--debug", action="store_true", help="show tracebacks of errors")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", title="commands")
    for name, registered in sorted(registry.commands.items()):
        command = registered.obj
        sub_parser = sub.add_parser(
            name,
            help=command.help,
            description=command.description or command.help,
            formatter_class=argparse.RawDescriptionHelpFormatter,
            stdout=stdout,
            stderr=stderr,
        )
        if command.configure is not None and (only is None or name == only):
            with registry.blame(registered.plugin, f"configuring the command {name!r}"):
                command.configure(sub_parser)
        sub_parser.set_defaults(_command=registered)
    return parser


def print_error(exc: BaseException, stderr: TextIO, limit: int = SHOWN_PROBLEMS) -> None:
    """An error as people read it: a headline counting every problem, the first ``limit`` problems with their
    hints, then how many more there are."""
    if isinstance(exc, ValidationError) and (len(exc.problems) > 1 or exc.total > 1):
        files = {p.file for p in exc.problems if p.file}
        where = f" in {len(files)} files" if len(files) > 1 else ""
        print(f"matrixkit: error: {exc.total} problems{where}:", file=stderr)
        for problem in exc.problems[:limit]:
            print(f"  {_plain(problem)}", file=stderr)
            if problem.hint:
                print(f"    hint: {problem.hint}", file=stderr)
        rest = exc.problems[limit:]
        if rest:
            print(f"  ... and {len(rest)} more ({sum(p.count for p in rest)} problems)", file=stderr)
    elif isinstance(exc, ValidationError) and exc.problems:
        problem = exc.problems[0]
        print(f"matrixkit: error: {_plain(problem)}", file=stderr)
        if problem.hint:
            print(f"  hint: {problem.hint}", file=stderr)
    else:
        print(f"matrixkit: error: {exc}", file=stderr)


def _plain(problem: Problem) -> str:
    """A problem without its hint (printed on a line of its own)."""
    parts = [p for p in (problem.where, problem.field) if p]
    return f"{': '.join(parts)}: {problem.message}" if parts else problem.message


def main(argv: Sequence[str] | None = None, *, context: Context | None = None) -> int:
    """Run the command line; return the exit status."""
    args_list = list(sys.argv[1:] if argv is None else argv)
    debug = "--debug" in args_list
    ctx = context if context is not None else Context(debug=debug)
    ctx.debug = ctx.debug or debug
    reported = 0
    try:
        registry = ctx.registry
        for problem in registry.plugin_problems():
            ctx.warn(problem)
        reported = len(registry.plugin_problems())
        # The command named is the first argument that is not an option (the top-level options take no value).
        named = next((arg for arg in args_list if not arg.startswith("-")), None)
        parser = build_parser(registry, only=named, stdout=ctx.stdout, stderr=ctx.stderr)
        args = parser.parse_args(args_list)
        registered = getattr(args, "_command", None)
        if registered is None:
            parser.print_help(ctx.stdout)
            return 2
        command: Command = registered.obj
        with registry.blame(registered.plugin, f"running the command {command.name!r}"):
            status: int = command.run(args, ctx)
        return status
    except MatrixkitError as exc:
        if ctx.debug:
            raise
        print_error(exc, ctx.stderr)
        return 1
    except KeyboardInterrupt:
        print("matrixkit: interrupted", file=ctx.stderr)
        return 130
    except BrokenPipeError:
        # The reader went away (e.g. `matrixkit show pit-a | head`): not an error of ours.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0
    except Exception as exc:
        if ctx.debug:
            raise
        print(
            f"matrixkit: internal error: {type(exc).__name__}: {exc}\n"
            "This is a bug; run again with --debug for the traceback and report it.",
            file=ctx.stderr,
        )
        return 3
    finally:
        if ctx._registry is not None:
            for problem in ctx._registry.plugin_problems()[reported:]:
                ctx.warn(problem)


def run(argv: Sequence[str] | None = None) -> Any:
    """Console-script entry point."""
    sys.exit(main(argv))
