"""matrixkit._entrypoints finds what importlib.metadata finds, without importing it."""

from __future__ import annotations

import importlib
import importlib.metadata as md
import os
import subprocess
import sys
import textwrap
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from matrixkit import _entrypoints
from matrixkit._entrypoints import EntryPoint, entry_points
from matrixkit.config import Config
from matrixkit.registry import Registry, get_plugin_manager

Row = tuple[str, str, str, str | None, str | None]


def rows(eps: list[EntryPoint]) -> list[Row]:
    return [(ep.name, ep.value, ep.group, ep.dist_name, ep.dist_version) for ep in eps]


def reference(group: str) -> list[Row]:
    """importlib.metadata's answer for ``group`` on the current sys.path, in its order."""
    importlib.invalidate_caches()
    return [
        (ep.name, ep.value, ep.group, ep.dist.name, ep.dist.version)  # type: ignore[union-attr]
        for ep in md.entry_points(group=group)
    ]


#: Where importlib.metadata has no name or version (None), the scan takes them from the directory name.
FROM_DIRECTORY = {"nm": ("nometa", "3.0"), "theta": ("theta", "7"), "iota": ("iota", "1")}


def from_directory(expected: list[Row]) -> list[Row]:
    """importlib.metadata's rows with the directory's name and version where it has None (and only there)."""
    result = []
    for name, value, group, dist_name, version in expected:
        if name in FROM_DIRECTORY:
            assert dist_name is None or version is None, (name, dist_name, version)
            dir_name, dir_version = FROM_DIRECTORY[name]
            dist_name, version = dist_name if dist_name is not None else dir_name, version or dir_version
        result.append((name, value, group, dist_name, version))
    return result


