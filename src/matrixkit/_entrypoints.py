"""Entry points of one group, found without importing :mod:`importlib.metadata`.

On Python 3.11, ``import importlib.metadata`` costs about 20 ms (it imports email, zipfile, csv, pathlib…),
a large share of the start-up of a short command. :func:`entry_points` reads the same files that
``importlib.metadata.entry_points(group=...)`` reads and returns the same entry points, in the same order:

* every directory on the path (``sys.path`` by default; ``''`` is the current directory) is listed, in order;
  its ``*.dist-info`` and ``*.egg-info`` children (and the ``EGG-INFO`` child of a directory named ``*.egg``)
  are the distributions, ordered as importlib.metadata orders them (grouped by normalised name, then
  directory-listing order);
* a distribution whose normalised name was already seen is skipped — the first one on the path wins
  (importlib.metadata's ``_unique``);
* ``entry_points.txt`` is parsed as importlib.metadata parses it: lines are stripped, empty lines and lines
  starting with ``#`` are skipped (``;`` is *not* a comment), ``[section]`` starts a group, ``name = value``
  is split at the first ``=`` and both sides are stripped;
* the distribution's name and version are the ``Name:`` and ``Version:`` headers of ``METADATA`` (or
  ``PKG-INFO``), read up to the end of the header block and parsed the way :mod:`email` parses them. Only
  the distributions that declare an entry point of the group have their metadata read.

Where importlib.metadata would report no name or version (a ``.dist-info`` without ``METADATA``), the
name and version are taken from the directory name (``foo-1.0.dist-info``) instead, so that messages can
name the distribution.

**Fallback.** The whole scan is handed to importlib.metadata (and so stays exact) when the scan could
differ from it: when a path entry exists but is not a directory (a zip file or a zipped egg, whose
metadata importlib.metadata reads through :mod:`zipfile`), when a path entry is not a string, when a
finder on ``sys.meta_path`` other than the standard ``PathFinder`` can find distributions, and when a file
the scan needs is malformed in a way importlib.metadata reacts to with an error (a metadata file that is
not UTF-8, an entry of the group without ``=``, a distribution whose name cannot be determined). In
those error cases importlib.metadata raises the error it always raised.

Differences that remain, all in broken installations: lines of *other* groups are not parsed here (a
line without ``=`` in another group makes importlib.metadata raise, not this scan); only the header of
``METADATA`` is decoded (bytes that are not UTF-8 in its body are not noticed); an entry point whose value
is not ``module[:attr]`` raises :class:`ValueError` from :meth:`EntryPoint.load` with a clear message
instead of importlib.metadata's ``AttributeError``. Results are not cached: every call lists the path
again.
"""

from __future__ import annotations

import os
import sys

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator, Sequence

__all__ = ["EntryPoint", "entry_points"]

#: The syntax of an entry point's value, as importlib.metadata's ``EntryPoint.pattern``.
_VALUE_PATTERN = r"(?P<module>[\w.]+)\s*(:\s*(?P<attr>[\w.]+)\s*)?((?P<extras>\[.*\])\s*)?$"

_INFO_SUFFIXES = (".dist-info", ".egg-info")


class EntryPoint:
    """One entry point, with the name and version of the distribution that declares it. Immutable."""

    __slots__ = ("dist_name", "dist_version", "group", "name", "value")

    name: str
    value: str
    group: str
    dist_name: str | None
    dist_version: str | None

    def __init__(
        self, name: str, value: str, group: str, dist_name: str | None = None, dist_version: str | None = None
    ) -> None:
        object.__setattr__(self, "name", name)
        object.__setattr__(self, "value", value)
        object.__setattr__(self, "group", group)
        object.__setattr__(self, "dist_name", dist_name)
        object.__setattr__(self, "dist_version", dist_version)

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"{type(self).__name__} objects are immutable")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"{type(self).__name__} objects are immutable")

    def _key(self) -> tuple[str, str, str, str | None, str | None]:
        return self.name, self.value, self.group, self.dist_name, self.dist_version

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, EntryPoint):
            return NotImplemented
        return self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    def __repr__(self) -> str:
        return (
            f"EntryPoint(name={self.name!r}, value={self.value!r}, group={self.group!r}, "
            f"dist_name={self.dist_name!r}, dist_version={self.dist_version!r})"
        )

    def _parts(self) -> tuple[str, str | None]:
        import re

        match = re.match(_VALUE_PATTERN, self.value)
        if match is None:
            raise ValueError(f"entry point {self.name!r} has a malformed value {self.value!r} (expected module:attr)")
        return match.group("module"), match.group("attr")

    @property
    def module(self) -> str:
        """The module named by the value."""
        return self._parts()[0]

    @property
    def attr(self) -> str | None:
        """The attribute path after ``:``, if any."""
        return self._parts()[1]

    def load(self) -> object:
        """Import the module and return it, or the object the attribute path names in it."""
        import importlib

        module_name, attr = self._parts()
        obj: object = importlib.import_module(module_name)
        for part in (attr or "").split("."):
            if part:
                obj = getattr(obj, part)
        return obj


