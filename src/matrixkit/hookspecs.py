"""The hook specifications of matrixkit: everything a plugin can add.

A plugin is a module (or any object) with functions decorated by :data:`matrixkit.hookimpl` and named after
the hooks below. It is found through an entry point in the ``matrixkit`` group::

    [project.entry-points.matrixkit]
    my-tools = "my_package.plugin"

Every registration hook receives a *register* object rather than returning values. The register labels each
thing with the plugin that registered it, so that two plugins claiming the same id fail with an error naming
both, and so that ``matrixkit tools`` can say which plugin provides what; it checks each object as it is
registered and refuses (naming the plugin) one that lacks what it needs, without breaking the others. The
core's own built-ins (JSON, TOML and text output, the default consensus rules, the CSV, spreadsheet, TOML and
JSON response readers, the CLI commands) are registered through these same hooks.

Hooks are called through pluggy, so hook wrappers (``@hookimpl(wrapper=True)``), ``tryfirst``/``trylast`` and
tracing behave as pluggy documents. An exception raised in a plugin's code is reported naming the plugin.

Hooks are called once per plugin manager, lazily, the first time something of their kind is needed; a hook
implementation should do no expensive work (import a heavy library only when rendering, not when registering).

Compatibility: hooks are added, never changed incompatibly, within a major version of matrixkit. A hook
implementation may accept fewer parameters than the specification lists (pluggy passes only those it names).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pluggy

if TYPE_CHECKING:
    from matrixkit.registry import (
        CommandRegister,
        ExporterRegister,
        InstrumentRegister,
        ReaderRegister,
        RuleRegister,
    )

__all__ = ["PROJECT", "hookimpl", "hookspec"]

#: pluggy's project name of matrixkit's hooks.
PROJECT = "matrixkit"
#: Marker for hook specifications (used only here).
hookspec = pluggy.HookspecMarker(PROJECT)
#: Marker for hook implementations: ``from matrixkit import hookimpl``.
hookimpl = pluggy.HookimplMarker(PROJECT)


@hookspec
def matrixkit_register_instruments(register: InstrumentRegister) -> None:
    """Register instruments (maturity matrices).

    :param register: call ``register.instrument(x)`` once per instrument, where ``x`` is an
        :class:`~matrixkit.model.Instrument` or the path of an instrument TOML file (a ``str``,
        :class:`os.PathLike` or :class:`importlib.resources.abc.Traversable`). Files are read only when
        the instrument is first needed. ``register.directory(path)`` registers every ``*.toml`` file in a
        directory. A file may be a variant (``extends = "other-id"``); its base may come from any plugin.
    :returns: nothing; the return value is ignored.

    Two plugins registering the same instrument id is an error naming both. Since 0.1.

    Example::

        @hookimpl
        def matrixkit_register_instruments(register):
            register.instrument(files("my_tools") / "instruments" / "my-tool.toml")
    """


@hookspec
def matrixkit_register_rules(register: RuleRegister) -> None:
    """Register consensus rules: ways of proposing one level from a domain's tally.

    :param register: call ``register.rule(rule)`` with an object satisfying
        :class:`matrixkit.rules.ConsensusRule`: a ``name`` (kebab-case, used as ``--rule NAME``), a
        one-line ``description`` and a ``suggest(tally, instrument)`` method returning the index of the
        proposed level (0 = lowest) or ``None`` when it proposes nothing.
    :returns: nothing; the return value is ignored.

    A rule proposes; the workshop decides. Two plugins registering the same rule name is an error. Since 0.1.

    Example::

        @hookimpl
        def matrixkit_register_rules(register):
            register.rule(LowerQuartileRule())
    """


@hookspec
def matrixkit_register_exporters(register: ExporterRegister) -> None:
    """Register exporters: output formats for blank sheets, record sheets, collations and workshop reports.

    :param register: call ``register.exporter(exporter)`` with an object satisfying
        :class:`matrixkit.exporting.Exporter` (``name``, ``extension``, ``media_type``, ``description``,
        ``kinds``, ``availability()`` and one ``render_<kind>`` method per kind it supports — ``sheet``,
        ``collation-sheet``, ``record``, ``collation``, ``report``, ``summary``, ``comparison``; ``-`` in a kind
        is ``_`` in its method).
    :returns: nothing; the return value is ignored.

    Registering must not import the library that renders (an XLSX or PDF library is imported inside the
    render method). ``availability()`` returns ``None`` when the format can be written, else a one-line hint
    such as ``"install maturity-matrixkit-exporters[pdf]"``. Two plugins registering the same format name is an
    error. Since 0.1.

    Example::

        @hookimpl
        def matrixkit_register_exporters(register):
            register.exporter(MarkdownExporter())
    """


@hookspec
def matrixkit_register_readers(register: ReaderRegister) -> None:
    """Register response readers: file formats that partners' answers arrive in.

    :param register: call ``register.reader(reader)`` with an object satisfying
        :class:`matrixkit.io.readers.Reader` (``name``, ``extensions``, ``description`` and ``read(path,
        instrument, options)`` returning a :class:`~matrixkit.io.readers.Reading`: a
        :class:`~matrixkit.io.readers.ResponsesReading` over the responses it builds, or a
        :class:`~matrixkit.io.wide.WideReading` over a table of cells, which matches columns and answers as the
        built-in CSV and spreadsheet readers do).
    :returns: nothing; the return value is ignored.

    A reader is chosen by the input file's extension. Two plugins registering the same reader name is an
    error. Since 0.1; ``read`` takes ``options`` and returns a reading since 0.2.

    Example::

        @hookimpl
        def matrixkit_register_readers(register):
            register.reader(OdsReader())
    """


@hookspec
def matrixkit_register_commands(register: CommandRegister) -> None:
    """Add sub-commands to the ``matrixkit`` command line.

    :param register: call ``register.command(name, run=..., configure=..., help=...)``: ``configure(parser)``
        adds arguments to an :class:`argparse.ArgumentParser`; ``run(args, context)`` does the work and
        returns the exit status (0 for success). ``context`` is a :class:`matrixkit.cli.Context` giving the
        registry, standard streams and helpers: ``context.write(kind, subject, format=..., output=...)`` writes
        what the command makes in the format ``-o``'s extension names (add the options with
        :func:`matrixkit.cli.add_output_arguments`). ``run`` may be a
        :class:`matrixkit.Deferred` (``Deferred("package.module:function")``): the module that does the work is
        then imported when the command runs, not each time ``matrixkit`` starts (since 0.2).
    :returns: nothing; the return value is ignored.

    Raise :class:`matrixkit.errors.MatrixkitError` (or a subclass) for a failure the user can fix: the CLI
    prints its message and exits 1, without a traceback unless ``--debug`` is given. Two plugins adding the
    same command name is an error. Since 0.1.

    Example::

        @hookimpl
        def matrixkit_register_commands(register):
            register.command("hello", run=lambda args, ctx: ctx.print("hello") or 0, help="Say hello.")
    """
