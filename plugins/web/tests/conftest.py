"""Fixtures of the web plugin's tests: databases (SQLite and a real PostgreSQL), the application, a live server.

PostgreSQL: the tests use ``MATRIXKIT_TEST_POSTGRES_URL`` when set; otherwise they start a throwaway server from
Debian's binaries (``/usr/lib/postgresql/*/bin``) in a temporary directory on 127.0.0.1, and stop it at the end.
Without PostgreSQL installed those tests are skipped with the reason — except under ``CI=true``, where a missing
database is a failure, never a skip. The same goes for the browser tests and ``/usr/bin/chromium``.
"""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import sys
import threading
import time
import uuid
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

warnings.filterwarnings("ignore", message=".*httpx2.*")

# The helpers shared by the test files (web_helpers.py): tests run with --import-mode=importlib, which does not
# put test directories on sys.path.
sys.path.insert(0, str(Path(__file__).resolve().parent))

from fastapi.testclient import TestClient  # noqa: E402
from matrixkit_web.app import create_app  # noqa: E402
from matrixkit_web.db import Database  # noqa: E402
from matrixkit_web.loadtest import ThrowawayPostgres, postgres_bindir  # noqa: E402
from web_helpers import settings_for  # noqa: E402

from matrixkit.registry import Registry, get_registry  # noqa: E402

IN_CI = os.environ.get("CI", "").lower() == "true"
ROOT = Path(__file__).resolve().parents[3]
ARTIFACTS = ROOT / "artifacts" / "web"


def pytest_configure(config: pytest.Config) -> None:
    for line in (
        "postgres: needs a PostgreSQL server (started from Debian's binaries when installed)",
        "browser: drives headless Chromium (/usr/bin/chromium) through Playwright",
        "slow: long-running tests",
    ):
        config.addinivalue_line("markers", line)


def unavailable(reason: str) -> None:
    """Skip with ``reason`` on a developer's machine; fail under CI, where everything must run."""
    if IN_CI:
        pytest.fail(f"{reason} (CI=true: required, not skipped)")
    pytest.skip(reason)


# -- PostgreSQL ----------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[str]:
    """The URL of a PostgreSQL server's maintenance database."""
    url = os.environ.get("MATRIXKIT_TEST_POSTGRES_URL")
    if url:
        yield url
        return
    bindir = postgres_bindir()
    if bindir is None:
        unavailable("PostgreSQL is not installed (apt-get install postgresql) and MATRIXKIT_TEST_POSTGRES_URL is unset")
    if os.geteuid() == 0 and (shutil.which("runuser") is None or not _has_user("postgres")):
        unavailable("running as root without a 'postgres' user to run PostgreSQL as")
    server = ThrowawayPostgres(str(bindir))
    try:
        url = server.start()
    except subprocess.CalledProcessError as exc:
        server.stop()
        unavailable(f"could not start PostgreSQL: {exc.stderr.decode(errors='replace')[-500:]}")
    try:
        yield url
    finally:
        server.stop()


def _has_user(name: str) -> bool:
    try:
        pwd.getpwnam(name)
    except KeyError:
        return False
    return True


@pytest.fixture
def postgres_url(postgres_server: str) -> Iterator[str]:
    """A fresh, empty database on the PostgreSQL server, dropped after the test."""
    import psycopg

    name = f"mk_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(postgres_server, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    base = postgres_server.rsplit("/", 1)[0]
    try:
        yield f"{base}/{name}"
    finally:
        with psycopg.connect(postgres_server, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A database URL: a SQLite file, then (second run of each test) a real PostgreSQL database."""
    if request.param == "sqlite":
        return str(tmp_path / "workshops.sqlite")
    url: str = request.getfixturevalue("postgres_url")
    return url


# -- the application -----------------------------------------------------------------------------


@pytest.fixture(scope="session")
def registry() -> Registry:
    """The installed plugins (the PIT tools give the instruments; the exporters plugin adds formats)."""
    reg = get_registry()
    if "pit-a" not in reg.instruments:
        unavailable("the web tests use instrument pit-a: install plugins/pit_tools")
    return reg


@pytest.fixture
def make_client(db_url: str, registry: Registry) -> Iterator[Callable[..., TestClient]]:
    """Open test clients on one application (one database); each client has its own cookies."""
    database = Database(db_url)
    app = create_app(settings_for(db_url), registry=registry, database=database)
    clients: list[TestClient] = []

    def make(**kwargs: Any) -> TestClient:
        client = TestClient(app, **kwargs)
        client.__enter__()
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.__exit__(None, None, None)
    database.dispose()


@pytest.fixture
def client(make_client: Callable[..., TestClient]) -> TestClient:
    return make_client()


# -- a live server (for the browser and the load test) ----------------------------------------------


class LiveServer:
    """uvicorn serving the application on 127.0.0.1 in a background thread."""

    def __init__(self, db_url: str, registry: Registry) -> None:
        import uvicorn

        self.port = _free_port()
        self.database = Database(db_url)
        settings = settings_for(db_url, refresh_seconds=2, public_url=f"http://127.0.0.1:{self.port}")
        app = create_app(settings, registry=registry, database=self.database)
        config = uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning", lifespan="on")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> LiveServer:
        self.thread.start()
        deadline = time.monotonic() + 30
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("the test server did not start")
            time.sleep(0.05)
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=30)
        self.database.dispose()


@pytest.fixture
def live_server(tmp_path: Path, registry: Registry) -> Iterator[LiveServer]:
    with LiveServer(str(tmp_path / "live.sqlite"), registry) as server:
        yield server


# -- helpers -------------------------------------------------------------------------------------


def _create_workshop(client: TestClient, **extra: Any) -> dict[str, Any]:
    body = {"instrument": "pit-a", "title": "Test workshop", **extra}
    response = client.post("/api/workshops", json=body)
    assert response.status_code == 201, response.text
    data: dict[str, Any] = response.json()
    return data


@pytest.fixture
def create_workshop() -> Callable[..., dict[str, Any]]:
    """``create_workshop(client, **fields)``: a workshop of pit-a made through the API (its JSON answer)."""
    return _create_workshop
