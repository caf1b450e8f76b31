"""The command's start-up: a light ``import matrixkit``, and ``matrixkit tools`` answered from its cache only while
nothing it was computed from has changed (matrixkit._launch)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

DATA = Path(__file__).parent / "data"
#: Libraries that listing the tools must never import (exporters import them when they render).
HEAVY = ("openpyxl", "xlsxwriter", "typst", "jinja2", "matplotlib", "pandas", "numpy", "pypdf", "fastapi")


def _age(path: Path, seconds: float = 600) -> None:
    """Make ``path`` look changed ``seconds`` ago (the cache ignores inputs changed in the last two seconds)."""
    then = time.time() - seconds
    os.utime(path, (then, then))


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    tools = tmp_path / "tools"
    tools.mkdir()
    shutil.copy(DATA / "digital-maturity.toml", tools / "digital-maturity.toml")
    _age(tools / "digital-maturity.toml")
    _age(tools)
    environ = {k: v for k, v in os.environ.items() if not k.startswith("MATRIXKIT_")}
    environ.update(
        MATRIXKIT_PATH=str(tools),
        MATRIXKIT_LOAD_PLUGINS="",  # hermetic: no installed plugin, only the directory above
        MATRIXKIT_CACHE_DIR=str(tmp_path / "cache"),
        XDG_CONFIG_HOME=str(tmp_path / "config"),
    )
    return environ


def _tools(environ: dict[str, str], *args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    code = "import sys; sys.argv[0] = 'matrixkit'; from matrixkit._launch import run; run()"
    return subprocess.run(
        [sys.executable, "-c", code, "tools", *args],
        env=environ,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def _cached_files(environ: dict[str, str]) -> list[Path]:
    folder = Path(environ["MATRIXKIT_CACHE_DIR"])
    return sorted(folder.glob("tools-*.marshal")) if folder.is_dir() else []


def _until_cached(environ: dict[str, str], *args: str) -> str:
    """Run until the answer is cached (a source file edited in the last two seconds delays caching)."""
    for _ in range(5):
        before = len(_cached_files(environ))
        result = _tools(environ, *args)
        assert result.returncode == 0, result.stderr
        if len(_cached_files(environ)) > before or before:
            return result.stdout
        time.sleep(2.1)
    pytest.fail("the listing was never cached")


def test_import_matrixkit_is_light() -> None:
    code = "import sys, matrixkit; print(sorted(m for m in ('pluggy', 'attrs', 'attr', 'cattrs') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_hookimpl_is_still_exported() -> None:
    import matrixkit
    from matrixkit import hookimpl
    from matrixkit.hookspecs import hookimpl as real

    assert hookimpl is real
    assert matrixkit.hookimpl is real
    with pytest.raises(AttributeError):
        _ = matrixkit.no_such_thing  # type: ignore[attr-defined]


def test_cached_listing_equals_fresh_listing(env: dict[str, str]) -> None:
    fresh = _tools({**env, "MATRIXKIT_NO_CACHE": "1"})
    assert fresh.returncode == 0, fresh.stderr
    assert "digital-maturity" in fresh.stdout
    assert not _cached_files(env)
    _until_cached(env)
    cached = _tools(env)
    assert cached.returncode == 0
    assert (cached.stdout, cached.stderr) == (fresh.stdout, fresh.stderr)
    as_json = _until_cached(env, "--json")
    assert json.loads(as_json)[0]["id"] == "digital-maturity"
    assert len(_cached_files(env)) == 2  # one answer per command line


def test_a_changed_instrument_file_is_seen(env: dict[str, str]) -> None:
    _until_cached(env)
    file = Path(env["MATRIXKIT_PATH"]) / "digital-maturity.toml"
    text = file.read_text(encoding="utf-8")
    title = next(line for line in text.splitlines() if line.startswith("title"))
    file.write_text(text.replace(title, 'title = "A renamed matrix"', 1), encoding="utf-8")
    _age(file, 300)  # even a change that keeps an old modification time is seen (the size changed)
    assert "A renamed matrix" in _tools(env).stdout


def test_a_new_file_in_a_registered_directory_is_seen(env: dict[str, str]) -> None:
    _until_cached(env)
    tools = Path(env["MATRIXKIT_PATH"])
    text = (tools / "digital-maturity.toml").read_text(encoding="utf-8")
    (tools / "other.toml").write_text(text.replace('id = "digital-maturity"', 'id = "other-matrix"', 1), "utf-8")
    assert "other-matrix" in _tools(env).stdout


def test_environment_is_part_of_the_key(env: dict[str, str]) -> None:
    _until_cached(env)
    hidden = _tools({**env, "MATRIXKIT_DISABLE_INSTRUMENTS": "digital-maturity"})
    assert "digital-maturity" not in hidden.stdout
    assert "digital-maturity" in _tools(env).stdout


def test_a_new_configuration_file_is_seen(env: dict[str, str], tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    _age(elsewhere)
    for _ in range(5):
        assert "digital-maturity" in _tools(env, cwd=elsewhere).stdout
        if _cached_files(env):
            break
        time.sleep(2.1)
    assert _cached_files(env)
    (elsewhere / "matrixkit.toml").write_text('[instruments]\ndisable = ["digital-maturity"]\n', encoding="utf-8")
    assert "digital-maturity" not in _tools(env, cwd=elsewhere).stdout


def test_warnings_are_never_cached(env: dict[str, str]) -> None:
    broken = Path(env["MATRIXKIT_PATH"]) / "broken.toml"
    broken.write_text("id = \n", encoding="utf-8")
    _age(broken)
    _age(broken.parent)
    for _ in range(2):
        result = _tools(env)
        assert result.returncode == 0
        assert "warning" in result.stderr and "broken.toml" in result.stderr
    assert not _cached_files(env)


def test_a_corrupt_cache_is_ignored(env: dict[str, str]) -> None:
    expected = _until_cached(env)
    for file in _cached_files(env):
        file.write_bytes(b"not marshal data")
    assert _tools(env).stdout == expected


@pytest.mark.parametrize("cache", ["1", ""])
def test_listing_imports_no_exporter_library(env: dict[str, str], cache: str) -> None:
    environ = {**env, "MATRIXKIT_NO_CACHE": cache}
    environ.pop("MATRIXKIT_LOAD_PLUGINS")  # with the installed plugins, if any
    code = (
        "import sys; sys.argv = ['matrixkit', 'tools']\n"
        "from matrixkit._launch import run\n"
        "try:\n    run()\nexcept SystemExit:\n    pass\n"
        f"print(sorted(m for m in {HEAVY!r} if m in sys.modules), file=sys.stderr)"
    )
    result = subprocess.run([sys.executable, "-c", code], env=environ, capture_output=True, text=True, check=False)
    assert result.stderr.strip().splitlines()[-1] == "[]", result.stderr


def _mark_cached_answers(environ: dict[str, str], marker: str) -> None:
    """Replace the stored output of every cached answer, so that a run answered from the cache shows ``marker``."""
    import marshal

    for file in _cached_files(environ):
        entry = marshal.loads(file.read_bytes())
        entry["stdout"] = marker + "\n"
        file.write_bytes(marshal.dumps(entry))


def test_an_unrelated_variable_does_not_defeat_the_cache(env: dict[str, str]) -> None:
    # A new terminal: its session variables differ, nothing matrixkit reads does.
    _until_cached(env)
    _mark_cached_answers(env, "from the cache")
    assert _tools({**env, "TERM_SESSION_ID": "w2:t0:p1", "SHLVL": "7"}).stdout == "from the cache\n"


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("XDG_CONFIG_HOME", "/elsewhere"),  # read by the configuration lookup
        ("MATRIXKIT_SOMETHING_NEW", "1"),  # any MATRIXKIT_ variable, read or not
    ],
)
def test_a_variable_the_listing_depends_on_defeats_the_cache(env: dict[str, str], name: str, value: str) -> None:
    _until_cached(env)
    _mark_cached_answers(env, "from the cache")
    result = _tools({**env, name: value})
    assert result.returncode == 0, result.stderr
    assert "digital-maturity" in result.stdout


def test_a_removed_variable_the_listing_read_defeats_the_cache(env: dict[str, str]) -> None:
    _until_cached(env)
    _mark_cached_answers(env, "from the cache")
    without = dict(env)
    del without["MATRIXKIT_PATH"]
    assert "from the cache" not in _tools({**without, "MATRIXKIT_LOAD_PLUGINS": ""}).stdout


def test_the_cache_keeps_a_bounded_number_of_answers(tmp_path: Path) -> None:
    from matrixkit import _launch

    folder = tmp_path / "cache"
    folder.mkdir()
    for i in range(_launch._KEEP + 8):
        file = folder / f"tools-{i:04d}.marshal"
        file.write_bytes(b"")
        os.utime(file, (1_000_000 + i, 1_000_000 + i))
    crashed = folder / "tools-0000.marshal.123.tmp"
    crashed.write_bytes(b"")
    _age(crashed, 7200)
    recent = folder / "tools-0001.marshal.456.tmp"  # perhaps another process writing right now
    recent.write_bytes(b"")
    unrelated = folder / "notes.txt"
    unrelated.write_text("mine", encoding="utf-8")
    _launch._prune(str(folder))
    kept = sorted(p.name for p in folder.glob("tools-*.marshal"))
    assert kept == [f"tools-{i:04d}.marshal" for i in range(8, _launch._KEEP + 8)]
    assert not crashed.exists()
    assert recent.exists() and unrelated.exists()


class TestRecordingEnviron:
    @pytest.fixture
    def watched(self) -> tuple[object, dict[str, str]]:
        from matrixkit._envwatch import RecordingEnviron

        real = {"SET": "1", "OTHER": "2"}
        return RecordingEnviron(real), real

    def test_reads_are_recorded_with_their_value_or_absence(self, watched: tuple[object, dict[str, str]]) -> None:
        env, _ = watched
        assert env["SET"] == "1"  # type: ignore[index]
        assert env.get("MISSING") is None  # type: ignore[attr-defined]
        assert "ALSO_MISSING" not in env  # type: ignore[operator]
        assert env.read == {"SET": "1", "MISSING": None, "ALSO_MISSING": None}  # type: ignore[attr-defined]
        assert not env.whole  # type: ignore[attr-defined]

    def test_writes_go_through_and_the_value_before_is_recorded(self, watched: tuple[object, dict[str, str]]) -> None:
        env, real = watched
        env["NEW"] = "x"  # type: ignore[index]
        env["NEW"] = "y"  # type: ignore[index]
        del env["SET"]  # type: ignore[attr-defined]
        assert env.setdefault("OTHER", "z") == "2"  # type: ignore[attr-defined]
        assert real == {"OTHER": "2", "NEW": "y"}
        assert env.read == {"NEW": None, "SET": "1", "OTHER": "2"}  # type: ignore[attr-defined]
        assert not env.whole  # type: ignore[attr-defined]

    @pytest.mark.parametrize(
        "look",
        [list, len, dict, lambda e: e.copy(), lambda e: list(e.items()), lambda e: e == {}, lambda e: e | {}, repr],
    )
    def test_seeing_every_variable_is_recorded(self, watched: tuple[object, dict[str, str]], look: object) -> None:
        env, _ = watched
        look(env)  # type: ignore[operator]
        assert env.whole  # type: ignore[attr-defined]

    def test_getenv_is_watched_while_it_stands_in_for_os_environ(self, monkeypatch: pytest.MonkeyPatch) -> None:
        from matrixkit._envwatch import RecordingEnviron

        monkeypatch.setenv("MATRIXKIT_TEST_WATCHED", "yes")
        env = RecordingEnviron(os.environ)
        monkeypatch.setattr(os, "environ", env)
        assert os.getenv("MATRIXKIT_TEST_WATCHED") == "yes"
        assert os.getenv("MATRIXKIT_TEST_UNSET") is None
        assert env.read == {"MATRIXKIT_TEST_WATCHED": "yes", "MATRIXKIT_TEST_UNSET": None}
