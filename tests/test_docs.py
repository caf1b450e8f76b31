"""The documentation: every example in docs/ runs, generated reference sections are current, every hook is
documented with an example, every page is in the site's navigation, and (slow) the site builds with warnings as
errors.

How a page's fenced blocks are treated (docs/contributing-docs.md says the same for authors):

- Each page runs in a fresh temporary directory, holding a copy of the repository's ``examples/``; its blocks
  run in order and share that directory (and, for Python blocks, one namespace).
- ```` ```python ```` — executed. A block titled ``Output`` right after it (```` ```text title="Output" ````)
  is what it must print (a line ``...`` matches any number of lines).
- ```` ```console ```` — a terminal session: each ``$ command`` line runs; the lines after it, up to the next
  ``$``, are what it must print (stdout and stderr; ``...`` as above). ```` ```sh ```` — commands only, each
  must succeed.
- A block titled with a relative path (```` ```toml title="tools/my-tool.toml" ````) is a file: it is written
  there for later blocks to use (a ``.py`` file is also compiled).
- Any other ```` ```toml ```` or ```` ```json ```` block must parse; other blocks are not code.

Commands run in-process: ``matrixkit …`` (and ``python -m matrixkit …``), with ``VAR=value`` prefixes,
``export VAR=value``, ``unset VAR``, ``cd``, ``mkdir -p`` and ``cat``; wildcards are expanded as a shell does.
``pip install`` is checked, not run: what it installs must be a distribution of this repository (with extras it
declares), an existing directory, or (``-r``) a requirements file of the repository — never PyPI's unrelated
``matrixkit``. ``python3 tasks.py JOB`` is checked: a job of tasks.py that .ci/run runs. A page marked
``<!-- docs-test: venv -->`` runs its commands in a shell inside a fresh virtual environment with matrixkit
installed (slow): there ``pip``, ``pipx`` and ``pytest`` run for real, and the names of this repository's
distributions resolve to wheels built from the checkout. Anything else is an error, so that no command in the
docs goes unchecked. The README runs too.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import tomllib
import venv
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
sys.path.insert(0, str(ROOT / "scripts"))

sys.path.insert(0, str(ROOT))

import gen_docs  # noqa: E402

PAGES = sorted(p for p in DOCS.rglob("*.md"))
#: Pages outside docs/ whose commands run too: the README people read first.
READMES = [ROOT / "README.md"]
PYTHON = {"python", "py", "python3"}
CONSOLE = {"console", "shell-session"}
SHELL = {"sh", "bash", "shell"}
VENV_MARK = "<!-- docs-test: venv -->"
#: Names on the package index that are not ours, and why a page must not tell anyone to install them.
UNRELATED = {
    "matrixkit": "'matrixkit' on PyPI is an unrelated project (synthetic matrix generation); "
    "this one is maturity-matrixkit",
}


def _page_id(page: Path) -> str:
    return page.relative_to(DOCS if page.is_relative_to(DOCS) else ROOT).as_posix()


# -- reading blocks -------------------------------------------------------------------------------------


@dataclass
class Block:
    lang: str
    title: str | None
    body: str
    line: int

    @property
    def is_file(self) -> bool:
        return self.title is not None and self.title != "Output"


_OPEN = re.compile(r"^(?P<indent>[ \t]*)(?P<fence>`{3,}|~{3,})[ \t]*(?P<info>[^`\n]*)$")


def read_blocks(text: str) -> list[Block]:
    """The fenced code blocks of a Markdown page, dedented (blocks may sit inside lists and admonitions).

    Generated sections are skipped: they show signatures and docstrings, and test_generated_sections_are_current
    checks them against the code.
    """
    found = []
    text = gen_docs.SECTION.sub(lambda m: m["begin"] + "\n" * m["body"].count("\n") + m["end"], text)
    lines = text.splitlines()
    i = 0
    while i < len(lines):
        opened = _OPEN.match(lines[i])
        if not opened:
            i += 1
            continue
        indent, fence, info = opened["indent"], opened["fence"], opened["info"].strip()
        body = []
        j = i + 1
        while j < len(lines):
            stripped = lines[j].strip()
            if stripped.startswith(fence[0] * len(fence)) and set(stripped) == {fence[0]}:
                break
            body.append(lines[j][len(indent) :] if lines[j].startswith(indent) else lines[j].lstrip())
            j += 1
        lang = info.split()[0].strip("{}.") if info else ""
        title = re.search(r'title="([^"]*)"', info)
        found.append(Block(lang, title[1] if title else None, "\n".join(body) + "\n", i + 1))
        i = j + 1
    return found


def matches(expected: str, actual: str) -> bool:
    """Whether ``actual`` matches ``expected``, where a line ``...`` stands for any number of lines and ``...``
    within a line for any text (a temporary path, a timing)."""
    want = [line.rstrip() for line in expected.strip("\n").splitlines()]
    got = [line.rstrip() for line in actual.strip("\n").splitlines()]

    def same(pattern: str, line: str) -> bool:
        if "..." not in pattern:
            return pattern == line
        return re.fullmatch(".*".join(re.escape(part) for part in pattern.split("...")), line) is not None

    def match(w: int, g: int) -> bool:
        if w == len(want):
            return g == len(got)
        if want[w] == "...":
            return any(match(w + 1, k) for k in range(g, len(got) + 1))
        return g < len(got) and same(want[w], got[g]) and match(w + 1, g + 1)

    return match(0, 0)


# -- running a page -------------------------------------------------------------------------------------


class DocsError(AssertionError):
    pass


class PageRunner:
    def __init__(
        self,
        page: Path,
        workdir: Path,
        monkeypatch: pytest.MonkeyPatch,
        venv_dir: Path | None,
        wheels: Path | None = None,
    ) -> None:
        self.page, self.workdir, self.monkeypatch, self.venv = page, workdir, monkeypatch, venv_dir
        self.wheels = wheels
        self.cwd = workdir
        self.namespace: dict[str, object] = {"__name__": "__docs__"}
        self.env: dict[str, str] = {}
        self.unset: set[str] = set()
        self.last_python: tuple[Block, str] | None = None

    def where(self, block: Block) -> str:
        return f"{_page_id(self.page)}:{block.line}"

    def run(self, blocks: list[Block]) -> None:
        for block in blocks:
            previous, self.last_python = self.last_python, None
            if block.title == "Output":
                if previous is None:
                    raise DocsError(f"{self.where(block)}: an Output block must follow a python block")
                source, printed = previous
                if not matches(block.body, printed):
                    raise DocsError(
                        f"{self.where(source)}: printed\n{printed}\nbut {self.where(block)} shows\n{block.body}"
                    )
            elif block.is_file:
                self.write_file(block)
            elif block.lang in PYTHON:
                self.last_python = (block, self.python(block))
            elif block.lang in CONSOLE:
                self.console(block)
            elif block.lang in SHELL:
                for line in _logical_lines(block.body):
                    if line.strip() and not line.strip().startswith("#"):
                        status, output = self.command(line, block)
                        if status != 0:
                            raise DocsError(f"{self.where(block)}: `{line}` failed ({status}):\n{output}")
            elif block.lang == "toml":
                try:
                    tomllib.loads(block.body)
                except tomllib.TOMLDecodeError as exc:
                    raise DocsError(f"{self.where(block)}: not valid TOML: {exc}") from exc
            elif block.lang == "json":
                try:
                    json.loads(block.body)
                except json.JSONDecodeError as exc:
                    raise DocsError(f"{self.where(block)}: not valid JSON: {exc}") from exc

    def write_file(self, block: Block) -> None:
        assert block.title is not None
        relative = Path(block.title)
        if relative.is_absolute() or ".." in relative.parts:
            raise DocsError(f"{self.where(block)}: a file block's title must be a relative path: {block.title}")
        target = self.cwd / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(block.body, encoding="utf-8")
        if target.suffix == ".py":
            compile(block.body, str(target), "exec")

    def python(self, block: Block) -> str:
        if self.venv is not None:
            raise DocsError(f"{self.where(block)}: python blocks cannot run on a venv page")
        out = io.StringIO()
        self.monkeypatch.chdir(self.cwd)
        self.monkeypatch.syspath_prepend(str(self.cwd))
        from matrixkit.registry import reset_registry

        reset_registry()
        try:
            with contextlib.redirect_stdout(out):
                exec(compile(block.body, self.where(block), "exec"), self.namespace)
        except Exception as exc:
            raise DocsError(f"{self.where(block)}: {type(exc).__name__}: {exc}\n{out.getvalue()}") from exc
        return out.getvalue()

    def console(self, block: Block) -> None:
        session: list[tuple[str, list[str]]] = []
        for line in _logical_lines(block.body):
            if line.startswith("$ "):
                session.append((line[2:], []))
            elif session:
                session[-1][1].append(line)
            elif line.strip():
                raise DocsError(f"{self.where(block)}: output before the first '$ ' command: {line!r}")
        for command, expected_lines in session:
            status, output = self.command(command, block)
            expected = "\n".join(expected_lines)
            if expected.strip():
                if not matches(expected, output):
                    raise DocsError(f"{self.where(block)}: `{command}` printed\n{output}\nnot\n{expected}")
            elif status != 0:
                raise DocsError(f"{self.where(block)}: `{command}` failed ({status}):\n{output}")

    def command(self, line: str, block: Block) -> tuple[int, str]:
        if self.venv is not None:
            return self.shell(line, block)
        words = shlex.split(line, comments=True)
        env = {}
        while words and re.match(r"^[A-Za-z_][A-Za-z0-9_]*=", words[0]):
            name, _, value = words.pop(0).partition("=")
            env[name] = value
        if not words:
            raise DocsError(f"{self.where(block)}: nothing to run in `{line}`")
        program, args = words[0], self.expand(words[1:])
        if program == "python" and args[:2] == ["-m", "matrixkit"]:
            program, args = "matrixkit", args[2:]
        if program == "matrixkit":
            return self.matrixkit(args, env)
        if program in PYTHON and args[:1] == ["tasks.py"]:
            self.check_task(args[1:], block)
            return 0, ""
        if program == "cd" and len(args) == 1:
            target = (self.cwd / args[0]).resolve()
            if not target.is_dir():
                raise DocsError(f"{self.where(block)}: cd {args[0]}: no such directory")
            self.cwd = target
            return 0, ""
        if program == "export" and args and all("=" in a for a in args):
            for assignment in args:
                name, _, value = assignment.partition("=")
                self.env[name] = value
                self.unset.discard(name)
            return 0, ""
        if program == "unset" and args:
            for name in args:
                self.env[name] = ""
                self.unset.add(name)
            return 0, ""
        if program == "mkdir" and args[:1] == ["-p"]:
            for name in args[1:]:
                (self.cwd / name).mkdir(parents=True, exist_ok=True)
            return 0, ""
        if program == "cat" and len(args) == 1:
            return 0, (self.cwd / args[0]).read_text(encoding="utf-8")
        if program == "pip" and args[:1] == ["install"]:
            self.check_pip(args[1:], block)
            return 0, ""
        raise DocsError(
            f"{self.where(block)}: `{line}` cannot run in the docs tests (only matrixkit, cd, export, unset, mkdir -p "
            f"and cat; pages marked {VENV_MARK} run any command)"
        )

    def expand(self, words: list[str]) -> list[str]:
        """Words with wildcards expanded against the working directory, as a shell does (left as they are when
        nothing matches)."""
        expanded = []
        for word in words:
            if any(c in word for c in "*?["):
                found = sorted(str(p.relative_to(self.cwd)) for p in self.cwd.glob(word))
                expanded += found or [word]
            else:
                expanded.append(word)
        return expanded

    def check_task(self, args: list[str], block: Block) -> None:
        """``python3 tasks.py JOB`` is checked, not run (it sets up environments and runs whole suites): JOB must
        be a job of tasks.py, and .ci/run must run it, so that CI runs what the page tells people to run."""
        import tasks

        if not args or args[0] not in tasks.COMMANDS:
            raise DocsError(f"{self.where(block)}: tasks.py has no job {args[:1]} (jobs: {', '.join(tasks.COMMANDS)})")
        ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
        if not re.search(rf"^python3 tasks\.py {re.escape(args[0])}\b", ci, re.MULTILINE):
            raise DocsError(f"{self.where(block)}: .ci/run does not run `python3 tasks.py {args[0]}`")

    def check_pip(self, args: list[str], block: Block) -> None:
        """``pip install`` is not run outside venv pages; what it names must be a distribution of this
        repository (with extras it declares) or an existing directory."""
        distributions = _repo_distributions()
        for option, arg in zip(["", *args], args, strict=False):
            if option in ("-r", "--requirement"):
                if not (ROOT / arg).is_file():
                    raise DocsError(f"{self.where(block)}: pip install -r {arg}: no such file in the repository")
                continue
            if arg.startswith("-"):
                continue
            found = re.fullmatch(r"([A-Za-z0-9._-]+)(?:\[([A-Za-z0-9_,-]+)\])?(?:[<>=!~].*)?", arg)
            if found and found[1] in distributions:
                unknown = set((found[2] or "").split(",")) - {""} - distributions[found[1]]
                if unknown:
                    raise DocsError(f"{self.where(block)}: {found[1]} has no extra {sorted(unknown)}")
            elif found and found[1].lower() in UNRELATED:
                raise DocsError(f"{self.where(block)}: pip install {arg}: {UNRELATED[found[1].lower()]}")
            elif not (self.cwd / arg.split("[")[0]).is_dir():
                raise DocsError(f"{self.where(block)}: pip install {arg}: not a distribution of this repository")

    def matrixkit(self, args: list[str], env: dict[str, str]) -> tuple[int, str]:
        from matrixkit.cli import Context, main
        from matrixkit.registry import reset_registry

        with self.monkeypatch.context() as patch:
            patch.chdir(self.cwd)
            for name, value in {**self.env, **env}.items():
                if name in self.unset and name not in env:
                    patch.delenv(name, raising=False)
                else:
                    patch.setenv(name, value)
            reset_registry()
            out = io.StringIO()
            try:
                status = main(args, context=Context(stdout=out, stderr=out))
            except SystemExit as exc:
                status = exc.code if isinstance(exc.code, int) else 1
            finally:
                reset_registry()
        return status, out.getvalue()

    def shell(self, line: str, block: Block) -> tuple[int, str]:
        assert self.venv is not None
        words = shlex.split(line, comments=True)
        if words[:1] in (["python3"], ["python"]) and words[1:2] == ["tasks.py"]:
            self.check_task(words[2:], block)
            return 0, ""
        for start, word in enumerate(words):
            # What pip or pipx installs must be ours, even where it really runs (`.../bin/pip install -q X`).
            installs = {"pip": ["install"], "pip3": ["install"], "pipx": ["install", "inject"]}
            if words[start + 1 : start + 2] and words[start + 1] in installs.get(Path(word).name, []):
                rest = words[start + 2 :]
                ends = [i for i, w in enumerate(rest) if w in ("&&", "||", ";", "|")]
                self.check_pip(rest[: ends[0]] if ends else rest, block)
        if words[:1] == ["cd"] and len(words) == 2:
            self.cwd = (self.cwd / words[1]).resolve()
            return 0, ""
        if words[:1] == ["export"]:
            for assignment in words[1:]:
                name, _, value = assignment.partition("=")
                self.env[name] = value
                self.unset.discard(name)
            return 0, ""
        if words[:1] == ["unset"]:
            self.unset.update(words[1:])
            return 0, ""
        bin_dir = self.venv / ("Scripts" if os.name == "nt" else "bin")
        env = {k: v for k, v in os.environ.items() if not k.startswith(("MATRIXKIT_", "PYTHON", "VIRTUAL_ENV"))}
        env.update(self.env)
        for name in self.unset:
            env.pop(name, None)
        env.update(PATH=f"{bin_dir}{os.pathsep}{env.get('PATH', '')}", VIRTUAL_ENV=str(self.venv), COLUMNS="100")
        env["XDG_CONFIG_HOME"] = str(self.workdir / ".config")
        env["XDG_CACHE_HOME"] = str(self.workdir / ".cache")
        # A home of its own (pages may write to ~), pipx's folders in it, and this checkout's distributions found
        # by name: `pip install maturity-matrixkit` runs as written and installs what this checkout builds.
        env["HOME"] = str(self.workdir / "home")
        env["PIPX_HOME"] = str(self.workdir / "home" / ".local" / "pipx")
        env["PIPX_BIN_DIR"] = str(self.workdir / "home" / ".local" / "bin")
        env["PATH"] = f"{env['PIPX_BIN_DIR']}{os.pathsep}{env['PATH']}"
        env["PIP_FIND_LINKS"] = " ".join(filter(None, [str(self.wheels), os.environ.get("PIP_FIND_LINKS", "")]))
        done = subprocess.run(
            ["bash", "-c", line], cwd=self.cwd, env=env, capture_output=True, text=True, timeout=900, check=False
        )
        return done.returncode, done.stdout + done.stderr


def _repo_distributions() -> dict[str, set[str]]:
    """Distribution name → extras, for the core and every plugin of the repository."""
    found = {}
    for project in [ROOT / "pyproject.toml", *sorted((ROOT / "plugins").glob("*/pyproject.toml"))]:
        data = tomllib.loads(project.read_text(encoding="utf-8"))["project"]
        found[data["name"]] = set(data.get("optional-dependencies", {}))
    return found


def _logical_lines(body: str) -> Iterator[str]:
    pending = ""
    for line in body.splitlines():
        if line.rstrip().endswith("\\"):
            pending += line.rstrip()[:-1] + " "
            continue
        yield pending + line
        pending = ""
    if pending:
        yield pending


def _prepare(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    workdir = tmp_path / "work"
    workdir.mkdir()
    if (ROOT / "examples").is_dir():
        shutil.copytree(ROOT / "examples", workdir / "examples", ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setenv("COLUMNS", "100")
    return workdir


def _needs_venv(page: Path) -> bool:
    """Whether the page starts a line with the venv marker (mentioning it in a sentence does not count)."""
    return re.search(rf"^{re.escape(VENV_MARK)}\s*$", page.read_text(encoding="utf-8"), re.MULTILINE) is not None


FAST_PAGES = [p for p in PAGES + READMES if not _needs_venv(p)]
VENV_PAGES = [p for p in PAGES + READMES if _needs_venv(p)]

#: Pages whose examples do not follow the conventions above yet, and why. Each is expected to fail (strictly):
#: a page fixed but still listed here fails too, so the list only shrinks.
PENDING: dict[str, str] = {}


def _page_params(pages: list[Path]) -> list[object]:
    params = []
    for page in pages:
        reason = PENDING.get(_page_id(page))
        marks = [pytest.mark.xfail(strict=True, raises=DocsError, reason=reason)] if reason else []
        params.append(pytest.param(page, marks=marks, id=_page_id(page)))
    return params


@pytest.mark.needs_plugins
@pytest.mark.parametrize("page", _page_params(FAST_PAGES))
def test_examples_run(page: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    workdir = _prepare(tmp_path, monkeypatch)
    try:
        PageRunner(page, workdir, monkeypatch, None).run(read_blocks(page.read_text(encoding="utf-8")))
    finally:
        # Modules a page wrote and imported (its plugin, its tests) must not leak into the next page.
        for name, module in list(sys.modules.items()):
            if str(getattr(module, "__file__", None) or "").startswith(str(workdir)):
                del sys.modules[name]


@pytest.fixture(scope="session")
def checkout_wheels(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Wheels of the core and every plugin, built from this checkout: venv pages install them by name."""
    wheels = tmp_path_factory.mktemp("wheels")
    projects = [ROOT, *sorted(p.parent for p in (ROOT / "plugins").glob("*/pyproject.toml"))]
    command = [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--wheel-dir", str(wheels), *projects]
    subprocess.run(command, check=True, timeout=900, capture_output=True)
    return wheels


@pytest.mark.slow
@pytest.mark.needs_plugins  # the pages install the repository's plugins (built from the checkout) and use them
@pytest.mark.parametrize("page", _page_params(VENV_PAGES))
def test_examples_run_in_a_fresh_environment(
    page: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, checkout_wheels: Path
) -> None:
    workdir = _prepare(tmp_path, monkeypatch)
    (workdir / "home").mkdir()
    env_dir = tmp_path / "venv"
    venv.EnvBuilder(with_pip=True).create(env_dir)
    python = env_dir / ("Scripts" if os.name == "nt" else "bin") / "python"
    wanted = ["maturity-matrixkit[testing]"]
    text = page.read_text(encoding="utf-8")
    if re.search(r"^\s*(\$ )?pipx ", text, re.MULTILINE):
        wanted.append("pipx")  # a page that shows pipx runs it
    pip = [python, "-m", "pip", "install", "--quiet", "--find-links", checkout_wheels, *wanted]
    subprocess.run(pip, check=True, timeout=900, cwd=tmp_path)
    PageRunner(page, workdir, monkeypatch, env_dir, checkout_wheels).run(read_blocks(text))


# -- the runner itself ----------------------------------------------------------------------------------


def test_runner_reads_fences_titles_and_indented_blocks() -> None:
    text = (
        '# Page\n\n```python\nprint(1)\n```\n\n!!! note\n\n    ```toml title="a/b.toml"\n    x = 1\n    ```\n'
        "\n````markdown\n```python\nnot a block\n```\n````\n"
    )
    blocks = read_blocks(text)
    assert [(b.lang, b.title, b.body, b.line) for b in blocks] == [
        ("python", None, "print(1)\n", 3),
        ("toml", "a/b.toml", "x = 1\n", 9),
        ("markdown", None, "```python\nnot a block\n```\n", 13),
    ]


def test_runner_expands_wildcards_as_a_shell_does(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("table-2.json", "table-1.json", "notes.txt"):
        (tmp_path / name).write_text("{}")
    runner = PageRunner(DOCS / "index.md", tmp_path, monkeypatch, None)
    assert runner.expand(["collate", "table-*.json", "none-*.csv"]) == [
        "collate",
        "table-1.json",
        "table-2.json",
        "none-*.csv",  # no match: left as written, as bash leaves it
    ]


def test_runner_matches_with_ellipsis() -> None:
    assert matches("a\n...\nd", "a\nb\nc\nd\n")
    assert matches("a\n...", "a")
    assert not matches("a\n...\nd", "a\nb\nc")
    assert not matches("a\nb", "a\nc")
    assert matches("skipped .../bad.toml: syntax", "skipped /tmp/x/bad.toml: syntax")
    assert not matches("skipped .../bad.toml", "skipped /tmp/x/good.toml")


def test_runner_catches_wrong_output_and_unknown_commands(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    page = DOCS / "index.md"
    wrong = read_blocks('```python\nprint("yes")\n```\n\n```text title="Output"\nno\n```\n')
    with pytest.raises(DocsError, match="printed"):
        PageRunner(page, tmp_path, monkeypatch, None).run(wrong)
    with pytest.raises(DocsError, match="cannot run in the docs tests"):
        PageRunner(page, tmp_path, monkeypatch, None).run(read_blocks("```console\n$ rm -rf /\n```\n"))
    with pytest.raises(DocsError, match="has no extra"):
        nope = read_blocks("```sh\npip install 'maturity-matrixkit[nope]'\n```\n")
        PageRunner(page, tmp_path, monkeypatch, None).run(nope)
    with pytest.raises(DocsError, match="no such file in the repository"):
        PageRunner(page, tmp_path, monkeypatch, None).run(read_blocks("```sh\npip install -r nothing.txt\n```\n"))
    with pytest.raises(DocsError, match="not a distribution of this repository"):
        PageRunner(page, tmp_path, monkeypatch, None).run(read_blocks("```sh\npip install requests\n```\n"))
    PageRunner(page, tmp_path, monkeypatch, None).run(
        read_blocks("```sh\npip install -U 'maturity-matrixkit-exporters[pdf]'\n```\n")
    )
    with pytest.raises(DocsError, match="unrelated project"):
        PageRunner(page, tmp_path, monkeypatch, None).run(read_blocks("```sh\npip install matrixkit\n```\n"))
    with pytest.raises(DocsError, match=r"tasks\.py has no job"):
        PageRunner(page, tmp_path, monkeypatch, None).run(read_blocks("```sh\npython3 tasks.py deploy\n```\n"))
    with pytest.raises(DocsError, match=r"\.ci/run does not run"):
        PageRunner(page, tmp_path, monkeypatch, None).run(read_blocks("```sh\npython3 tasks.py bench\n```\n"))
    PageRunner(page, tmp_path, monkeypatch, None).run(read_blocks("```sh\npython3 tasks.py test\n```\n"))
    with pytest.raises(DocsError, match="not valid TOML"):
        PageRunner(page, tmp_path, monkeypatch, None).run(read_blocks("```toml\nx = = 1\n```\n"))
    failing = read_blocks("```sh\nmatrixkit show no-such-instrument\n```\n")
    with pytest.raises(DocsError, match="failed"):
        PageRunner(page, tmp_path, monkeypatch, None).run(failing)


# -- generated reference sections --------------------------------------------------------------------------


def _sections() -> list[tuple[Path, str]]:
    return [(page, spec) for page in gen_docs.pages() for spec in gen_docs.sections(page.read_text(encoding="utf-8"))]


def _section_params() -> list[object]:
    params = []
    for page, spec in _sections():
        marks = [pytest.mark.needs_plugins] if spec.split()[0] == "cli" else []
        params.append(pytest.param(page, spec, marks=marks, id=f"{_page_id(page)}:{spec}"))
    return params


@pytest.mark.parametrize(("page", "spec"), _section_params())
def test_generated_sections_are_current(page: Path, spec: str) -> None:
    text = page.read_text(encoding="utf-8")
    body = next(m["body"] for m in gen_docs.SECTION.finditer(text) if m["spec"].strip() == spec)
    assert body == "\n" + gen_docs.render(spec).rstrip("\n") + "\n\n", (
        f"{_page_id(page)}: the generated section '{spec}' is stale; run: python scripts/gen_docs.py"
    )


def test_every_hook_is_documented_with_an_example() -> None:
    import inspect

    from matrixkit import hookspecs

    page = (DOCS / "reference" / "hooks.md").read_text(encoding="utf-8")
    names = gen_docs.hook_names()
    assert names, "no hooks found in matrixkit.hookspecs"
    for name in names:
        function = getattr(hookspecs, name)
        parts = gen_docs.parse_hook_docstring(function.__doc__ or "")
        assert parts["summary"], f"{name}: no docstring"
        for param in inspect.signature(function).parameters:
            assert parts["params"].get(param), f"{name}: parameter {param!r} is not documented (:param {param}:)"
        assert parts["returns"], f"{name}: its return is not documented (:returns:)"
        assert any("Since" in p for p in parts["description"]), f"{name}: no 'Since <version>'"
        assert f"<!-- BEGIN generated: hook {name} -->" in page, f"{name} has no section in docs/reference/hooks.md"
        after = page.split(f"<!-- BEGIN generated: hook {name} -->", 1)[1].split("<!-- END generated -->", 1)[1]
        section = after.split("\n## ", 1)[0]
        assert any(b.lang in PYTHON for b in read_blocks(section)), f"{name}: no python example after its section"


def test_every_cli_command_is_on_the_cli_page() -> None:
    from matrixkit.config import Config
    from matrixkit.registry import Registry

    page = (DOCS / "reference" / "cli.md").read_text(encoding="utf-8")
    for name in Registry.for_plugins(config=Config()).commands:
        assert f"### `matrixkit {name}`" in page, f"the core command {name!r} is missing from docs/reference/cli.md"


def test_every_public_name_is_on_the_api_page() -> None:
    """docs/reference/api.md has a generated section (signature and docstring) for each name in matrixkit.__all__."""
    page = (DOCS / "reference" / "api.md").read_text(encoding="utf-8")
    documented = [spec.split()[1] for spec in gen_docs.sections(page) if spec.startswith("api ")]
    assert sorted(documented) == sorted(set(documented)), "a public name has two sections on the API page"
    missing = sorted(set(gen_docs.public_names()) - set(documented))
    assert not missing, f"public names without a section on docs/reference/api.md: {missing}"
    assert "`matrixkit.__version__`" in page


def test_the_api_generator_renders_signatures_docstrings_and_fields() -> None:
    tally = gen_docs.render("api Tally merge answered")
    assert "class Tally(counts: Iterable[int], missing: int = 0)" in tally
    assert "| `missing` | `int` |" in tally
    assert "Tally.merge(other: Tally) -> Tally" in tally and "*property*" in tally
    with pytest.raises(KeyError, match=r"not in matrixkit\.__all__"):
        gen_docs.render("api format")
    with pytest.raises(KeyError, match="no member"):
        gen_docs.render("api Tally no_such_member")
    markdown = gen_docs.docstring_to_markdown(
        "Do it.\n\nExample::\n\n    do(1)\n\n:param x: the thing\n    on two lines\n:returns: nothing"
    )
    expected = "Do it.\n\nExample:\n\n```python\ndo(1)\n```\n\n- `x`: the thing on two lines\n- returns: nothing"
    assert markdown == expected


def test_every_instrument_format_table_is_on_the_format_page() -> None:
    from matrixkit.schema import instrument_schema

    page = (DOCS / "reference" / "instrument-format.md").read_text(encoding="utf-8")
    wanted = set(instrument_schema()["$defs"]) - {"Instrument", "VariantSpec"}
    present = {spec.split()[1] for spec in gen_docs.sections(page) if spec.startswith("fields ")}
    assert wanted <= present, f"tables missing from docs/reference/instrument-format.md: {sorted(wanted - present)}"


# -- the names people install ---------------------------------------------------------------------------


def _tracked_text_files() -> list[Path]:
    listed = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=False)
    if listed.returncode != 0:
        pytest.skip("not a git checkout")
    suffixes = {".md", ".py", ".toml", ".tmpl", ".html", ".j2", ".typ", ".txt", ".sh", ".yml", ""}
    files = [ROOT / name for name in listed.stdout.decode().split("\0") if name]
    return [f for f in files if f.suffix in suffixes and f.is_file() and f.name != "CHANGELOG.md"]


def test_no_one_is_told_to_install_the_unrelated_matrixkit() -> None:
    """PyPI's 'matrixkit' is another project: no file says to install it, except to warn ("never ...")."""
    install = re.compile(
        r"(?i)(never\W+)?\bpip[x3]? install(?:\s+(?!#)[^\s#`]+){0,8}?\s+[\"']?matrixkit(?:\[[\w,]*\])?[\"']?(?=[\s`]|$)"
    )
    found = []
    for path in _tracked_text_files():
        for number, line in enumerate(path.read_text(encoding="utf-8", errors="replace").splitlines(), 1):
            found += [f"{path.relative_to(ROOT)}:{number}: {line.strip()}" for m in install.finditer(line) if not m[1]]
    assert not found, "install maturity-matrixkit, never matrixkit:\n" + "\n".join(found)


def test_no_file_names_the_old_distribution_names() -> None:
    """The plugins' distributions are maturity-matrixkit-*; the changelog alone tells of the old names (and
    tasks.py, which uninstalls them from development environments made before the rename)."""
    old = re.compile(r"(?<![-\w])matrixkit-(?:pit-tools|exporters|web)(?![-\w])")
    found = [
        f"{path.relative_to(ROOT)}:{number}: {line.strip()}"
        for path in _tracked_text_files()
        if path != ROOT / "tasks.py"
        for number, line in enumerate(path.read_text(encoding="utf-8", errors="replace").splitlines(), 1)
        if old.search(line)
    ]
    assert not found, "old distribution names:\n" + "\n".join(found)


# -- the site --------------------------------------------------------------------------------------------


def _nav_pages(nav: object) -> Iterator[str]:
    if isinstance(nav, str):
        yield nav
    elif isinstance(nav, list):
        for item in nav:
            yield from _nav_pages(item)
    elif isinstance(nav, dict):
        for value in nav.values():
            yield from _nav_pages(value)


def test_every_page_is_in_the_navigation() -> None:
    yaml = pytest.importorskip("yaml")
    config = yaml.load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"), Loader=yaml.BaseLoader)
    in_nav = set(_nav_pages(config["nav"]))
    on_disk = {_page_id(p) for p in PAGES}
    assert on_disk - in_nav == set(), f"pages not in the nav of mkdocs.yml: {sorted(on_disk - in_nav)}"
    assert in_nav - on_disk == set(), f"nav entries of mkdocs.yml without a page: {sorted(in_nav - on_disk)}"


def test_the_site_builds_without_warnings(tmp_path: Path) -> None:
    pytest.importorskip("mkdocs")
    done = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(tmp_path / "site")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert (tmp_path / "site" / "reference" / "hooks" / "index.html").is_file()
