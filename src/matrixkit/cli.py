"""The ``matrixkit`` command line.

Sub-commands come from plugins through :func:`~matrixkit.hookspecs.matrixkit_register_commands`; the core's
own (``tools``, ``show``, ``validate``, ...) are registered the same way by :mod:`matrixkit._builtins`.

Every failure a user can cause exits non-zero with a message and no traceback; ``--debug`` shows the
traceback.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

import attrs

from matrixkit.errors import MatrixkitError, ValidationError

if TYPE_CHECKING:
    from matrixkit.model import Instrument
    from matrixkit.registry import Registry

__all__ = ["Command", "Context", "main"]


@attrs.frozen
class Command:
    """A sub-command registered by a plugin."""

    name: str
    run: Callable[[argparse.Namespace, Context], int]
    configure: Callable[[argparse.ArgumentParser], None] | None = None
    help: str = ""
    description: str = ""


class Context:
    """What a command's ``run`` receives besides its arguments."""

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
            from matrixkit.registry import get_registry

            self._registry = get_registry()
        return self._registry

    def print(self, text: str = "") -> None:
        print(text, file=self.stdout)

    def warn(self, text: str) -> None:
        print(f"matrixkit: warning: {text}", file=self.stderr)

    def warn_registry_problems(self) -> None:
        """Report instruments that were registered but could not be loaded (broken files)."""
        for problem in self.registry.instruments.problems:
            self.warn(f"skipped {problem}")

    def instrument(self, ref: str) -> Instrument:
        """An instrument by registered id, or from a TOML file when ``ref`` is a path to one."""
        registry = self.registry
        if ref.endswith(".toml") or os.sep in ref or (os.altsep and os.altsep in ref):
            from matrixkit.format import load_instrument

            return load_instrument(ref, lookup=registry.instruments._base)
        return registry.instrument(ref)

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
        from matrixkit.exporting import write_atomic

        assert output is not None
        write_atomic(Path(output), data)


def _version() -> str:
    from matrixkit import __version__

    return f"matrixkit {__version__}"


def build_parser(registry: Registry, *, only: str | None = None) -> argparse.ArgumentParser:
    """The ``matrixkit`` parser with every registered command.

    :param only: configure the options of this command alone; the others are still listed with their help.
        :func:`main` parses one command, and building every command's options (argparse looks up a translation
        for each help text) costs more than listing the tools.
    """
    parser = argparse.ArgumentParser(
        prog="matrixkit",
        description="Maturity-matrix instruments: list and show them, assess, collate, report.",
        epilog="Run 'matrixkit COMMAND --help' for a command's options.",
    )
    parser.add_argument("--version", action="version", version=_version())
    parser.add_argument("--debug", action="store_true", help="show tracebacks of errors")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", title="commands")
    for name, named in sorted(registry.commands.items()):
        command = named.obj
        sub_parser = sub.add_parser(
            name,
            help=command.help,
            description=command.description or command.help,
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )
        if command.configure is not None and (only is None or name == only):
            command.configure(sub_parser)
        sub_parser.set_defaults(_command=command)
    return parser


def _print_error(exc: BaseException, stderr: TextIO) -> None:
    if isinstance(exc, ValidationError) and len(exc.problems) > 1:
        print(f"matrixkit: error: {len(exc.problems)} problems:", file=stderr)
        for problem in exc.problems:
            print(f"  {problem}", file=stderr)
    else:
        print(f"matrixkit: error: {exc}", file=stderr)


def main(argv: Sequence[str] | None = None, *, context: Context | None = None) -> int:
    """Run the command line; return the exit status."""
    args_list = list(sys.argv[1:] if argv is None else argv)
    debug = "--debug" in args_list
    ctx = context if context is not None else Context(debug=debug)
    ctx.debug = ctx.debug or debug
    try:
        for problem in ctx.registry.plugin_problems():
            ctx.warn(problem)
        # The command named is the first argument that is not an option (the top-level options take no value).
        named = next((arg for arg in args_list if not arg.startswith("-")), None)
        parser = build_parser(ctx.registry, only=named)
        args = parser.parse_args(args_list)
        command: Command | None = getattr(args, "_command", None)
        if command is None:
            parser.print_help(ctx.stdout)
            return 2
        return command.run(args, ctx)
    except MatrixkitError as exc:
        if ctx.debug:
            raise
        _print_error(exc, ctx.stderr)
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


def run(argv: Sequence[str] | None = None) -> Any:
    """Console-script entry point."""
    sys.exit(main(argv))