@pytest.fixture
def no_fallback(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fail if the scan hands over to importlib.metadata: the comparison must test the scan itself."""

    def refuse(group: str, path: object) -> list[EntryPoint]:
        raise AssertionError(f"fell back to importlib.metadata for group {group!r}")

    monkeypatch.setattr(_entrypoints, "_from_importlib_metadata", refuse)


@pytest.fixture
def fallbacks(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Record the groups for which the scan handed over to importlib.metadata."""
    calls: list[str] = []
    real = _entrypoints._from_importlib_metadata

    def spy(group: str, path: list[str | os.PathLike[str]] | None) -> list[EntryPoint]:
        calls.append(group)
        return real(group, path)

    monkeypatch.setattr(_entrypoints, "_from_importlib_metadata", spy)
    return calls


# -- (a) the real environment ----------------------------------------------------------------------


@pytest.mark.parametrize("group", ["matrixkit", "console_scripts", "pytest11"])
def test_the_environment_scan_equals_importlib_metadata(group: str, no_fallback: None) -> None:
    expected = reference(group)
    found = rows(entry_points(group))
    assert sorted(found, key=repr) == sorted(expected, key=repr)
    assert found == expected  # and in the same order
    if group in ("console_scripts", "pytest11"):
        assert found  # pytest itself declares both: a comparison of two empty lists would prove nothing


# -- (b) a synthetic path ----------------------------------------------------------------------------


def write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")


@pytest.fixture
def synthetic(tmp_path: Path) -> list[str]:
    """Two site directories and a directory egg, with the awkward cases importlib.metadata accepts."""
    one, two, egg = tmp_path / "one", tmp_path / "two", tmp_path / "three" / "epsilon-0.5-py3.11.egg"
    write(
        one / "alpha-1.0.dist-info" / "METADATA",
        """
        Metadata-Version: 2.1
        Name: Alpha
        Version: 1.0
        Summary: a summary
          that continues

        Name: not-the-name (this is the body)
        """,
    )
    write(
        one / "alpha-1.0.dist-info" / "entry_points.txt",
        """
        # a comment before any section
        stray = ignored:before_sections
        [console_scripts]
        alpha = alpha.cli:main

        [mk.test]
          # an indented comment
        plain=alpha.plugin
        spaced   =   alpha.plugin : thing.attr   [extra1, extra2]
        extras = alpha.plugin:thing [x]
        ; semi = alpha.semi:obj
        equals = alpha.plugin:thing = odd
        empty =
        [[mk.test]]
        bracketed = alpha.more
        """,
    )
    write(
        one / "beta_pkg-2.0.dist-info" / "METADATA",
        """
        Metadata-Version: 2.1
        name: beta.pkg
        VERSION: 2.0
        """,
    )
    write(one / "beta_pkg-2.0.dist-info" / "entry_points.txt", "[mk.test]\nbeta = beta_pkg:plugin\n")
    # egg-info: PKG-INFO, not METADATA; an empty METADATA counts as missing
    gamma = one / "gamma-0.1-py3.11.egg-info"
    write(gamma / "PKG-INFO", "Metadata-Version: 1.1\nName: Gamma-Dist\nVersion: 0.1.post1\n")
    write(one / "gamma-0.1-py3.11.egg-info" / "METADATA", "")
    write(one / "gamma-0.1-py3.11.egg-info" / "entry_points.txt", "[mk.test]\ngamma = gamma:plugin\n")
    # no METADATA at all: importlib.metadata has no name or version, the scan takes the directory's
    write(one / "nometa-3.0.dist-info" / "entry_points.txt", "[mk.test]\nnm = nometa:plugin\n")
    # no entry_points.txt
    write(one / "noeps-1.0.dist-info" / "METADATA", "Name: noeps\nVersion: 1.0\n")
    # a legacy egg-info *file* (its own metadata, no entry points) shadows a later "delta"
    write(one / "delta-1.0.egg-info", "Metadata-Version: 1.0\nName: delta\nVersion: 1.0\n")
    # header oddities: a continuation line that starts the block, an envelope line, trailing spaces kept
    write(
        one / "eta-4.dist-info" / "METADATA",
        "From someone\n  orphan continuation\nName: eta  \nVersion: 4\n  .post1\n",
    )
    write(one / "eta-4.dist-info" / "entry_points.txt", "[mk.test]\neta = eta\n")
    # the first Name wins; a line that is not a header (a space in its name) ends the headers
    write(
        one / "theta-7.dist-info" / "METADATA",
        "Metadata-Version: 2.1\nName: theta\nname: second\nBad Header: x\nVersion: 99\n",
    )
    write(one / "theta-7.dist-info" / "entry_points.txt", "[mk.test]\ntheta = theta\n")
    # a Version after the blank line is in the body
    write(one / "iota-1.dist-info" / "METADATA", "Name: iota\n\nVersion: 5\n")
    write(one / "iota-1.dist-info" / "entry_points.txt", "[mk.test]\niota = iota\n")

    # the second site: the same distributions again, which lose to the first ones
    write(two / "alpha-2.0.dist-info" / "METADATA", "Name: alpha\nVersion: 2.0\n")
    write(two / "alpha-2.0.dist-info" / "entry_points.txt", "[mk.test]\nplain = alpha2.plugin\nnew = alpha2:x\n")
    write(two / "Beta.Pkg-9.dist-info" / "METADATA", "Name: Beta.Pkg\nVersion: 9\n")
    write(two / "Beta.Pkg-9.dist-info" / "entry_points.txt", "[mk.test]\nbeta = beta9:plugin\n")
    write(two / "beta__pkg-10.dist-info" / "METADATA", "Name: beta--pkg\nVersion: 10\n")
    write(two / "beta__pkg-10.dist-info" / "entry_points.txt", "[mk.test]\nbeta = beta10:plugin\n")
    write(two / "delta-2.0.dist-info" / "METADATA", "Name: delta\nVersion: 2.0\n")
    write(two / "delta-2.0.dist-info" / "entry_points.txt", "[mk.test]\ndelta = delta:plugin\n")
    write(two / "zeta-1.dist-info" / "METADATA", "Name: zeta\nVersion: 1\n")
    write(two / "zeta-1.dist-info" / "entry_points.txt", "[mk.test]\nzeta = zeta.plugin:obj\n")
    # a directory egg: its EGG-INFO is the metadata
    write(egg / "EGG-INFO" / "PKG-INFO", "Metadata-Version: 1.1\nName: epsilon\nVersion: 0.5\n")
    write(egg / "EGG-INFO" / "entry_points.txt", "[mk.test]\nepsilon = epsilon:plugin\n")
    return [str(one), str(tmp_path / "missing"), str(two), str(egg)]


def test_a_synthetic_path_scans_as_importlib_metadata(
    synthetic: list[str], monkeypatch: pytest.MonkeyPatch, no_fallback: None
) -> None:
    monkeypatch.setattr(sys, "path", synthetic)
    expected = reference("mk.test")
    found = rows(entry_points("mk.test"))

    # The one intended difference: where importlib.metadata has no name or version, the directory's are used.
    assert ("nm", "nometa:plugin", "mk.test", None, None) in expected
    assert found == from_directory(expected)

    by_name = {row[0]: row for row in found}
    assert by_name["spaced"][1] == "alpha.plugin : thing.attr   [extra1, extra2]"
    assert by_name["plain"] == ("plain", "alpha.plugin", "mk.test", "Alpha", "1.0")  # the first alpha wins
    assert "new" not in by_name and "delta" not in by_name  # alpha 2.0 and delta 2.0 are shadowed
    assert by_name["beta"][3:] == ("beta.pkg", "2.0")
    assert by_name["; semi"][1] == "alpha.semi:obj"  # importlib.metadata has no ';' comments
    assert by_name["equals"][1] == "alpha.plugin:thing = odd" and by_name["empty"][1] == ""
    assert by_name["gamma"][3:] == ("Gamma-Dist", "0.1.post1")
    assert by_name["eta"][3:] == ("eta  ", "      4\n.post1")  # importlib.metadata's dedent of folded headers
    assert by_name["epsilon"][3:] == ("epsilon", "0.5")
    assert "stray" not in by_name and "bracketed" in by_name
    assert by_name["theta"][3:] == ("theta", "7") and by_name["iota"][3:] == ("iota", "1")

    other = rows(entry_points("console_scripts"))
    assert other == [("alpha", "alpha.cli:main", "console_scripts", "Alpha", "1.0")] == reference("console_scripts")


def test_the_path_parameter_scans_the_given_directories(
    synthetic: list[str], monkeypatch: pytest.MonkeyPatch, no_fallback: None
) -> None:
    assert sys.path != synthetic
    found = rows(entry_points("mk.test", path=synthetic))
    assert rows(entry_points("mk.test", path=[Path(p) for p in synthetic])) == found
    # directory-listing order is the file system's: compare the second site as a set, in which one of the two
    # spellings of beta.pkg (listed first) hides the other
    site_two = sorted(rows(entry_points("mk.test", path=synthetic[2:3])))
    assert [row[1] for row in site_two if row[0] == "beta"] in (["beta9:plugin"], ["beta10:plugin"])
    assert [row for row in site_two if row[0] != "beta"] == [
        ("delta", "delta:plugin", "mk.test", "delta", "2.0"),
        ("new", "alpha2:x", "mk.test", "alpha", "2.0"),
        ("plain", "alpha2.plugin", "mk.test", "alpha", "2.0"),
        ("zeta", "zeta.plugin:obj", "mk.test", "zeta", "1"),
    ]
    monkeypatch.setattr(sys, "path", synthetic)
    assert rows(entry_points("mk.test")) == found


def test_a_line_without_equals_is_left_to_importlib_metadata(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fallbacks: list[str]
) -> None:
    write(tmp_path / "bad-1.dist-info" / "METADATA", "Name: bad\nVersion: 1\n")
    write(tmp_path / "bad-1.dist-info" / "entry_points.txt", "[mk.test]\nno equals sign here\n")
    monkeypatch.setattr(sys, "path", [str(tmp_path)])
    importlib.invalidate_caches()
    with pytest.raises(TypeError):
        md.entry_points(group="mk.test")
    with pytest.raises(TypeError):  # the same error as before: importlib.metadata answered
        entry_points("mk.test")
    assert fallbacks == ["mk.test"]


# -- (c) what the scan cannot read goes to importlib.metadata --------------------------------------------


def test_a_zip_on_the_path_falls_back_to_importlib_metadata(
    synthetic: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fallbacks: list[str]
) -> None:
    archive = tmp_path / "zipped.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("zipped-1.0.dist-info/METADATA", "Name: zipped\nVersion: 1.0\n")
        zf.writestr("zipped-1.0.dist-info/entry_points.txt", "[mk.test]\nzipped = zipped:plugin\n")
    monkeypatch.setattr(sys, "path", [synthetic[0], str(archive), *synthetic[1:]])
    expected = reference("mk.test")
    found = rows(entry_points("mk.test"))
    assert fallbacks == ["mk.test"]
    assert ("zipped", "zipped:plugin", "mk.test", "zipped", "1.0") in found  # read from inside the zip
    assert found == from_directory(expected)

    fallbacks.clear()
    assert rows(entry_points("mk.test", path=[str(archive)])) == [
        ("zipped", "zipped:plugin", "mk.test", "zipped", "1.0")
    ]
    assert fallbacks == ["mk.test"]


def test_another_distribution_finder_falls_back_to_importlib_metadata(
    synthetic: list[str], monkeypatch: pytest.MonkeyPatch, fallbacks: list[str]
) -> None:
    class Finder:
        @staticmethod
        def find_spec(*args: object) -> None:
            return None

        @staticmethod
        def find_distributions(*args: object, **kwargs: object) -> Iterator[md.Distribution]:
            return iter([md.Distribution.at(Path(synthetic[2]) / "zeta-1.dist-info")])

    monkeypatch.setattr(sys, "meta_path", [Finder, *sys.meta_path])
    monkeypatch.setattr(sys, "path", synthetic[:1])
    found = entry_points("mk.test")
    assert fallbacks == ["mk.test"]
    assert found[0] == EntryPoint("zeta", "zeta.plugin:obj", "mk.test", "zeta", "1")
    assert rows(found) == from_directory(reference("mk.test"))


# -- loading --------------------------------------------------------------------------------------------


def test_load_imports_the_module_and_walks_the_attributes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write(tmp_path / "mk_ep_target.py", "class Outer:\n    class Inner:\n        value = 42\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.delitem(sys.modules, "mk_ep_target", raising=False)
    values = ["mk_ep_target", "mk_ep_target:Outer", "mk_ep_target : Outer.Inner [x, y]", "mk_ep_target:Outer.Inner"]
    for value in values:
        ours = EntryPoint("e", value, "g").load()
        assert ours is md.EntryPoint("e", value, "g").load()
    assert EntryPoint("e", "mk_ep_target:Outer.Inner", "g").load().value == 42  # type: ignore[attr-defined]
    ep = EntryPoint("e", "mk_ep_target : Outer.Inner [x]", "g")
    assert (ep.module, ep.attr) == ("mk_ep_target", "Outer.Inner")
    with pytest.raises(ValueError, match="malformed value 'not a value!'"):
        EntryPoint("e", "not a value!", "g").load()
    with pytest.raises(AttributeError):
        EntryPoint("e", "mk_ep_target:Missing", "g").load()
    with pytest.raises(AttributeError, match="immutable"):
        ep.name = "other"  # type: ignore[misc]
    assert ep == EntryPoint("e", "mk_ep_target : Outer.Inner [x]", "g") and len({ep, ep}) == 1


# -- the registry -----------------------------------------------------------------------------------------


def test_the_registry_names_the_distribution_of_a_broken_plugin(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write(tmp_path / "mk_ep_broken.py", "raise RuntimeError('boom')\n")
    write(tmp_path / "mk_ep_broken-2.5.dist-info" / "METADATA", "Name: mk-ep-broken\nVersion: 2.5\n")
    write(tmp_path / "mk_ep_broken-2.5.dist-info" / "entry_points.txt", "[matrixkit]\nbroken = mk_ep_broken\n")
    write(tmp_path / "mk_ep_bare-0.3.dist-info" / "entry_points.txt", "[matrixkit]\nbare = mk_ep_bare\n")
    write(tmp_path / "mk_ep_bare.py", "")
    monkeypatch.syspath_prepend(str(tmp_path))
    for name in ("mk_ep_broken", "mk_ep_bare"):
        monkeypatch.delitem(sys.modules, name, raising=False)
    registry = Registry(get_plugin_manager(config=Config()), Config())
    [problem] = [p for p in registry.plugin_problems() if "'broken'" in p]
    assert problem == (
        "plugin 'broken' (mk_ep_broken, distribution mk-ep-broken) could not be loaded: RuntimeError: boom; "
        "disable it with MATRIXKIT_DISABLE_PLUGINS=broken"
    )
    [bare] = [info for info in registry.plugins() if info.name == "bare"]
    assert (bare.distribution, bare.version) == ("mk_ep_bare", "0.3")  # no METADATA: the directory's name


# -- (d) importlib.metadata is not imported ----------------------------------------------------------------


def test_the_scan_does_not_import_importlib_metadata() -> None:
    code = (
        "import sys, matrixkit.registry, matrixkit._entrypoints as e\n"
        "found = e.entry_points('matrixkit') + e.entry_points('console_scripts') + matrixkit.registry._entry_points()\n"
        "heavy = ('importlib.metadata', 'email', 'zipfile', 'csv')\n"
        "print(len(found) > 0, [name for name in heavy if name in sys.modules])\n"
    )
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    done = subprocess.run([sys.executable, "-X", "importtime", "-c", code], capture_output=True, text=True, env=env)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["True", "[]"]
    imported = {line.rsplit("|", 1)[-1].strip() for line in done.stderr.splitlines() if line.startswith("import time")}
    assert "matrixkit._entrypoints" in imported  # the importtime report is real
    assert not imported & {"importlib.metadata", "email", "zipfile"}
