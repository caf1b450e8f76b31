"""Start the ``matrixkit`` command; answer ``matrixkit tools`` from a cache when nothing it depends on changed.

``matrixkit tools`` is typed at the start of every workshop and should feel instant, but listing the installed
instruments means importing the plugin machinery (pluggy, attrs, cattrs, importlib.metadata), loading every
plugin, parsing and validating every instrument file — about ten times the start-up of Python itself. The
answer changes only when something it was computed from changes, so after a successful run its output is kept
in the user's cache directory with the list of everything it depended on:

- the Python interpreter, ``sys.path``, the working directory and whether the output is a terminal: part of the
  cache key;
- the environment variables the run read (through ``os.environ`` or ``os.getenv``, which are watched while it
  runs), with their values or their absence, and every ``MATRIXKIT_*`` variable; if the run looked at the whole
  environment (iterated over it or copied it), every variable but ``_``, ``OLDPWD`` and ``PWD``, which change
  between commands in one shell. So a new terminal, whose session variables differ, still finds the answer;
- every directory on ``sys.path`` (installing or removing a distribution changes its directory), the source file
  of every module that was imported (matrixkit, the plugins and their dependencies), every registered
  instrument file and its directory, and each place a configuration file may be: their size and modification
  time, checked on every use.

A cached answer is used only when all of these are unchanged; otherwise the command runs normally (and
refreshes the cache). Nothing is cached when the run printed a warning or failed, when a plugin registered an
instrument object rather than a file (its source cannot be checked), or when an input changed in the last two
seconds (a file changed again within the file system's timestamp granularity would look unchanged). Set
``MATRIXKIT_NO_CACHE=1`` to bypass the cache, ``MATRIXKIT_CACHE_DIR`` to move it. The cache keeps the
answers of the 32 most recently used keys (one per working directory and command line).

This module must stay cheap to import: it uses only built-in modules, so a cached answer costs little more
than starting Python.
"""

from __future__ import annotations

import marshal
import os
import sys

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Sequence
    from typing import Any, TextIO

__all__ = ["cache_dir", "run"]

#: Arguments whose output is cached (exactly these).
CACHED_COMMANDS: tuple[tuple[str, ...], ...] = (("tools",), ("tools", "--json"))
#: Bumped when the cache layout changes.
_LAYOUT = 2
#: How many answers are kept (the most recently written; one per working directory and command line).
_KEEP = 32
#: Inputs changed more recently than this (seconds) are not trusted to show a later change.
_RACY_SECONDS = 2.0
#: Environment variables left out when the whole environment is recorded: they change from one command to the next
#: in the same shell, and nothing reads them (the working directory itself is part of the key).
_VOLATILE = frozenset({"_", "OLDPWD", "PWD"})


def run() -> None:
    """Console-script entry point (also ``python -m matrixkit``)."""
    argv = tuple(sys.argv[1:])
    if argv in CACHED_COMMANDS and not os.environ.get("MATRIXKIT_NO_CACHE"):
        try:
            cached = _replay(argv)
        except Exception:  # the cache is an optimisation: any trouble with it means running normally
            cached = None
        if cached is not None:
            try:
                sys.stdout.write(cached)
                sys.stdout.flush()
            except BrokenPipeError:  # `matrixkit tools | head`: the reader went away, as in cli.main
                os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            sys.exit(0)
        sys.exit(_run_and_remember(argv))
    from matrixkit.cli import run as cli_run

    cli_run()


def cache_dir() -> str:
    """Where cached answers are kept: ``MATRIXKIT_CACHE_DIR``, else the user's cache directory."""
    named = os.environ.get("MATRIXKIT_CACHE_DIR")
    if named:
        return named
    if sys.platform == "win32":
        base = os.environ.get("LOCALAPPDATA") or os.path.join(os.path.expanduser("~"), "AppData", "Local")
        return os.path.join(base, "matrixkit", "Cache")
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "matrixkit")


def _key(argv: Sequence[str]) -> tuple[object, ...]:
    from matrixkit import __version__

    interpreter = (sys.executable, sys.version, tuple(sys.path))
    return (_LAYOUT, __version__, tuple(argv), interpreter, os.getcwd(), sys.stdout.isatty())


def _whole_environment() -> list[tuple[str, str]]:
    return sorted((k, v) for k, v in os.environ.items() if k not in _VOLATILE)


def _own_variables() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if k.startswith("MATRIXKIT_")}


def _cache_file(key: tuple[object, ...]) -> str:
    import zlib

    data = marshal.dumps(key)  # type: ignore[arg-type]
    name = f"{zlib.crc32(data):08x}{zlib.adler32(data):08x}"
    return os.path.join(cache_dir(), f"tools-{name}.marshal")


def _stat(path: str) -> tuple[int, int]:
    try:
        st = os.stat(path)
    except OSError:
        return (-1, -1)
    return (st.st_mtime_ns, st.st_size)


