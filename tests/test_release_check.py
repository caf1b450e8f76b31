"""scripts/release_check.py's checks of built files: they find what a wheel or an sdist lacks.

The whole release check (build, install, smoke workshop) runs in CI as ``python3 tasks.py release-check``; these
tests pin its detectors on small archives made here.
"""

from __future__ import annotations

import io
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))

import release_check  # noqa: E402


def _dist(tmp_path: Path) -> release_check.Distribution:
    return release_check.Distribution(
        directory=tmp_path,
        name="maturity-matrixkit-example",
        packages=("src/example_pkg",),
        license_files=("LICENSE", "NOTICE"),
        extras=frozenset(),
    )


FILES = ["src/example_pkg/__init__.py", "src/example_pkg/templates/page.html", "src/example_pkg/py.typed"]


def _wheel(path: Path, names: list[str]) -> Path:
    with zipfile.ZipFile(path, "w") as archive:
        for name in names:
            archive.writestr(name, "x")
    return path


def _sdist(path: Path, names: list[str]) -> Path:
    with tarfile.open(path, "w:gz") as archive:
        for name in names:
            info = tarfile.TarInfo(f"maturity_matrixkit_example-1.0/{name}")
            info.size = 1
            archive.addfile(info, io.BytesIO(b"x"))
    return path


def test_a_complete_wheel_passes(tmp_path: Path) -> None:
    info = "maturity_matrixkit_example-1.0.dist-info"
    names = [f.removeprefix("src/") for f in FILES] + [f"{info}/licenses/LICENSE", f"{info}/licenses/NOTICE"]
    assert release_check.check_wheel(_wheel(tmp_path / "ok.whl", names), _dist(tmp_path), FILES) == []


def test_a_wheel_missing_package_data_a_licence_or_holding_strays_fails(tmp_path: Path) -> None:
    info = "maturity_matrixkit_example-1.0.dist-info"
    names = ["example_pkg/__init__.py", "example_pkg/py.typed", f"{info}/licenses/LICENSE", "tests/test_x.py"]
    problems = release_check.check_wheel(_wheel(tmp_path / "bad.whl", names), _dist(tmp_path), FILES)
    assert problems == [
        "bad.whl: src/example_pkg/templates/page.html is missing (not in the wheel's package data)",
        f"bad.whl: licence file NOTICE is missing from {info}/licenses/",
        "bad.whl: holds ['tests'] besides its packages ['example_pkg']",
    ]


def test_an_sdist_missing_files_fails(tmp_path: Path) -> None:
    complete = [*FILES, "LICENSE", "NOTICE", "pyproject.toml", "README.md", "PKG-INFO"]
    assert release_check.check_sdist(_sdist(tmp_path / "ok.tar.gz", complete), _dist(tmp_path), FILES) == []
    partial = [name for name in complete if name not in ("NOTICE", "src/example_pkg/py.typed")]
    problems = release_check.check_sdist(_sdist(tmp_path / "bad.tar.gz", partial), _dist(tmp_path), FILES)
    assert problems == ["bad.tar.gz: src/example_pkg/py.typed is missing", "bad.tar.gz: NOTICE is missing"]


def test_the_repository_distributions_are_found_with_their_package_data() -> None:
    found = {d.name: d for d in release_check.distributions()}
    assert set(found) == {
        "maturity-matrixkit",
        "maturity-matrixkit-exporters",
        "maturity-matrixkit-pit-tools",
        "maturity-matrixkit-web",
    }
    assert found["maturity-matrixkit-pit-tools"].license_files == ("LICENSE", "NOTICE")
    core = release_check.package_files(found["maturity-matrixkit"])
    assert "src/matrixkit/_templates/plugin/base/pyproject.toml.tmpl" in core
    pit = release_check.package_files(found["maturity-matrixkit-pit-tools"])
    assert "src/matrixkit_pit_tools/instruments/pit-a.toml" in pit
    web = release_check.package_files(found["maturity-matrixkit-web"])
    assert any(name.startswith("src/matrixkit_web/migrations/versions/") for name in web)
    assert all("__pycache__" not in name for name in core + pit + web)


@pytest.mark.parametrize("plugin", sorted(p.name for p in (ROOT / "plugins").iterdir() if p.is_dir()))
def test_every_plugin_ships_the_project_licence(plugin: str) -> None:
    assert (ROOT / "plugins" / plugin / "LICENSE").read_bytes() == (ROOT / "LICENSE").read_bytes()
