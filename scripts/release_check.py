#!/usr/bin/env python3
"""Build every distribution of the repository, check what each ships, install the wheels into a fresh virtual
environment and run a smoke workshop with them, far from the source tree.

    python3 tasks.py release-check               # what CI runs (build and twine come from .venv-release)
    python scripts/release_check.py --dist dist  # keep the built files in dist/
    python scripts/release_check.py --keep       # keep the temporary environment and workshop for a look

Steps, each failing loudly with what is wrong:

1. **Build** an sdist and a wheel of the core and of every plugin with ``python -m build`` (the wheel is built
   from the sdist, so a file missing from the sdist breaks the wheel too).
2. **Metadata**: ``twine check --strict`` on every file.
3. **Contents**: every file committed under a distribution's import package is in its wheel and its sdist
   (instrument files, templates, static files, migrations, the scaffold's templates, ``py.typed``); the licence
   files (and the PIT attribution, ``NOTICE``) are in both; a wheel holds nothing but its packages.
4. **Install** the wheels — not editable, with every extra named ``all`` — into a new virtual environment, from
   a temporary directory, and check that each package is imported from that environment.
5. **Smoke workshop**, run in another temporary directory with the ``matrixkit`` command of that environment:
   ``tools``; a blank sheet in every format the installed exporters list as able to render sheets (each must be
   available: the ``all`` extras are installed); three table collations pooled into the plenary, checked equal
   to collating every sheet at once; the workshop report in every format that renders reports; a new plugin
   with every part (``new-plugin --with ...``); and ``serve`` on a free port: create a workshop through the
   API, submit two responses, read the collation, stop the server.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tarfile
import tempfile
import time
import tomllib
import urllib.error
import urllib.request
import venv
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "pit-a-workshop" / "round-1"
PIT_TOOLS = ("pit-a", "pit-b", "pit-c", "pit-d")
#: Formats the smoke workshop needs at the least: the others come and go with the exporters plugin.
REQUIRED_SHEET_FORMATS = ("pdf", "xlsx")
#: Leading bytes of the binary formats, to tell a real file from text written under its extension.
MAGIC = {".pdf": b"%PDF-", ".xlsx": b"PK\x03\x04", ".docx": b"PK\x03\x04", ".png": b"\x89PNG", ".odt": b"PK\x03\x04"}


class ReleaseError(Exception):
    """A check failed; the message says what and where."""


def say(text: str) -> None:
    print(f"[release-check] {text}", flush=True)


# -- the distributions of the repository ------------------------------------------------------------------


@dataclass(frozen=True)
class Distribution:
    directory: Path
    name: str
    packages: tuple[str, ...]  # source folders of the import packages, relative to directory (src/matrixkit)
    license_files: tuple[str, ...]
    extras: frozenset[str]

    @property
    def stem(self) -> str:
        """The name as it starts wheel and sdist file names."""
        return self.name.replace("-", "_")


def distributions(root: Path = ROOT) -> list[Distribution]:
    """The core (the root's pyproject) and every plugin under plugins/."""
    found = []
    for project in [root / "pyproject.toml", *sorted((root / "plugins").glob("*/pyproject.toml"))]:
        data = tomllib.loads(project.read_text(encoding="utf-8"))
        meta = data["project"]
        packages = data["tool"]["hatch"]["build"]["targets"]["wheel"]["packages"]
        found.append(
            Distribution(
                directory=project.parent,
                name=meta["name"],
                packages=tuple(packages),
                license_files=tuple(meta.get("license-files", ())),
                extras=frozenset(meta.get("optional-dependencies", {})),
            )
        )
    return found


def package_files(dist: Distribution) -> list[str]:
    """Files of the distribution's import packages, relative to its directory (``src/matrixkit/x.py``): those
    committed to git, or every file but caches outside a git checkout."""
    result: list[str] = []
    for package in dist.packages:
        listed = subprocess.run(  # noqa: S603 - a fixed git command
            ["git", "ls-files", "-z", "--", package],  # noqa: S607 - git from PATH, as a developer runs it
            cwd=dist.directory,
            capture_output=True,
            check=False,
        )
        if listed.returncode == 0 and listed.stdout:
            result += [name for name in listed.stdout.decode().split("\0") if name]
            continue
        base = dist.directory / package
        result += [
            p.relative_to(dist.directory).as_posix()
            for p in base.rglob("*")
            if p.is_file() and "__pycache__" not in p.parts and p.suffix != ".pyc"
        ]
    return sorted(result)


# -- checking what was built ------------------------------------------------------------------------------


def _in_package(path: str, dist: Distribution) -> str:
    """``src/matrixkit/x.py`` → ``matrixkit/x.py`` (where it lands in the wheel)."""
    for package in dist.packages:
        if path == package or path.startswith(package + "/"):
            return Path(package).name + path[len(package) :]
    raise ValueError(path)


def check_wheel(wheel: Path, dist: Distribution, expected: Sequence[str]) -> list[str]:
    """Problems with a wheel: package files missing, licence files missing, anything outside the packages."""
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
    problems = []
    for path in expected:
        if _in_package(path, dist) not in names:
            problems.append(f"{wheel.name}: {path} is missing (not in the wheel's package data)")
    info = next((n.split("/", 1)[0] for n in names if n.split("/", 1)[0].endswith(".dist-info")), None)
    if info is None:
        return [*problems, f"{wheel.name}: no .dist-info folder"]
    for licence in dist.license_files:
        if f"{info}/licenses/{licence}" not in names:
            problems.append(f"{wheel.name}: licence file {licence} is missing from {info}/licenses/")
    tops = {Path(p).name for p in dist.packages} | {info}
    strays = sorted({n.split("/", 1)[0] for n in names} - tops)
    if strays:
        problems.append(f"{wheel.name}: holds {strays} besides its packages {sorted(tops - {info})}")
    return problems


def check_sdist(sdist: Path, dist: Distribution, expected: Sequence[str]) -> list[str]:
    """Problems with an sdist: package files, licence files, README or pyproject.toml missing."""
    with tarfile.open(sdist) as archive:
        names = {name.split("/", 1)[1] for name in archive.getnames() if "/" in name}
    wanted = [*expected, *dist.license_files, "pyproject.toml", "README.md", "PKG-INFO"]
    return [f"{sdist.name}: {path} is missing" for path in wanted if path not in names]


def build(dists: Sequence[Distribution], out: Path) -> None:
    for dist in dists:
        say(f"building {dist.name} ({dist.directory.relative_to(ROOT).as_posix() or '.'})")
        run([sys.executable, "-m", "build", "--outdir", str(out), str(dist.directory)], cwd=ROOT, quiet=True)


def built_files(dist: Distribution, out: Path) -> tuple[Path, Path]:
    wheels = sorted(out.glob(f"{dist.stem}-*-py3-none-any.whl"))
    sdists = sorted(out.glob(f"{dist.stem}-*.tar.gz"))
    if len(wheels) != 1 or len(sdists) != 1:
        raise ReleaseError(f"{out}: expected one wheel and one sdist of {dist.name}, found {wheels + sdists}")
    return wheels[0], sdists[0]


def check_contents(dists: Sequence[Distribution], out: Path) -> None:
    problems = []
    for dist in dists:
        wheel, sdist = built_files(dist, out)
        expected = package_files(dist)
        if not expected:
            problems.append(f"{dist.name}: no package files found under {dist.packages}")
        problems += check_wheel(wheel, dist, expected)
        problems += check_sdist(sdist, dist, expected)
        say(f"{wheel.name}: {len(expected)} package files and {len(dist.license_files)} licence file(s) present")
    if problems:
        raise ReleaseError("the built distributions are incomplete:\n  " + "\n  ".join(problems))


# -- running things ---------------------------------------------------------------------------------------


def clean_environment(home: Path) -> dict[str, str]:
    """The environment of a user with nothing of this checkout set: no PYTHONPATH, no MATRIXKIT_* variables, an
    empty configuration and cache directory."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "MATRIXKIT_", "VIRTUAL_ENV"))}
    env.update(XDG_CONFIG_HOME=str(home / "config"), XDG_CACHE_HOME=str(home / "cache"), COLUMNS="100")
    return env


def run(
    cmd: Sequence[str | Path], *, cwd: Path, env: dict[str, str] | None = None, quiet: bool = False, timeout: int = 900
) -> str:
    """Run a command; return what it printed; raise ReleaseError with its output when it fails."""
    shown = " ".join(str(c) for c in cmd)
    if not quiet:
        say(f"$ {shown}")
    done = subprocess.run(  # noqa: S603 - our own commands
        [str(c) for c in cmd], cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout, check=False
    )
    if done.returncode != 0:
        raise ReleaseError(f"`{shown}` failed ({done.returncode}) in {cwd}:\n{done.stdout}{done.stderr}")
    return done.stdout


def twine_check(out: Path) -> None:
    files = sorted(out.glob("*.whl")) + sorted(out.glob("*.tar.gz"))
    say(f"twine check --strict on {len(files)} files")
    run([sys.executable, "-m", "twine", "check", "--strict", *files], cwd=ROOT, quiet=True)


def install(dists: Sequence[Distribution], out: Path, where: Path, env: dict[str, str]) -> Path:
    """A new virtual environment with every wheel (and its ``all`` extra) installed; return its bin folder."""
    say(f"creating a virtual environment in {where}")
    venv.EnvBuilder(with_pip=True, clear=True).create(where)
    bin_dir = where / ("Scripts" if os.name == "nt" else "bin")
    wanted = []
    for dist in dists:
        wheel, _ = built_files(dist, out)
        wanted.append(f"{wheel}[all]" if "all" in dist.extras else str(wheel))
    run([bin_dir / "python", "-m", "pip", "install", "--quiet", *wanted], cwd=where.parent, env=env)
    return bin_dir


def check_installed_from(bin_dir: Path, dists: Sequence[Distribution], cwd: Path, env: dict[str, str]) -> None:
    """Each import package comes from the environment's site-packages, none from the source tree, none editable."""
    packages = [Path(p).name for d in dists for p in d.packages]
    script = (
        "import importlib, json, sys\n"
        f"mods = {{n: importlib.import_module(n).__file__ for n in {packages!r}}}\n"
        "print(json.dumps({'files': mods, 'path': sys.path, 'prefix': sys.prefix}))\n"
    )
    found = json.loads(run([bin_dir / "python", "-c", script], cwd=cwd, env=env, quiet=True))
    prefix = Path(found["prefix"]).resolve()
    for name, file in found["files"].items():
        path = Path(file).resolve()
        if not path.is_relative_to(prefix) or "site-packages" not in path.parts:
            raise ReleaseError(f"{name} is imported from {path}, not from the new environment's site-packages")
    on_path = [p for p in found["path"] if p and Path(p).resolve().is_relative_to(ROOT)]
    if on_path:
        raise ReleaseError(f"the source tree is on sys.path of the installed environment: {on_path}")
    for dist in dists:
        listed = run([bin_dir / "python", "-m", "pip", "show", "--files", dist.name], cwd=cwd, env=env, quiet=True)
        if "__editable__" in listed or ".pth" in listed:
            raise ReleaseError(f"{dist.name} was installed in editable mode")
    say(f"{', '.join(packages)} imported from {prefix}")


# -- the smoke workshop -----------------------------------------------------------------------------------


def _check_file(path: Path) -> None:
    if not path.is_file() or path.stat().st_size == 0:
        raise ReleaseError(f"{path.name} was not written")
    magic = MAGIC.get(path.suffix)
    if magic is not None and not path.read_bytes().startswith(magic):
        raise ReleaseError(f"{path.name} is not a {path.suffix} file (starts {path.read_bytes()[:8]!r})")
    if path.suffix == ".html" and b"<html" not in path.read_bytes()[:2000].lower():
        raise ReleaseError(f"{path.name} is not an HTML document")


def _formats(matrixkit: list[str | Path], cwd: Path, env: dict[str, str], kind: str) -> list[dict[str, object]]:
    listed = json.loads(run([*matrixkit, "formats", "--json"], cwd=cwd, env=env))
    able = [f for f in listed if kind in f["kinds"]]
    unavailable = [f"{f['name']} ({f['hint']})" for f in able if not f["available"]]
    if unavailable:
        raise ReleaseError(f"formats rendering {kind} are unavailable with every 'all' extra installed: {unavailable}")
    return able


def smoke_workshop(bin_dir: Path, work: Path, env: dict[str, str]) -> None:
    matrixkit: list[str | Path] = [bin_dir / "matrixkit"]
    work.mkdir(parents=True)
    for source in sorted(EXAMPLE.iterdir()):
        shutil.copy2(source, work / source.name)

    tools = run([*matrixkit, "tools"], cwd=work, env=env)
    missing = [t for t in PIT_TOOLS if t not in tools]
    if missing:
        raise ReleaseError(f"`matrixkit tools` does not list {missing}:\n{tools}")

    sheets = _formats(matrixkit, work, env, "sheet")
    names = [str(f["name"]) for f in sheets]
    absent = [n for n in REQUIRED_SHEET_FORMATS if n not in names]
    if absent:
        raise ReleaseError(f"no installed exporter writes blank sheets as {absent} (formats: {names})")
    for fmt in sheets:
        target = work / f"blank-sheet-{fmt['name']}{fmt['extension']}"
        run([*matrixkit, "sheet", "pit-a", "--format", str(fmt["name"]), "-o", target.name], cwd=work, env=env)
        _check_file(target)

    for table in ("table-1", "table-2", "table-3"):
        collate = ["collate", "pit-a", f"{table}.csv", "--by", "sector", "-o", f"{table}.json"]
        run([*matrixkit, *collate], cwd=work, env=env)
    pooled = ["table-1.json", "table-2.json", "table-3.json"]
    plenary = json.loads(run([*matrixkit, "collate", "pit-a", *pooled, "--by", "sector"], cwd=work, env=env))
    direct = ["table-1.csv", "table-2.csv", "table-3.csv"]
    at_once = json.loads(run([*matrixkit, "collate", "pit-a", *direct, "--by", "sector"], cwd=work, env=env))
    if plenary["responses"] != 18 or plenary["groups"] != {"civic": 6, "health": 6, "vcse": 6}:
        raise ReleaseError(f"the plenary has {plenary['responses']} responses in groups {plenary['groups']}")
    if [d["counts"] for d in plenary["domains"]] != [d["counts"] for d in at_once["domains"]]:
        raise ReleaseError("pooling the tables' collations differs from collating every sheet at once")

    for fmt in _formats(matrixkit, work, env, "report"):
        target = work / f"report-{fmt['name']}{fmt['extension']}"
        run([*matrixkit, "report", "workshop.toml", "--format", str(fmt["name"]), "-o", target.name], cwd=work, env=env)
        _check_file(target)

    plugin = work / "matrixkit-smoke-tools"
    parts = "instrument,exporter,rule,reader,command"
    run([*matrixkit, "new-plugin", plugin.name, "--with", parts], cwd=work, env=env)
    modules = ["plugin.py", "instruments/smoke-tools.toml", "exporter.py", "rule.py", "reader.py", "command.py"]
    tests = ["conftest.py", "test_instruments.py", "test_exporter.py", "test_rule.py", "test_reader.py"]
    wanted = [f"src/matrixkit_smoke_tools/{m}" for m in modules] + [f"tests/{t}" for t in [*tests, "test_command.py"]]
    for expected in ["pyproject.toml", "README.md", *wanted]:
        if not (plugin / expected).is_file():
            raise ReleaseError(f"new-plugin did not write {expected}")

    serve_smoke(matrixkit, work, env)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def http(
    method: str, url: str, body: object | None = None, token: str | None = None
) -> tuple[int, bytes, dict[str, str]]:
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, method=method)  # noqa: S310 - http://127.0.0.1 only
    if data is not None:
        request.add_header("Content-Type", "application/json")
    if token is not None:
        request.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
            return response.status, response.read(), dict(response.headers)
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read(), dict(exc.headers)


