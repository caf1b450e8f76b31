"""``matrixkit serve``: registered by the plugin, light to load, clear about bad options."""

from __future__ import annotations

import io
import subprocess
import sys

from matrixkit.cli import Context, main
from matrixkit.registry import Registry


def run(registry: Registry, *args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    status = main(list(args), context=Context(registry=registry, stdout=out, stderr=err))
    return status, out.getvalue(), err.getvalue()


def test_serve_is_a_command(registry: Registry, capsys: object) -> None:
    assert "serve" in registry.commands
    assert registry.commands["serve"].plugin.distribution == "maturity-matrixkit-web"
    result = subprocess.run(
        [sys.executable, "-m", "matrixkit", "serve", "--help"], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0
    for option in ("--host", "--port", "--db PATH_OR_URL"):
        assert option in result.stdout
    assert "127.0.0.1" in result.stdout


def test_the_plugin_module_imports_no_web_stack() -> None:
    code = (
        "import sys, matrixkit_web.plugin\n"
        "from matrixkit.registry import get_registry\n"
        "get_registry().commands\n"
        "names = ('fastapi', 'starlette', 'sqlalchemy', 'uvicorn', 'jinja2', 'alembic')\n"
        "heavy = [m for m in names if m in sys.modules]\n"
        "print(heavy)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"


def test_bad_options_are_reported_without_a_traceback(registry: Registry, tmp_path: object) -> None:
    status, _, err = run(registry, "serve", "--port", "0", "--db", f"{tmp_path}/x.sqlite")
    assert status == 1
    assert "--port 0" in err
    status, _, err = run(registry, "serve", "--db", "sqlite://")
    assert status == 1 and "in-memory" in err
    status, _, err = run(registry, "serve", "--db", "postgresql://nobody@127.0.0.1:1/none")
    assert status == 1
    assert "cannot open the database" in err
    assert "Traceback" not in err