def _replay(argv: Sequence[str]) -> str | None:
    """The cached output for ``argv``, or None when there is none or something it depends on changed."""
    key = _key(argv)
    try:
        with open(_cache_file(key), "rb") as handle:
            # marshal, like Python's own __pycache__: a file this module wrote to the user's own directory.
            entry = marshal.loads(handle.read())  # noqa: S302
    except (OSError, ValueError, EOFError, TypeError):
        return None
    if not isinstance(entry, dict) or entry.get("key") != key:
        return None
    depends = entry.get("depends")
    output = entry.get("stdout")
    if not isinstance(depends, list) or not isinstance(output, str) or not _same_environment(entry):
        return None
    for path, stamp in depends:
        if _stat(path) != stamp:
            return None
    return output


def _same_environment(entry: dict[str, Any]) -> bool:
    """Whether the environment variables the cached run depended on have the values they had then."""
    whole = entry.get("environment")
    if whole is not None:
        return bool(whole == _whole_environment())
    read = entry.get("read")
    if not isinstance(read, dict) or entry.get("own") != _own_variables():
        return False
    return all(os.environ.get(name) == value for name, value in read.items())


class _Tee:
    """A text stream whose writes are also recorded (no ``buffer``: bytes written there would be missed)."""

    buffer = None

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream
        self.parts: list[str] = []

    def write(self, text: str) -> int:
        self.parts.append(text)
        return self._stream.write(text)

    def flush(self) -> None:
        self._stream.flush()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


def _run_and_remember(argv: Sequence[str]) -> int:
    """Run the command; when it succeeded quietly, remember its output with what it depended on."""
    from matrixkit._envwatch import RecordingEnviron

    real = os.environ
    own = _own_variables()
    watched = RecordingEnviron(real)
    out = _Tee(sys.stdout)
    err = _Tee(sys.stderr)
    # Watched from before matrixkit.cli is imported, so reads at import time count too. Reads and writes reach the
    # real environment; os.getenv looks this global up on every call.
    os.environ = watched  # type: ignore[assignment]  # noqa: B003 -- not meant to clear anything
    try:
        from matrixkit.cli import Context, main

        ctx = Context(stdout=out, stderr=err)  # type: ignore[arg-type]
        status = main(list(argv), context=ctx)
    finally:
        os.environ = real  # noqa: B003 -- puts the real mapping back
    if status == 0 and not err.parts:
        import contextlib

        environment: dict[str, Any] = {"own": own}
        if watched.whole:
            environment["environment"] = _whole_environment()
        else:
            environment["read"] = watched.read
        # The cache is an optimisation: failing to write it changes nothing.
        with contextlib.suppress(Exception):
            _remember(argv, "".join(out.parts), ctx, environment)
    return status


def _depends(ctx: object) -> list[str] | None:
    """Every file and directory the listing was computed from, or None when that cannot be known."""
    from matrixkit.config import find_config_file, user_config_dir
    from matrixkit.registry import Registry

    registry = getattr(ctx, "_registry", None)
    if not isinstance(registry, Registry):
        return None
    paths: list[str] = []
    catalog = registry.instruments
    if catalog.problems or registry.plugin_problems():
        return None
    for ident in catalog.ids():
        entry = catalog._entries[ident]
        if entry.document is None or not os.path.isfile(entry.origin):
            return None  # an instrument object, or a file inside a zip: its source cannot be checked
        paths += [entry.origin, os.path.dirname(os.path.abspath(entry.origin))]
    for directory in registry.config.instrument_path:
        paths.append(str(directory))
    config_named = os.environ.get("MATRIXKIT_CONFIG")
    if config_named:
        paths.append(config_named)
    paths += [os.path.join(os.getcwd(), "matrixkit.toml"), str(user_config_dir() / "matrixkit.toml")]
    found = find_config_file()
    if found is not None:
        paths.append(str(found))
    paths += [p if p else os.getcwd() for p in sys.path]
    for module in list(sys.modules.values()):
        file = getattr(module, "__file__", None)
        if isinstance(file, str):
            paths.append(file)
    return list(dict.fromkeys(paths))


def _remember(argv: Sequence[str], output: str, ctx: object, environment: dict[str, Any]) -> None:
    import time

    depends = _depends(ctx)
    if depends is None:
        return
    stamps = [(path, _stat(path)) for path in depends]
    fresh = time.time_ns() - int(_RACY_SECONDS * 1e9)
    if any(mtime >= fresh for _, (mtime, _) in stamps):
        return
    key = _key(argv)
    target = _cache_file(key)
    os.makedirs(os.path.dirname(target), exist_ok=True)
    data = marshal.dumps({"key": key, "depends": stamps, "stdout": output, **environment})
    temporary = f"{target}.{os.getpid()}.tmp"
    with open(temporary, "wb") as handle:
        handle.write(data)
    os.replace(temporary, target)
    _prune(os.path.dirname(target))


def _prune(folder: str) -> None:
    """Keep the :data:`_KEEP` most recently written answers; remove temporary files a crash left behind."""
    import time

    answers: list[tuple[float, str]] = []
    stale = time.time() - 3600
    with os.scandir(folder) as entries:
        for entry in entries:
            if not entry.name.startswith("tools-"):
                continue
            mtime = entry.stat().st_mtime
            if entry.name.endswith(".marshal"):
                answers.append((mtime, entry.path))
            elif entry.name.endswith(".tmp") and mtime < stale:
                os.unlink(entry.path)
    answers.sort(reverse=True)
    for _, path in answers[_KEEP:]:
        os.unlink(path)