def serve_smoke(matrixkit: Sequence[str | Path], work: Path, env: dict[str, str]) -> None:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log = (work / "serve.log").open("w")
    say(f"$ matrixkit serve --port {port} --db smoke.sqlite")
    server = subprocess.Popen(  # noqa: S603
        [*map(str, matrixkit), "serve", "--port", str(port), "--db", "smoke.sqlite"],
        cwd=work,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 90
        while True:
            if server.poll() is not None:
                raise ReleaseError(f"matrixkit serve exited ({server.returncode}):\n{_log(work)}")
            try:
                status, _, _ = http("GET", f"{base}/api/instruments")
                if status == 200:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise ReleaseError(f"matrixkit serve did not answer within 90 s:\n{_log(work)}")
            time.sleep(0.3)
        for page in ("/", "/static/app.css"):
            status, content, _ = http("GET", base + page)
            if status != 200 or not content:
                raise ReleaseError(f"GET {page}: {status}")
        status, content, _ = http("POST", f"{base}/api/workshops", {"instrument": "pit-a", "title": "Release smoke"})
        if status != 201:
            raise ReleaseError(f"POST /api/workshops: {status} {content[:500]!r}")
        workshop = json.loads(content)
        shown = json.loads(run([*matrixkit, "show", "pit-a", "--format", "json"], cwd=work, env=env, quiet=True))
        domains = [d["key"] for d in shown["domains"]]
        for who, level in (("Ann", 1), ("Bob", 3)):
            answer = {"join_code": workshop["join_code"], "participant": who, "attributes": {"sector": "civic"}}
            answer["choices"] = dict.fromkeys(domains, level)
            status, content, _ = http("POST", f"{base}/api/workshops/{workshop['id']}/responses", answer)
            if status != 201:
                raise ReleaseError(f"POST responses ({who}): {status} {content[:500]!r}")
        url = f"{base}/api/workshops/{workshop['id']}/collation"
        status, content, _ = http("GET", url, token=workshop["facilitator_token"])
        if status != 200:
            raise ReleaseError(f"GET collation: {status} {content[:500]!r}")
        collation = json.loads(content)
        first = collation["domains"][0]["counts"]
        if collation["responses"] != 2 or first != {"emerging": 1, "developing": 0, "maturing": 1, "thriving": 0}:
            raise ReleaseError(f"the served collation is wrong: {collation['responses']} responses, counts {first}")
        say(f"serve: workshop created, 2 responses submitted, collation read ({base})")
    finally:
        server.send_signal(signal.SIGINT)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
            raise ReleaseError(f"matrixkit serve did not stop within 30 s of Ctrl+C:\n{_log(work)}") from None
        log.close()
    if server.returncode not in (0, -signal.SIGINT):
        raise ReleaseError(f"matrixkit serve stopped with status {server.returncode}:\n{_log(work)}")
    say("serve: stopped")


def _log(work: Path) -> str:
    path = work / "serve.log"
    return path.read_text(errors="replace")[-4000:] if path.is_file() else ""


# -- main -------------------------------------------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dist", type=Path, help="build into this folder (emptied first) and keep it")
    parser.add_argument("--keep", action="store_true", help="keep the temporary environment and workshop")
    args = parser.parse_args(argv)
    started = time.monotonic()
    temp = Path(tempfile.mkdtemp(prefix="matrixkit-release-"))
    try:
        out = args.dist.resolve() if args.dist else temp / "dist"
        if out.exists():
            shutil.rmtree(out)
        out.mkdir(parents=True)
        dists = distributions()
        build(dists, out)
        twine_check(out)
        check_contents(dists, out)
        home = temp / "home"
        home.mkdir()
        env = clean_environment(home)
        bin_dir = install(dists, out, temp / "venv", env)
        check_installed_from(bin_dir, dists, home, env)
        smoke_workshop(bin_dir, temp / "workshop", env)
    except ReleaseError as exc:
        print(f"[release-check] FAILED: {exc}", file=sys.stderr, flush=True)
        if args.keep:
            print(f"[release-check] kept {temp}", file=sys.stderr)
        return 1
    finally:
        if not args.keep:
            shutil.rmtree(temp, ignore_errors=True)
    say(f"passed in {time.monotonic() - started:.0f} s" + (f" (kept {temp})" if args.keep else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
