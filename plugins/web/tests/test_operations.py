"""Running it for a programme: many workers, many servers on one database, kill -9 mid-burst, backups, options.

These start real ``matrixkit serve`` processes on 127.0.0.1 (:class:`matrixkit_web.loadtest.Server`), on SQLite
and on a real PostgreSQL.
"""

from __future__ import annotations

import asyncio
import io
import re
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx
import pytest
from matrixkit_web.loadtest import Server

from matrixkit.cli import Context, main
from matrixkit.registry import Registry

pytestmark = pytest.mark.slow

CSRF = re.compile(r'name="csrf_token" value="([0-9a-f]{64})"')


def run(registry: Registry, *args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    status = main(list(args), context=Context(registry=registry, stdout=out, stderr=err))
    return status, out.getvalue(), err.getvalue()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def fresh_db(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return str(tmp_path / "fresh.sqlite")
    url: str = request.getfixturevalue("postgres_url")
    return url


def _create(base: str) -> dict[str, Any]:
    response = httpx.post(f"{base}/api/workshops", json={"instrument": "pit-a", "title": "Programme"}, timeout=30)
    assert response.status_code == 201, response.text
    data: dict[str, Any] = response.json()
    return data


def _collation(base: str, w: dict[str, Any]) -> dict[str, Any]:
    response = httpx.get(
        f"{base}/api/workshops/{w['id']}/collation",
        headers={"Authorization": f"Bearer {w['facilitator_token']}"},
        timeout=30,
    )
    assert response.status_code == 200, response.text
    data: dict[str, Any] = response.json()
    return data


def test_two_workers_start_together_on_a_fresh_database(fresh_db: str) -> None:
    """The finding: with two workers on a fresh PostgreSQL database both migrated and one died
    (UniqueViolation on alembic_version). Here the database is migrated by the workers alone: the command's own
    check before starting is what a second *server* would race against, so two servers start at once too."""
    first = Server(fresh_db, workers=2)
    second = Server(fresh_db, workers=2)
    import threading

    errors: list[BaseException] = []

    def start(server: Server) -> None:
        try:
            server.start()
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=start, args=(s,)) for s in (first, second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    try:
        assert not errors, errors
        w = _create(first.url)
        # Every worker of both servers answers, with the whole catalogue.
        for _ in range(12):
            for server in (first, second):
                assert httpx.get(f"{server.url}/api/instruments", timeout=30).json()[0]["id"]
        assert _collation(second.url, w)["responses"] == 0
        for server in (first, second):
            log = server.output()
            assert log.count("Application startup complete") == 2, log
            assert "Traceback" not in log and "UniqueViolation" not in log and "ERROR" not in log, log
    finally:
        for server in (first, second):
            server.stop()
            server.log.close()


@pytest.mark.postgres
def test_two_servers_on_one_postgresql_database_share_a_workshop(postgres_url: str) -> None:
    """No server-local state: participants split across two servers (each request of a browser to either one),
    sessions, CSRF tokens, rate limits and the live dashboard shared through the database."""
    a = Server(postgres_url, options=["--limit-failed", "4 per minute"])
    b = Server(postgres_url, options=["--limit-failed", "4 per minute"])
    a.start()
    b.start()
    servers = (a, b)
    try:
        # The facilitator creates the workshop on A and reads the dashboard on B (one session cookie).
        facilitator = httpx.Client(timeout=30)
        page = facilitator.get(f"{a.url}/new").text
        token = CSRF.search(page)
        assert token
        made = facilitator.post(
            f"{a.url}/new",
            data={"csrf_token": token.group(1), "instrument": "pit-a", "title": "Two servers", "rule": "median"},
        )
        assert made.status_code == 303
        workshop_id = made.headers["location"].split("/")[2]
        links = facilitator.get(f"{b.url}/w/{workshop_id}/links").text  # shown once, by the other server
        link = re.search(r'id="facilitator-link" type="text" value="[^"]*/facilitate/([^"]+)"', links)
        code = re.search(r'id="join-code">([A-Z0-9-]+)<', links)
        assert link and code
        w = {"id": workshop_id, "facilitator_token": link.group(1), "join_code": code.group(1)}
        # Ten browsers: each request goes to the other server from the one before.
        for i in range(10):
            browser = httpx.Client(timeout=30)
            first, second = servers[i % 2], servers[(i + 1) % 2]
            page = browser.get(f"{first.url}/join?code={w['join_code']}").text
            csrf = CSRF.search(page)
            assert csrf
            joined = browser.post(
                f"{second.url}/join", data={"csrf_token": csrf.group(1), "code": w["join_code"], "name": f"P{i}"}
            )
            assert joined.status_code == 303, joined.text
            page = browser.get(f"{first.url}/w/{workshop_id}/answer/leadership").text
            csrf = CSRF.search(page)
            assert csrf
            saved = browser.post(
                f"{second.url}/w/{workshop_id}/answer/leadership",
                data={"csrf_token": csrf.group(1), "level": ["emerging", "thriving"][i % 2], "action": "list"},
            )
            assert saved.status_code == 303, saved.text
            submitted = browser.post(f"{first.url}/w/{workshop_id}/submit", data={"csrf_token": csrf.group(1)})
            assert submitted.status_code == 303, submitted.text
            browser.close()
        # API participants on both servers; an edit token from one server works on the other.
        body = {"join_code": w["join_code"], "participant": "Api", "choices": {"leadership": 2}}
        stored = httpx.post(f"{a.url}/api/workshops/{workshop_id}/responses", json=body, timeout=30).json()
        again = httpx.post(
            f"{b.url}/api/workshops/{workshop_id}/responses",
            json={**body, "edit_token": stored["edit_token"]},
            timeout=30,
        )
        assert again.json()["revision"] == 2
        for server in servers:
            counts = _collation(server.url, w)["domains"][0]["counts"]
            assert counts == {"emerging": 5, "developing": 1, "maturing": 0, "thriving": 5}
        live = facilitator.get(f"{a.url}/w/{workshop_id}/dashboard/live").text
        assert re.search(r'id="submitted-count">11<', live)
        # Failed attempts count across both servers: 4 allowed per minute in all.
        bad = {**body, "join_code": "WRONG-CODE", "participant": "Eve"}
        statuses = [
            httpx.post(f"{servers[i % 2].url}/api/workshops/{workshop_id}/responses", json=bad, timeout=30).status_code
            for i in range(6)
        ]
        assert statuses == [403, 403, 403, 403, 429, 429]
        facilitator.close()
    finally:
        for server in servers:
            server.stop()
            server.log.close()


async def _burst(base: str, w: dict[str, Any], count: int, acknowledged: list[str], on_ack: Any = None) -> None:
    limits = httpx.Limits(max_connections=count)
    async with httpx.AsyncClient(base_url=base, timeout=60, limits=limits) as client:

        async def one(i: int) -> None:
            name = f"person-{i:04d}"
            body = {"join_code": w["join_code"], "participant": name, "choices": {"leadership": 1 + i % 4}}
            try:
                response = await client.post(f"/api/workshops/{w['id']}/responses", json=body)
            except httpx.HTTPError:
                return  # the server died before answering: not acknowledged
            if response.status_code == 201:
                acknowledged.append(name)
                if on_ack is not None:
                    on_ack(len(acknowledged))

        await asyncio.gather(*(one(i) for i in range(count)))


def test_kill_9_mid_burst_loses_no_acknowledged_submission(fresh_db: str) -> None:
    server = Server(fresh_db)
    server.start()
    acknowledged: list[str] = []
    try:
        w = _create(server.url)

        def kill_at(count: int) -> None:
            # SIGKILL at the fifth acknowledgement, mid-burst: the other requests are in flight or queued (killed
            # as early as this so that a busy client, reading answers late, still sees the server die mid-burst)
            if count == 5:
                server.kill()

        asyncio.run(_burst(server.url, w, 600, acknowledged, kill_at))
        assert 5 <= len(acknowledged) < 600, len(acknowledged)  # it really died mid-burst
        server.start()
        exported = httpx.get(
            f"{server.url}/api/workshops/{w['id']}/export",
            headers={"Authorization": f"Bearer {w['facilitator_token']}"},
            timeout=30,
        ).json()
        stored = {p["participant"] for p in exported["participants"]}
        assert set(acknowledged) <= stored  # nothing acknowledged was lost
        assert all(len(p["answers"]) == 1 for p in exported["participants"])  # and nothing half-written
    finally:
        server.stop()
        server.log.close()


def test_online_backup_while_serving_and_a_tested_restore(tmp_path: Path, registry: Registry) -> None:
    db = str(tmp_path / "live.sqlite")
    server = Server(db)
    server.start()
    try:
        w = _create(server.url)
        for i in range(20):
            body = {"join_code": w["join_code"], "participant": f"p{i}", "choices": {"leadership": 1 + i % 4}}
            assert httpx.post(f"{server.url}/api/workshops/{w['id']}/responses", json=body).status_code == 201
        backup = tmp_path / "backup.sqlite"
        # The backup runs in another process while the server keeps taking submissions.
        writer = subprocess.Popen(
            [
                sys.executable,
                "-c",
                "import httpx, sys\n"
                "for i in range(20, 60):\n"
                "    httpx.post(sys.argv[1], json={'join_code': sys.argv[2], 'participant': f'p{i}', "
                "'choices': {'leadership': 1}})\n",
                f"{server.url}/api/workshops/{w['id']}/responses",
                w["join_code"],
            ]
        )
        status, out, err = run(registry, "web-admin", "backup", "--db", db, str(backup))
        writer.wait(timeout=60)
        assert status == 0, err
        assert "backed up" in out
        status, _, err = run(registry, "web-admin", "backup", "--db", db, str(backup))
        assert status == 1 and "already exists" in err
        total = len(
            httpx.get(
                f"{server.url}/api/workshops/{w['id']}/export",
                headers={"Authorization": f"Bearer {w['facilitator_token']}"},
            ).json()["participants"]
        )
        assert total == 60
    finally:
        server.stop()
        server.log.close()
    with sqlite3.connect(backup) as check:
        assert check.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        in_backup = check.execute("SELECT count(*) FROM participants").fetchone()[0]
    assert 20 <= in_backup <= 60  # a consistent moment of a database being written to
    # Restore into a new place and serve it: the backup's workshop and answers are all there.
    restored = str(tmp_path / "restored.sqlite")
    status, out, err = run(registry, "web-admin", "restore", "--db", restored, str(backup))
    assert status == 0, err
    server = Server(restored)
    server.start()
    try:
        assert _collation(server.url, w)["responses"] == in_backup
    finally:
        server.stop()
        server.log.close()
    # Restoring over a database that holds workshops needs --force; a damaged file is refused.
    status, _, err = run(registry, "web-admin", "restore", "--db", restored, str(backup))
    assert status == 1 and "--force" in err
    assert run(registry, "web-admin", "restore", "--db", restored, str(backup), "--force")[0] == 0
    junk = tmp_path / "junk.sqlite"
    junk.write_bytes(b"not a database" * 100)
    status, _, err = run(registry, "web-admin", "restore", "--db", str(tmp_path / "x.sqlite"), str(junk))
    assert status == 1 and "junk.sqlite" in err and "Traceback" not in err


@pytest.mark.postgres
def test_web_admin_points_postgresql_users_to_pg_dump(postgres_url: str, registry: Registry, tmp_path: Path) -> None:
    status, _, err = run(registry, "web-admin", "backup", "--db", postgres_url, str(tmp_path / "b"))
    assert status == 1 and "pg_dump" in err


def test_serve_refuses_to_listen_beyond_loopback_unsafely(registry: Registry, tmp_path: Path) -> None:
    db = str(tmp_path / "x.sqlite")
    status, _, err = run(registry, "serve", "--host", "0.0.0.0", "--db", db)
    assert status == 1 and "admin token" in err
    status, _, err = run(
        registry,
        "serve",
        "--host",
        "0.0.0.0",
        "--db",
        db,
        "--admin-token",
        "a" * 32,
    )
    assert status == 1 and "--public-url" in err
    status, _, err = run(registry, "serve", "--admin-token", "short", "--db", db)
    assert status == 1 and "too short" in err
    status, _, err = run(registry, "serve", "--public-url", "ftp://x", "--db", db)
    assert status == 1 and "--public-url ftp://x" in err
    status, _, err = run(registry, "serve", "--workers", "0", "--db", db)
    assert status == 1 and "--workers 0" in err
    status, _, err = run(registry, "serve", "--retention-days", "0", "--db", db)
    assert status == 1 and "--retention-days 0" in err
    status, _, err = run(registry, "serve", "--limit-failed", "lots", "--db", db)
    assert status == 1 and "--limit-failed 'lots'" in err
    assert "Traceback" not in err


def test_purge_from_the_command_line(tmp_path: Path, registry: Registry) -> None:
    db = str(tmp_path / "p.sqlite")
    status, out, err = run(registry, "web-admin", "purge", "--db", db, "--retention-days", "30")
    assert status == 0, err
    assert "deleted 0 workshop(s)" in out
    status, out, _ = run(registry, "web-admin", "migrate", "--db", db)
    assert status == 0 and "schema 0002" in out