class _Fallback(Exception):
    """The scan cannot promise importlib.metadata's answer; ask importlib.metadata."""


def entry_points(group: str, path: Sequence[str | os.PathLike[str]] | None = None) -> list[EntryPoint]:
    """The entry points of ``group`` in the distributions on ``path`` (default ``sys.path``), in order.

    The same entry points, in the same order, as ``importlib.metadata.entry_points(group=group)``
    (with ``path``: as importlib.metadata's ``distributions(path=path)`` de-duplicated by name).
    """
    entries = list(sys.path if path is None else path)
    try:
        if not _only_path_finder():
            raise _Fallback
        return list(_scan(group, entries))
    except _Fallback:
        return _from_importlib_metadata(group, None if path is None else entries)


def _only_path_finder() -> bool:
    """Whether the standard PathFinder is the only finder on sys.meta_path that can find distributions."""
    from importlib.machinery import PathFinder

    finders = [finder for finder in sys.meta_path if getattr(finder, "find_distributions", None) is not None]
    return finders == [PathFinder]


def _scan(group: str, entries: list[str | os.PathLike[str]]) -> Iterator[EntryPoint]:
    seen: set[str] = set()
    for entry in entries:
        root = os.fspath(entry)
        if not isinstance(root, str):
            raise _Fallback
        for info in _metadata_dirs(root):
            dist = _Distribution(info)
            key = dist.normalized_name()
            if key in seen:
                continue
            seen.add(key)
            yield from dist.entry_points(group)


def _metadata_dirs(root: str) -> list[str]:
    """The distributions' metadata paths in ``root``, in importlib.metadata's order (its ``Lookup``)."""
    try:
        children = os.listdir(root or ".")
    except NotADirectoryError:
        raise _Fallback from None  # a zip file or zipped egg: importlib.metadata reads it with zipfile
    except OSError:
        if root and os.path.exists(root) and not os.path.isdir(root):
            raise _Fallback from None
        return []  # missing or unreadable directories have no distributions
    by_name: dict[str, list[str]] = {}
    eggs: list[str] = []
    root_is_egg = os.path.basename(root).lower().endswith(".egg")
    for child in children:
        low = child.lower()
        if low.endswith(_INFO_SUFFIXES):
            by_name.setdefault(_normalize(low.rpartition(".")[0].partition("-")[0]), []).append(child)
        elif root_is_egg and low == "egg-info":
            eggs.append(child)
    ordered = [child for group in by_name.values() for child in group] + eggs
    return [os.path.join(root, child) for child in ordered]


def _normalize(name: str) -> str:
    """importlib.metadata's ``Prepared.normalize``: runs of ``-_.`` become ``_``, lower case."""
    name = name.lower().replace("-", "_").replace(".", "_")
    while "__" in name:
        name = name.replace("__", "_")
    return name


def _name_from_stem(stem: str) -> str | None:
    """importlib.metadata's ``PathDistribution._name_from_stem``."""
    filename, ext = os.path.splitext(stem)
    if ext not in _INFO_SUFFIXES:
        return None
    return filename.partition("-")[0]


class _Distribution:
    """A metadata directory (or a legacy ``.egg-info`` file) found on the path."""

    def __init__(self, path: str) -> None:
        self.path = path
        self._headers: tuple[str | None, str | None] | None = None

    def _read(self, filename: str) -> str | None:
        """The text of a metadata file, or None where importlib.metadata's ``read_text`` gives None."""
        try:
            with open(os.path.join(self.path, filename), encoding="utf-8") as stream:
                return stream.read()
        except (FileNotFoundError, IsADirectoryError, NotADirectoryError, PermissionError):
            return None
        except UnicodeDecodeError:
            raise _Fallback from None

    def headers(self) -> tuple[str | None, str | None]:
        """The ``Name`` and ``Version`` headers of the metadata, as importlib.metadata reads them."""
        if self._headers is None:
            self._headers = self._read_headers()
        return self._headers

    def _read_headers(self) -> tuple[str | None, str | None]:
        # METADATA, else PKG-INFO, else the path itself (a legacy .egg-info file); an empty file counts as
        # missing, as importlib.metadata's `read_text(...) or ...` does.
        for candidate in (os.path.join(self.path, "METADATA"), os.path.join(self.path, "PKG-INFO"), self.path):
            try:
                with open(candidate, encoding="utf-8") as stream:
                    first = stream.readline()
                    if not first:
                        continue
                    return _parse_headers(_chain(first, stream))
            except (FileNotFoundError, IsADirectoryError, NotADirectoryError, PermissionError):
                continue
            except UnicodeDecodeError:
                raise _Fallback from None
        return None, None

    def normalized_name(self) -> str:
        """The key importlib.metadata de-duplicates distributions by (``_normalized_name``)."""
        from_stem = _name_from_stem(os.path.basename(self.path))
        if from_stem:
            normalized = _normalize(from_stem)
            if normalized:
                return normalized
        name = self.headers()[0]
        if name is None:
            raise _Fallback  # importlib.metadata fails here (it normalises None)
        return _normalize(name)

    def entry_points(self, group: str) -> list[EntryPoint]:
        text = self._read("entry_points.txt")
        if not text or group not in text:
            return []
        pairs = list(_group_lines(text, group))
        if not pairs:
            return []
        name, version = self.headers()
        if name is None or version is None:
            dir_name, dir_version = _from_directory_name(self.path)
            name = dir_name if name is None else name
            version = dir_version if version is None else version
        return [EntryPoint(key, value, group, name, version) for key, value in pairs]


