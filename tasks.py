#!/usr/bin/env python3
"""Set up the development environment and run the project's jobs, with nothing but python3 (>= 3.11) and pip.

    python3 tasks.py example     # set up .venv, then run the bundled example workshop end to end
    python3 tasks.py test        # set up .venv, then run the whole test suite (core and every plugin)
    python3 tasks.py lint        # ruff on everything, mypy on src/
    python3 tasks.py core-test   # a separate .venv-core with the core alone: its tests must pass without plugins
    python3 tasks.py docs        # build the documentation site with warnings as errors
    python3 tasks.py bench       # run the benchmarks (benchmarks/run.py), extra arguments passed on
    python3 tasks.py release-check  # build every wheel and sdist, check them, install the wheels into a fresh
                                    # environment and run a smoke workshop (scripts/release_check.py)

The environment is created in .venv and (re)installed only when a pyproject or requirements file changed.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
PLUGINS = sorted(p for p in (ROOT / "plugins").iterdir() if (p / "pyproject.toml").is_file())


def say(text: str) -> None:
    print(f"[tasks] {text}", flush=True)


def bin_path(env: Path, name: str) -> Path:
    return env / ("Scripts" if os.name == "nt" else "bin") / name


def run(*cmd: str | Path, env: dict[str, str] | None = None, check: bool = True) -> int:
    say(" ".join(str(c) for c in cmd))
    return subprocess.run([str(c) for c in cmd], cwd=ROOT, env=env, check=check).returncode  # noqa: S603


#: This repository's distributions under the names they had before 0.2.0.
FORMER_NAMES = ("matrixkit", "matrixkit-pit-tools", "matrixkit-exporters", "matrixkit-web")


def _stamp(files: list[Path]) -> str:
    digest = hashlib.sha256()
    for file in files:
        if file.is_file():
            digest.update(str(file.relative_to(ROOT)).encode())
            digest.update(file.read_bytes())
    return digest.hexdigest()


def ensure_env(env: Path, requirements: list[str], stamp_files: list[Path]) -> Path:
    """Create ``env`` if needed and install ``requirements`` when the stamp changed; return its python."""
    python = bin_path(env, "python")
    stamp = env / ".matrixkit-stamp"
    wanted = _stamp(stamp_files) + "\n" + "\n".join(requirements)
    if python.exists() and stamp.is_file() and stamp.read_text() == wanted:
        return python
    if not python.exists():
        say(f"creating {env.name}")
        venv.EnvBuilder(with_pip=True, clear=True).create(env)
    run(python, "-m", "pip", "install", "--quiet", "--upgrade", "pip")
    # Environments made before the distributions were renamed (0.2.0) still hold them under their old names,
    # with the same entry points: two plugins of one name, which matrixkit refuses.
    run(python, "-m", "pip", "uninstall", "--quiet", "--yes", *FORMER_NAMES, check=False)
    run(python, "-m", "pip", "install", "--quiet", *requirements)
    stamp.write_text(wanted)
    return python


def dev_env() -> Path:
    requirements = ["-e", ".[testing,spreadsheets]"]
    for plugin in PLUGINS:
        requirements += ["-e", f"{plugin.relative_to(ROOT)}[all,test]"]
    extra = ["requirements-dev.txt", "requirements-docs.txt", "requirements-bench.txt"]
    for name in extra:
        requirements += ["-r", name]
    stamps = [ROOT / "pyproject.toml"] + [ROOT / name for name in extra]
    stamps += [p / "pyproject.toml" for p in PLUGINS]
    return ensure_env(ROOT / ".venv", requirements, stamps)


def cmd_example(args: list[str]) -> int:
    python = dev_env()
    script = ROOT / "examples" / "run_example.py"
    if script.is_file():
        return run(python, script, *args, check=False)
    matrixkit = bin_path(ROOT / ".venv", "matrixkit")
    run(matrixkit, "tools")
    return run(matrixkit, "show", "pit-a", check=False)


def cmd_test(args: list[str]) -> int:
    python = dev_env()
    paths = ["tests"] + [str(p.relative_to(ROOT) / "tests") for p in PLUGINS if (p / "tests").is_dir()]
    return run(python, "-m", "pytest", *paths, *args, check=False)


def cmd_core_test(args: list[str]) -> int:
    python = ensure_env(
        ROOT / ".venv-core",
        ["-e", ".[testing,spreadsheets]", "-r", "requirements-dev.txt"],
        [ROOT / "pyproject.toml", ROOT / "requirements-dev.txt"],
    )
    return run(python, "-m", "pytest", "tests", "-m", "not needs_plugins", *args, check=False)


def cmd_lint(args: list[str]) -> int:
    python = dev_env()
    status = run(python, "-m", "ruff", "check", ".", check=False)
    status |= run(python, "-m", "ruff", "format", "--check", ".", check=False)
    status |= run(python, "-m", "mypy", "src", check=False)
    return status


def cmd_docs(args: list[str]) -> int:
    python = dev_env()
    return run(python, "-m", "mkdocs", "build", "--strict", *args, check=False)


def cmd_bench(args: list[str]) -> int:
    python = dev_env()
    return run(python, "benchmarks/run.py", *args, check=False)


def cmd_release_check(args: list[str]) -> int:
    python = ensure_env(ROOT / ".venv-release", ["-r", "requirements-release.txt"], [ROOT / "requirements-release.txt"])
    return run(python, "scripts/release_check.py", *args, check=False)


COMMANDS = {
    "example": cmd_example,
    "test": cmd_test,
    "core-test": cmd_core_test,
    "lint": cmd_lint,
    "docs": cmd_docs,
    "bench": cmd_bench,
    "release-check": cmd_release_check,
}


def main() -> int:
    if sys.version_info < (3, 11):  # noqa: UP036 - tasks.py may be started by an older python3
        print("matrixkit needs Python 3.11 or newer", file=sys.stderr)
        return 2
    if len(sys.argv) < 2 or sys.argv[1] not in COMMANDS:
        print(__doc__)
        return 2
    return COMMANDS[sys.argv[1]](sys.argv[2:])


if __name__ == "__main__":
    sys.exit(main())
