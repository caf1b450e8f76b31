"""A load test: many participants submitting at once to a real server on 127.0.0.1, then a restart.

    python -m matrixkit_web.loadtest --participants 200 --mode api  --db /tmp/load.sqlite
    python -m matrixkit_web.loadtest --participants 200 --mode form --db postgresql://user@127.0.0.1/load

The server is ``matrixkit serve`` in a child process (so the clients do not share its interpreter), listening
on 127.0.0.1 only. One workshop is created; then every simulated participant starts at the same moment:

``api``
    one ``POST /api/workshops/{id}/responses`` with an answer for every domain;
``form``
    what a browser without JavaScript does: the join page, the join form, the first question's page, one form
    per domain, the submit form (14 requests for a 10-domain matrix), each participant with its own session
    and CSRF token.

Afterwards the collation is fetched and compared, domain by domain and level by level, with what was sent:
nothing may be lost or counted twice. The server is then stopped and started again on the same database and the
collation compared once more. The result (latency percentiles per request, throughput, errors, whether
everything was kept) is printed as JSON; nothing here asserts on timings.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import glob
import json
import os
import pwd
import random
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import httpx

__all__ = ["LoadResult", "main", "run"]

CSRF = re.compile(r'name="csrf_token" value="([0-9a-f]{64})"')


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


class Server:
    """``matrixkit serve`` on 127.0.0.1 in a child process (stopped by its own process id), with ``workers``
    worker processes, extra command-line ``options`` and ``environment`` variables."""

    def __init__(
        self,
        db: str,
        *,
        workers: int = 1,
        options: Sequence[str] = (),
        environment: dict[str, str] | None = None,
    ) -> None:
        self.db = db
        self.port = _free_port()
        self.workers = workers
        self.options = list(options)
        self.environment = dict(environment or {})
        self.process: subprocess.Popen[bytes] | None = None
        self.log = tempfile.TemporaryFile()  # noqa: SIM115 - kept for the server's lifetime, closed by close()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        command = [sys.executable, "-m", "matrixkit", "serve", "--host", "127.0.0.1", "--port", str(self.port)]
        command += ["--workers", str(self.workers), *self.options]
        # A fixed argument list (no shell); the database is the caller's own.
        self.process = subprocess.Popen(  # noqa: S603
            [*command, "--db", self.db],
            stdout=self.log,
            stderr=subprocess.STDOUT,
            env={**os.environ, **self.environment},
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                self.log.seek(0)
                raise RuntimeError(f"the server exited: {self.log.read().decode(errors='replace')[-2000:]}")
            try:
                if httpx.get(self.url + "/healthz", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        raise RuntimeError("the server did not start within 60 s")

    def output(self) -> str:
        """Everything the server printed so far (its log)."""
        self.log.flush()
        self.log.seek(0)
        text = self.log.read().decode(errors="replace")
        self.log.seek(0, os.SEEK_END)
        return text

    def kill(self) -> None:
        """Stop the server at once (SIGKILL to the server and its workers), as a crash would."""
        if self.process is not None and self.process.poll() is None:
            import signal

            for pid in _children(self.process.pid):
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)
            self.process.kill()
            self.process.wait()
        self.process = None

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:  # pragma: no cover - a hung server
                self.process.kill()
                self.process.wait()
        self.process = None


def _children(pid: int) -> list[int]:
    """The child processes of ``pid`` (uvicorn's workers), from /proc."""
    found = []
    for status in glob.glob("/proc/[0-9]*/status"):
        try:
            text = Path(status).read_text()
        except OSError:
            continue
        match = re.search(r"^PPid:\s+(\d+)$", text, re.M)
        if match and int(match.group(1)) == pid:
            found.append(int(Path(status).parent.name))
    return found


def postgres_bindir() -> Path | None:
    """The newest Debian PostgreSQL server binaries (``/usr/lib/postgresql/<version>/bin``), if installed."""
    found = [Path(p) for p in glob.glob("/usr/lib/postgresql/*/bin") if (Path(p) / "initdb").exists()]
    return max(found, key=lambda p: int(p.parent.name) if p.parent.name.isdigit() else 0) if found else None


class ThrowawayPostgres:
    """A PostgreSQL server of its own, in a temporary directory, listening on 127.0.0.1 only (trust
    authentication, which is safe only because nothing but this machine can reach it). ``durable=False`` turns
    fsync off, for fast tests; benchmarks keep it on, as a real deployment would."""

    def __init__(self, bindir: str, *, durable: bool = False) -> None:
        self.bindir = Path(bindir)
        self.durable = durable
        self.dir = Path(tempfile.mkdtemp(prefix="matrixkit-pg-"))
        self.data = self.dir / "data"
        self.port = _free_port()
        self.as_user: list[str] = []
        if os.geteuid() == 0:  # initdb refuses to run as root: run the server as the 'postgres' user
            user = pwd.getpwnam("postgres")
            os.chown(self.dir, user.pw_uid, user.pw_gid)
            self.as_user = ["runuser", "-u", "postgres", "--"]

    def _run(self, *args: str) -> None:
        subprocess.run(  # noqa: S603 - fixed binaries and arguments
            [*self.as_user, *args], check=True, capture_output=True, timeout=120
        )

    def start(self) -> str:
        self._run(str(self.bindir / "initdb"), "-D", str(self.data), "-U", "postgres", "-A", "trust", "-E", "UTF8")
        options = f"-c listen_addresses=127.0.0.1 -p {self.port} -k {self.dir} -c max_connections=300"
        if not self.durable:
            options += " -c fsync=off"
        self._run(
            str(self.bindir / "pg_ctl"), "-D", str(self.data), "-o", options, "-l", str(self.dir / "log"), "-w", "start"
        )
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def stop(self) -> None:
        with contextlib.suppress(Exception):
            self._run(str(self.bindir / "pg_ctl"), "-D", str(self.data), "-m", "fast", "-w", "stop")
        shutil.rmtree(self.dir, ignore_errors=True)


def _percentiles(samples: Sequence[float]) -> dict[str, float]:
    if not samples:
        return {}
    ordered = sorted(samples)

    def pick(p: float) -> float:
        return ordered[min(len(ordered) - 1, max(0, round(p * len(ordered)) - 1))]

    return {
        "count": len(ordered),
        "p50_ms": round(statistics.median(ordered) * 1000, 1),
        "p95_ms": round(pick(0.95) * 1000, 1),
        "p99_ms": round(pick(0.99) * 1000, 1),
        "max_ms": round(ordered[-1] * 1000, 1),
        "mean_ms": round(statistics.fmean(ordered) * 1000, 1),
    }


LoadResult = dict[str, Any]


async def _timed(samples: list[float], request: Any) -> httpx.Response:
    start = time.perf_counter()
    response: httpx.Response = await request
    samples.append(time.perf_counter() - start)
    return response


async def _api_participant(
    base: str, workshop: dict[str, Any], name: str, choices: dict[str, int], go: asyncio.Event, samples: list[float]
) -> int:
    body = {
        "join_code": workshop["join_code"],
        "participant": name,
        "attributes": {"table": f"Table {int(name.rsplit('-', 1)[-1]) % 4 + 1}"},
        "choices": choices,
    }
    async with httpx.AsyncClient(base_url=base, timeout=120) as client:
        await go.wait()
        response = await _timed(samples, client.post(f"/api/workshops/{workshop['id']}/responses", json=body))
        return response.status_code


async def _form_participant(
    base: str,
    workshop: dict[str, Any],
    name: str,
    choices: dict[str, int],
    levels: Sequence[str],
    go: asyncio.Event,
    samples: list[float],
) -> int:
    """A participant using the HTML forms: join, one form per domain, submit. Returns the last status."""
    async with httpx.AsyncClient(base_url=base, timeout=120) as client:
        await go.wait()
        page = await _timed(samples, client.get(f"/join?code={workshop['join_code']}"))
        match = CSRF.search(page.text)
        if page.status_code != 200 or match is None:
            return page.status_code
        token = match.group(1)
        joined = await _timed(
            samples, client.post("/join", data={"csrf_token": token, "code": workshop["join_code"], "name": name})
        )
        if joined.status_code != 303:
            return joined.status_code
        # Joining signs the browser in, which gives its session a new value: forms need a token from a page
        # loaded after that (the first question, as a browser shows it).
        first = await _timed(samples, client.get(f"/w/{workshop['id']}/answer/{next(iter(choices))}"))
        match = CSRF.search(first.text)
        if first.status_code != 200 or match is None:
            return first.status_code
        token = match.group(1)
        for domain, score in choices.items():
            data = {"csrf_token": token, "level": levels[score - 1], "action": "continue"}
            saved = await _timed(samples, client.post(f"/w/{workshop['id']}/answer/{domain}", data=data))
            if saved.status_code != 303:
                return saved.status_code
        submitted = await _timed(samples, client.post(f"/w/{workshop['id']}/submit", data={"csrf_token": token}))
        return 201 if submitted.status_code == 303 else submitted.status_code


def _expected(sent: dict[str, dict[str, int]], levels: Sequence[str]) -> dict[str, dict[str, int]]:
    counts: dict[str, dict[str, int]] = {}
    for choices in sent.values():
        for domain, score in choices.items():
            counts.setdefault(domain, dict.fromkeys(levels, 0))[levels[score - 1]] += 1
    return counts


def _collated(base: str, workshop: dict[str, Any]) -> dict[str, Any]:
    response = httpx.get(
        f"{base}/api/workshops/{workshop['id']}/collation",
        headers={"Authorization": f"Bearer {workshop['facilitator_token']}"},
        timeout=120,
    )
    response.raise_for_status()
    data: dict[str, Any] = response.json()
    return data


def _kept(collation: dict[str, Any], expected: dict[str, dict[str, int]], participants: int) -> bool:
    if collation["responses"] != participants:
        return False
    return all(d["counts"] == expected[d["key"]] for d in collation["domains"])


async def _load(base: str, participants: int, mode: str, instrument: str, seed: int) -> LoadResult:
    async with httpx.AsyncClient(base_url=base, timeout=60) as client:
        created = await client.post(
            "/api/workshops", json={"instrument": instrument, "title": f"Load test: {participants} participants"}
        )
        created.raise_for_status()
        workshop: dict[str, Any] = created.json()
        listed = (await client.get("/api/instruments")).json()
    info = next(i for i in listed if i["id"] == instrument)
    levels: list[str] = info["levels"]
    # Domain keys from the (empty) collation, in the instrument's order.
    domains = [d["key"] for d in _collated(base, workshop)["domains"]]
    rng = random.Random(seed)  # noqa: S311 - reproducible test data, not a secret
    sent = {f"participant-{i:04d}": {d: rng.randint(1, len(levels)) for d in domains} for i in range(participants)}
    go = asyncio.Event()
    samples: list[float] = []
    if mode == "api":
        tasks = [_api_participant(base, workshop, name, choices, go, samples) for name, choices in sent.items()]
    else:
        tasks = [
            _form_participant(base, workshop, name, choices, levels, go, samples) for name, choices in sent.items()
        ]
    running = [asyncio.ensure_future(t) for t in tasks]
    await asyncio.sleep(0.5)  # every client is waiting at the gate
    start = time.perf_counter()
    go.set()
    statuses = await asyncio.gather(*running)
    elapsed = time.perf_counter() - start
    errors = sum(1 for s in statuses if s != 201)
    return {
        "workshop": workshop,
        "sent": sent,
        "levels": levels,
        "statuses": statuses,
        "elapsed_s": round(elapsed, 2),
        "errors": errors,
        "latency": _percentiles(samples),
    }


def run(
    *, participants: int = 200, mode: str = "api", db: str | None = None, instrument: str = "pit-a", seed: int = 1
) -> LoadResult:
    """Run the load test against a fresh server; returns the figures (see the module docstring)."""
    if mode not in ("api", "form"):
        raise ValueError("mode must be 'api' or 'form'")
    with tempfile.TemporaryDirectory(prefix="matrixkit-load-") as tmp:
        target = db or os.path.join(tmp, "load.sqlite")
        server = Server(target)
        server.start()
        try:
            outcome = asyncio.run(_load(server.url, participants, mode, instrument, seed))
            expected = _expected(outcome["sent"], outcome["levels"])
            before = _kept(_collated(server.url, outcome["workshop"]), expected, participants)
        finally:
            server.stop()
        # Restart on the same database: everything must still be there.
        server.start()
        try:
            after = _kept(_collated(server.url, outcome["workshop"]), expected, participants)
        finally:
            server.stop()
            server.log.close()
    requests = outcome["latency"].get("count", 0)
    return {
        "mode": mode,
        "database": "postgresql" if target.startswith(("postgres://", "postgresql")) else "sqlite",
        "participants": participants,
        "requests": requests,
        "elapsed_s": outcome["elapsed_s"],
        "requests_per_s": round(requests / outcome["elapsed_s"], 1) if outcome["elapsed_s"] else None,
        "errors": outcome["errors"],
        "all_kept": before,
        "all_kept_after_restart": after,
        "latency": outcome["latency"],
        "cpus": os.cpu_count(),
        "python": sys.version.split()[0],
    }


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m matrixkit_web.loadtest", description=__doc__.split("\n\n")[0])
    parser.add_argument("--participants", type=int, default=200)
    parser.add_argument("--mode", choices=["api", "form"], default="api")
    parser.add_argument("--db", help="SQLite file or PostgreSQL URL (default: a temporary SQLite file)")
    parser.add_argument(
        "--postgres",
        action="store_true",
        help="start a throwaway PostgreSQL server from Debian's binaries on 127.0.0.1 and use it",
    )
    parser.add_argument("--instrument", default="pit-a")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    with contextlib.ExitStack() as stack:
        db = args.db
        if args.postgres:
            bindir = postgres_bindir()
            if bindir is None:
                parser.error("PostgreSQL's server binaries are not installed (apt-get install postgresql)")
            server = ThrowawayPostgres(str(bindir), durable=True)
            stack.callback(server.stop)
            db = server.start()
        result = run(participants=args.participants, mode=args.mode, db=db, instrument=args.instrument, seed=args.seed)
    print(json.dumps(result, indent=2))
    return 0 if result["errors"] == 0 and result["all_kept"] and result["all_kept_after_restart"] else 1


if __name__ == "__main__":
    sys.exit(main())