def _group_lines(text: str, group: str) -> Iterator[tuple[str, str]]:
    """The ``name = value`` pairs of section ``group``, parsed as importlib.metadata's ``Sectioned``."""
    section: str | None = None
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("[") and line.endswith("]"):
            section = line.strip("[]")
            continue
        if section != group:
            continue
        name, sep, value = line.partition("=")
        if not sep:
            raise _Fallback  # importlib.metadata cannot parse the line (and raises)
        yield name.strip(), value.strip()


def _chain(first: str, rest: Iterable[str]) -> Iterator[str]:
    yield first
    yield from rest


def _is_field_line(line: str) -> bool:
    """Whether ``line`` starts with a header name and a colon (the email parser's ``headerRE``)."""
    colon = line.find(":")
    return colon >= 0 and all("\x21" <= ch <= "\x7e" for ch in line[:colon])


def _parse_headers(lines: Iterable[str]) -> tuple[str | None, str | None]:
    """The first ``Name`` and ``Version`` headers of the header block, as ``email`` (compat32) reads them."""
    found: dict[str, str] = {}
    current: list[str] = []

    def finish() -> None:
        if current:
            field, _, value = current[0].partition(":")
            key = field.lower()
            if key in ("name", "version") and key not in found:
                found[key] = _redent((value.lstrip(" \t") + "".join(current[1:])).rstrip("\r\n"))
            current.clear()

    for line in lines:
        if line.startswith(("From ", " ", "\t")) or _is_field_line(line):
            if line[0] in " \t":  # a continuation line (ignored when there is no header to continue)
                if current:
                    current.append(line)
                continue
            finish()
            if line.startswith("From ") or line.startswith(":"):
                continue  # an envelope line, or a header without a name: skipped by the email parser
            current.append(line)
        else:
            break  # the blank line that ends the headers, or the body
        if len(found) == 2:
            return found["name"], found["version"]
    finish()
    return found.get("name"), found.get("version")


def _redent(value: str) -> str:
    """importlib.metadata's correction for RFC 822 indentation of multi-line header values."""
    if "\n" not in value:
        return value
    import textwrap

    return textwrap.dedent(" " * 8 + value)


def _from_directory_name(path: str) -> tuple[str | None, str | None]:
    """Name and version from ``name-version[-…].dist-info`` (or the ``….egg`` around ``EGG-INFO``)."""
    base = os.path.basename(path)
    if base.lower() == "egg-info":
        base = os.path.basename(os.path.dirname(path))
    if base.lower().endswith((*_INFO_SUFFIXES, ".egg")):
        base = base.rpartition(".")[0]
    name, _, rest = base.partition("-")
    return name or None, rest.partition("-")[0] or None


def _from_importlib_metadata(group: str, path: list[str | os.PathLike[str]] | None) -> list[EntryPoint]:
    """The exact answer, from importlib.metadata (slow to import)."""
    import importlib.metadata as md

    found: Iterable[md.EntryPoint]
    if path is None:
        found = md.entry_points(group=group)
    else:
        # entry_points() has no path parameter: de-duplicate distributions(path=...) the way it does.
        seen: set[str] = set()
        found_list: list[md.EntryPoint] = []
        for dist in md.distributions(path=[os.fspath(p) for p in path]):
            key: str = getattr(dist, "_normalized_name", None) or dist.name
            if key in seen:
                continue
            seen.add(key)
            found_list.extend(ep for ep in dist.entry_points if ep.group == group)
        found = found_list
    result = []
    for ep in found:
        owner = ep.dist
        name: str | None = owner.name if owner is not None else None
        version: str | None = owner.version if owner is not None else None
        meta_path = getattr(owner, "_path", None)
        if (name is None or version is None) and meta_path is not None:
            dir_name, dir_version = _from_directory_name(os.fspath(meta_path))
            name = dir_name if name is None else name
            version = dir_version if version is None else version
        result.append(EntryPoint(ep.name, ep.value, ep.group, name, version))
    return result
