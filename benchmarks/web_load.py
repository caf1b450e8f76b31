#!/usr/bin/env python3
"""The web tool under a burst, against the least a FastAPI endpoint can do (issue 16).

    .venv/bin/python benchmarks/web_load.py                  # writes benchmarks/results/web-burst.json
    .venv/bin/python benchmarks/web_load.py --burst 500 --repeats 3

Everything runs on 127.0.0.1 in one run, alternately, so that a busy machine slows every server alike:

1. **Ceiling**: ``benchmarks/web_ceiling.py`` — one synchronous FastAPI endpoint doing one SQLite INSERT of the
   JSON body (WAL, ``synchronous=FULL``) — under uvicorn, one worker, no access log; with Starlette's default
   40 threads, and again with the web tool's 8 (so that no ratio rests on a setting only one side has).
2. **matrixkit, SQLite**: ``matrixkit serve`` (one worker, its access log on, as deployed) on a SQLite file.
   Every one of the burst's clients sends one ``POST /api/workshops/{id}/responses`` answering all 10
   domains of PIT Tool A; all are released at the same instant.
3. **matrixkit, PostgreSQL**: the same burst on a throwaway PostgreSQL server (fsync on), with ``--workers 1``
   and ``--workers 2``.

Per run: the burst's length (release to last answer), its rate (submissions per second), and each client's wait
(release to its answer). Reported: the median of the repeats for each figure, and the ratios

* matrixkit on SQLite ÷ ceiling (target ≥ 0.5);
* median wait ÷ burst length on SQLite (target ≤ 0.6: first come, first served). The wait is from the release
  of the burst to the client's answer; the wait from the moment each client actually sent its request
  (``median_own_wait_s``) is reported too, and differs little with this lean client;
* 2 workers ÷ 1 worker on PostgreSQL (target ≥ 1.5).

Every submission must be answered 201 and be in the collation afterwards (checked); nothing here is tuned to
reach a target. The client shares the machine with the servers, so it is part of what is measured.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
from matrixkit_web.loadtest import Server, ThrowawayPostgres, _free_port, postgres_bindir

from matrixkit.registry import get_registry

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results"
#: The domain keys of PIT Tool A, from the installed instrument (the workshops' instrument).
DOMAINS = list(get_registry().instrument("pit-a").domain_keys)


class Ceiling:
    """The ceiling application under uvicorn in a child process (Starlette's 40 threads, or ``threads``)."""

    def __init__(self, db: str, threads: int | None = None) -> None:
        self.db = db
        self.threads = threads
        self.port = _free_port()
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        command = [
            sys.executable,
            "-m",
            "uvicorn",
            "--factory",
            "web_ceiling:app",
            "--app-dir",
            str(HERE),
            "--host",
            "127.0.0.1",
            "--port",
            str(self.port),
            "--no-access-log",
            "--log-level",
            "warning",
        ]
        env = {**os.environ, "MATRIXKIT_CEILING_DB": self.db}
        if self.threads:
            env["MATRIXKIT_CEILING_THREADS"] = str(self.threads)
        self.process = subprocess.Popen(command, env=env)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx.get(self.url + "/healthz", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                time.sleep(0.1)
        raise RuntimeError("the ceiling server did not start")

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=30)
            self.process = None


class _Connection:
    """One client's keep-alive HTTP/1.1 connection, as lean as a load generator can be: the request bytes are
    built before the burst, the answer is read by its Content-Length. (A full HTTP client costs this one client
    process more CPU than the servers it measures, on the same two cores.)"""

    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def open(self) -> None:
        self.reader, self.writer = await asyncio.open_connection(self.host, self.port)

    async def exchange(self, request: bytes) -> int:
        assert self.reader is not None and self.writer is not None
        self.writer.write(request)
        head = await self.reader.readuntil(b"\r\n\r\n")
        status = int(head.split(b" ", 2)[1])
        length = 0
        for line in head.split(b"\r\n")[1:]:
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"content-length":
                length = int(value)
        await self.reader.readexactly(length)
        return status

    async def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            with contextlib.suppress(OSError):
                await self.writer.wait_closed()


def _request(method: str, path: str, host: str, body: bytes = b"") -> bytes:
    head = f"{method} {path} HTTP/1.1\r\nhost: {host}\r\ncontent-length: {len(body)}\r\n"
    if body:
        head += "content-type: application/json\r\n"
    return head.encode() + b"\r\n" + body


async def burst(url: str, bodies: list[dict[str, Any]]) -> dict[str, Any]:
    """Release ``len(bodies)`` clients at once, each POSTing one body to ``url``; the burst's figures.

    Each client first opens its connection (and makes one ``GET /healthz`` on it), as the phones in a room have
    the page open before they submit: the burst then measures the server serving that many waiting
    submissions, not the opening of hundreds of TCP connections."""
    parts = httpx.URL(url)
    host, port, path = parts.host, parts.port or 80, parts.raw_path.decode()
    netloc = f"{host}:{port}"
    health = _request("GET", "/healthz", netloc)
    requests = [_request("POST", path, netloc, json.dumps(b).encode()) for b in bodies]
    go = asyncio.Event()
    waits: list[float] = []  # from the release of the burst
    own: list[float] = []  # from the moment this client sent its submission
    statuses: list[int] = []
    start = 0.0

    async def one(request: bytes) -> None:
        connection = _Connection(host, port)
        await connection.open()
        try:
            if await connection.exchange(health) != 200:
                raise RuntimeError("the server is not healthy")
            await go.wait()
            pressed = time.perf_counter()
            status = await connection.exchange(request)
            done = time.perf_counter()
            waits.append(done - start)
            own.append(done - pressed)
            statuses.append(status)
        finally:
            await connection.close()

    tasks = [asyncio.ensure_future(one(r)) for r in requests]
    await asyncio.sleep(3)  # every client has its connection open and waits at the gate
    idle_before = _machine_ticks()
    start = time.perf_counter()
    go.set()
    await asyncio.gather(*tasks)
    idle_after = _machine_ticks()
    length = max(waits)
    ticks = idle_after[1] - idle_before[1]
    return {
        "submissions": len(bodies),
        "ok": sum(1 for s in statuses if s == 201),
        "burst_s": round(length, 3),
        "rate_per_s": round(len(bodies) / length, 1),
        "median_wait_s": round(statistics.median(waits), 3),
        "median_wait_share": round(statistics.median(waits) / length, 3),
        "p95_wait_s": round(sorted(waits)[int(0.95 * len(waits)) - 1], 3),
        "first_answer_s": round(min(waits), 3),
        "median_own_wait_s": round(statistics.median(own), 3),
        "median_own_wait_share": round(statistics.median(own) / length, 3),
        "wait_deciles_s": [round(q, 3) for q in statistics.quantiles(waits, n=10)],
        # The share of the machine's CPU time nobody used during the burst (other people's jobs count too).
        "machine_idle_share": round((idle_after[0] - idle_before[0]) / ticks, 3) if ticks else None,
    }


def _descendants(pid: int) -> list[int]:
    """``pid`` and its descendants (uvicorn's workers), from /proc."""
    children: dict[int, list[int]] = {}
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            text = status.read_text()
        except OSError:
            continue
        for line in text.splitlines():
            if line.startswith("PPid:"):
                children.setdefault(int(line.split()[1]), []).append(int(status.parent.name))
                break
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        todo.extend(children.get(current, []))
    return found


def _postgres_pids() -> list[int]:
    found = []
    for comm in Path("/proc").glob("[0-9]*/comm"):
        try:
            if comm.read_text().strip() == "postgres":
                found.append(int(comm.parent.name))
        except OSError:
            continue
    return found


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU seconds used so far by ``pids`` (those still running)."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / ticks


def _machine_ticks() -> tuple[int, int]:
    """(idle, total) CPU ticks of the whole machine so far, from /proc/stat."""
    fields = [int(x) for x in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    return fields[3] + fields[4], sum(fields)  # idle + iowait, everything


def _measured(run: Any, server_pid: int | None, postgres: bool) -> dict[str, Any]:
    """Run the burst ``run()`` and note the CPU seconds the server, the database and this client used, and how
    much of the machine's CPU was left idle meanwhile (by anything: other people's jobs count too)."""
    server = _descendants(server_pid) if server_pid else []
    database = _postgres_pids() if postgres else []
    before = (cpu_seconds(server), cpu_seconds(database), time.process_time())
    result: dict[str, Any] = run()
    after = (cpu_seconds(server), cpu_seconds(database), time.process_time())
    count = result["submissions"]
    result["cpu_ms_per_submission"] = {
        "server": round((after[0] - before[0]) * 1000 / count, 2),
        "database": round((after[1] - before[1]) * 1000 / count, 2) if postgres else None,
        "client": round((after[2] - before[2]) * 1000 / count, 2),
    }
    return result


def _bodies(join_code: str, count: int, run: int) -> list[dict[str, Any]]:
    return [
        {
            "join_code": join_code,
            "participant": f"run{run}-person-{i:04d}",
            "attributes": {"table": f"Table {i % 4 + 1}"},
            "choices": {d: 1 + (i + j) % 4 for j, d in enumerate(DOMAINS)},
        }
        for i in range(count)
    ]


def matrixkit_burst(server: Server, count: int, run: int, *, postgres: bool = False) -> dict[str, Any]:
    w = httpx.post(f"{server.url}/api/workshops", json={"instrument": "pit-a", "title": "Burst"}, timeout=60).json()
    bodies = _bodies(w["join_code"], count, run)
    url = f"{server.url}/api/workshops/{w['id']}/responses"
    assert server.process is not None
    result = _measured(lambda: asyncio.run(burst(url, bodies)), server.process.pid, postgres)
    collated = httpx.get(
        f"{server.url}/api/workshops/{w['id']}/collation",
        headers={"Authorization": f"Bearer {w['facilitator_token']}"},
        timeout=60,
    ).json()
    result["all_kept"] = collated["responses"] == count
    return result


def ceiling_burst(ceiling: Ceiling, count: int, run: int) -> dict[str, Any]:
    bodies = _bodies("CODE", count, run)
    assert ceiling.process is not None
    result = _measured(lambda: asyncio.run(burst(f"{ceiling.url}/responses", bodies)), ceiling.process.pid, False)
    result["all_kept"] = result["ok"] == count
    return result


def machine() -> dict[str, Any]:
    top = subprocess.run(["top", "-b", "-n", "1"], capture_output=True, text=True, check=False).stdout
    busy = [line for line in top.splitlines()[7:15] if line.strip()]
    return {
        "when": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "cpus": os.cpu_count(),
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "python": platform.python_version(),
        "busiest_processes": busy,
    }


def median_of(runs: list[dict[str, Any]]) -> dict[str, Any]:
    keys = (
        "burst_s",
        "rate_per_s",
        "median_wait_s",
        "median_wait_share",
        "median_own_wait_s",
        "median_own_wait_share",
        "p95_wait_s",
    )
    summary: dict[str, Any] = {k: round(statistics.median(r[k] for r in runs), 3) for k in keys}
    summary["all_ok_and_kept"] = all(r["ok"] == r["submissions"] and r["all_kept"] for r in runs)
    summary["machine_idle_share"] = round(statistics.median(r["machine_idle_share"] or 0 for r in runs), 3)
    summary["cpu_ms_per_submission"] = {
        part: (
            round(statistics.median(r["cpu_ms_per_submission"][part] for r in runs), 2)
            if runs[0]["cpu_ms_per_submission"][part] is not None
            else None
        )
        for part in ("server", "database", "client")
    }
    summary["runs"] = runs
    return summary


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--burst", type=int, default=500)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--no-postgres", action="store_true")
    args = parser.parse_args()
    results: dict[str, Any] = {"machine_before": machine(), "burst": args.burst, "repeats": args.repeats}
    with tempfile.TemporaryDirectory(prefix="matrixkit-bench-") as tmp:
        ceiling = Ceiling(os.path.join(tmp, "ceiling.sqlite"))
        ceiling8 = Ceiling(os.path.join(tmp, "ceiling8.sqlite"), threads=8)
        ours = Server(os.path.join(tmp, "web.sqlite"))
        ceiling.start()
        ceiling8.start()
        ours.start()
        ceiling_runs, ceiling8_runs, sqlite_runs = [], [], []
        try:
            for run in range(args.repeats):
                ceiling_runs.append(ceiling_burst(ceiling, args.burst, run))
                sqlite_runs.append(matrixkit_burst(ours, args.burst, run))
                ceiling8_runs.append(ceiling_burst(ceiling8, args.burst, run))
                print(
                    f"run {run + 1}: ceiling {ceiling_runs[-1]['rate_per_s']}/s (8 threads: "
                    f"{ceiling8_runs[-1]['rate_per_s']}/s), matrixkit SQLite {sqlite_runs[-1]['rate_per_s']}/s",
                    flush=True,
                )
        finally:
            ceiling.stop()
            ceiling8.stop()
            ours.stop()
            ours.log.close()
        results["ceiling_sqlite"] = median_of(ceiling_runs)
        results["ceiling_sqlite_8_threads"] = median_of(ceiling8_runs)
        results["matrixkit_sqlite"] = median_of(sqlite_runs)
        if not args.no_postgres:
            bindir = postgres_bindir()
            if bindir is None:
                results["postgresql"] = "not measured: PostgreSQL's server binaries are not installed"
            else:
                pg = ThrowawayPostgres(str(bindir), durable=True)
                url = pg.start()
                try:
                    one, two = Server(url, workers=1), Server(url, workers=2)
                    one_runs, two_runs = [], []
                    for run in range(args.repeats):
                        for server, runs, name in ((one, one_runs, "1"), (two, two_runs, "2")):
                            server.start()
                            try:
                                runs.append(matrixkit_burst(server, args.burst, 100 + run, postgres=True))
                            finally:
                                server.stop()
                            print(
                                f"run {run + 1}: PostgreSQL, {name} worker(s): {runs[-1]['rate_per_s']}/s", flush=True
                            )
                    one.log.close()
                    two.log.close()
                finally:
                    pg.stop()
                results["matrixkit_postgresql_1_worker"] = median_of(one_runs)
                results["matrixkit_postgresql_2_workers"] = median_of(two_runs)
    ratios: dict[str, Any] = {
        "sqlite_rate_vs_ceiling": round(
            results["matrixkit_sqlite"]["rate_per_s"] / results["ceiling_sqlite"]["rate_per_s"], 2
        ),
        "sqlite_rate_vs_ceiling_8_threads": round(
            results["matrixkit_sqlite"]["rate_per_s"] / results["ceiling_sqlite_8_threads"]["rate_per_s"], 2
        ),
        "sqlite_median_wait_share": results["matrixkit_sqlite"]["median_wait_share"],
        "ceiling_median_wait_share": results["ceiling_sqlite"]["median_wait_share"],
    }
    if "matrixkit_postgresql_2_workers" in results:
        ratios["postgresql_2_workers_vs_1"] = round(
            results["matrixkit_postgresql_2_workers"]["rate_per_s"]
            / results["matrixkit_postgresql_1_worker"]["rate_per_s"],
            2,
        )
    results["ratios"] = ratios
    results["targets"] = {
        "sqlite_rate_vs_ceiling": ">= 0.5",
        "sqlite_median_wait_share": "<= 0.6",
        "postgresql_2_workers_vs_1": ">= 1.5",
    }
    results["machine_after"] = machine()
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "web-burst.json").write_text(json.dumps(results, indent=2) + "\n")
    print(json.dumps({"ratios": ratios, "targets": results["targets"]}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
