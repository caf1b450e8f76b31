#!/usr/bin/env python3
"""What a facilitator's live dashboard costs on the wire at 1,000 participants, before and after conditional
requests (issue 15).

    .venv/bin/python benchmarks/web_live.py                     # writes benchmarks/results/web-live.json
    .venv/bin/python benchmarks/web_live.py --participants 1000 --before e7d25a9

Two ``matrixkit serve`` processes on 127.0.0.1, one after the other, each on a fresh SQLite database:

* **before**: the web plugin as it was at ``--before`` (a git revision; its ``plugins/web/src`` is extracted with
  ``git archive`` and put first on the server's ``PYTHONPATH``, over the same core), whose dashboard fragment is
  sent whole on every poll;
* **after**: the web plugin of this checkout, whose live views carry an ETag and answer ``304 Not Modified``
  while nothing they show has changed.

Each server gets the same workshop (PIT Tool A, 10 tables, 3 sectors) and the same 1,000 participants (API
submissions, seeded). Then one facilitator (signed in through the facilitator link) polls the dashboard's live
fragment as the page's script does — every ``refresh`` seconds (5 by default, so 12 polls a minute), sending
``If-None-Match`` with the ETag it holds, if any — for one simulated minute in each of three states of the room:

* **quiet**: nothing changes (the room is discussing);
* **trickle**: one participant revises their answers every 10 seconds (every other poll sees a change);
* **busy**: changes arrive before every poll.

The minute is simulated (the polls follow each other at once; the changes due before each poll are made before
it), so the figures do not depend on the machine's speed. Counted: the bytes of each response on the wire (status
line, headers and body, read from the socket) and of each request, per minute per facilitator; and the median
time of a poll, to compare what a 304 costs the server with a whole fragment. The presenter view's live part is
measured on the after server too (it did not exist before). Nothing is asserted; the ratios are reported.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime
import json
import os
import platform
import random
import socket
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
from matrixkit_web.loadtest import Server

from matrixkit.registry import get_registry

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
RESULTS = HERE / "results"
#: The domain keys of PIT Tool A, from the installed instrument (the workshops' instrument).
DOMAINS = list(get_registry().instrument("pit-a").domain_keys)
TABLES = [f"Table {n}" for n in range(1, 11)]
SECTORS = ["Local authority", "NHS", "Voluntary sector"]
#: The headers htmx sends with each poll (so that request bytes are realistic).
HTMX_HEADERS = {"HX-Request": "true", "HX-Target": "live", "HX-Trigger": "live", "Accept": "*/*"}


def choices(rnd: random.Random) -> dict[str, int | None]:
    return {key: rnd.choice([1, 2, 2, 3, 3, 4, None]) for key in DOMAINS}


class RawClient:
    """One keep-alive HTTP/1.1 connection that counts the bytes each way, as they cross the socket."""

    def __init__(self, url: str, cookie: str) -> None:
        parts = urlsplit(url)
        self.host, self.port = parts.hostname or "127.0.0.1", parts.port or 80
        self.cookie = cookie
        self.sock = socket.create_connection((self.host, self.port))
        self.buffer = b""

    def get(self, path: str, headers: dict[str, str]) -> tuple[int, dict[str, str], bytes, int, int]:
        """status, headers, body, bytes received, bytes sent."""
        lines = [f"GET {path} HTTP/1.1", f"Host: {self.host}:{self.port}", f"Cookie: mk_session={self.cookie}"]
        lines += [f"{k}: {v}" for k, v in headers.items()]
        request = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")
        self.sock.sendall(request)
        while b"\r\n\r\n" not in self.buffer:
            self.buffer += self._recv()
        head, _, self.buffer = self.buffer.partition(b"\r\n\r\n")
        status_line, *header_lines = head.decode("latin-1").split("\r\n")
        found = {}
        for line in header_lines:
            name, _, value = line.partition(":")
            found[name.strip().lower()] = value.strip()
        length = int(found.get("content-length", "0"))
        while len(self.buffer) < length:
            self.buffer += self._recv()
        body, self.buffer = self.buffer[:length], self.buffer[length:]
        return int(status_line.split(" ")[1]), found, body, len(head) + 4 + length, len(request)

    def _recv(self) -> bytes:
        data = self.sock.recv(65536)
        if not data:
            raise ConnectionError("the server closed the connection")
        return data

    def close(self) -> None:
        self.sock.close()


def extract(revision: str, folder: Path) -> Path:
    """The web plugin's source at ``revision`` (git archive), for the before server's PYTHONPATH."""
    folder.mkdir(parents=True, exist_ok=True)
    archive = folder / "before.tar"
    with archive.open("wb") as out:
        subprocess.run(
            ["git", "archive", revision, "plugins/web/src"],
            cwd=ROOT,
            stdout=out,
            check=True,
        )
    with tarfile.open(archive) as tar:
        tar.extractall(folder, filter="data")
    return folder / "plugins" / "web" / "src"


async def populate(url: str, workshop: dict[str, Any], count: int, seed: int) -> dict[str, str]:
    """``count`` participants submit through the API (a few at a time); returns their edit tokens."""
    rnd = random.Random(seed)
    tokens: dict[str, str] = {}
    bodies = [
        {
            "join_code": workshop["join_code"],
            "participant": f"Participant {n:04d}",
            "attributes": {"table": TABLES[n % len(TABLES)], "sector": SECTORS[n % len(SECTORS)]},
            "choices": choices(rnd),
            "comments": {"leadership": f"Comment {n}"} if n % 7 == 0 else {},
        }
        for n in range(count)
    ]
    limit = asyncio.Semaphore(8)
    async with httpx.AsyncClient(base_url=url, timeout=60) as client:

        async def send(body: dict[str, Any]) -> None:
            async with limit:
                response = await client.post(f"/api/workshops/{workshop['id']}/responses", json=body)
            response.raise_for_status()
            tokens[body["participant"]] = response.json().get("edit_token", "")

        await asyncio.gather(*(send(body) for body in bodies))
    return tokens


def revise(url: str, workshop: dict[str, Any], tokens: dict[str, str], rnd: random.Random) -> None:
    """One participant revises their answers (the room changes; the count stays)."""
    name = rnd.choice(sorted(tokens))
    body = {
        "join_code": workshop["join_code"],
        "participant": name,
        "edit_token": tokens[name],
        "attributes": {},
        "choices": choices(rnd),
    }
    response = httpx.post(f"{url}/api/workshops/{workshop['id']}/responses", json=body, timeout=60)
    if response.status_code != 201:  # the before server predates edit tokens for revisions
        raise RuntimeError(f"revision refused: {response.status_code} {response.text[:200]}")


def signed_in_cookie(url: str, facilitator_url: str) -> str:
    with httpx.Client(follow_redirects=False, timeout=30) as client:
        path = urlsplit(facilitator_url).path
        response = client.get(url + path)
        if response.status_code not in (302, 303, 307):
            raise RuntimeError(f"the facilitator link answered {response.status_code}")
        cookie = client.cookies.get("mk_session")
        if not cookie:
            raise RuntimeError("no session cookie after the facilitator link")
        return cookie


def minute(
    url: str,
    cookie: str,
    path: str,
    refresh: int,
    changes_before: list[bool],
    change: Any,
) -> dict[str, Any]:
    """One simulated minute of polling ``path``: ``changes_before[i]`` says whether the room changes before poll
    i. Returns the bytes each way, the statuses and the median poll time."""
    client = RawClient(url, cookie)
    etag: str | None = None
    received = sent = 0
    statuses: list[int] = []
    times: list[float] = []
    try:
        # The page was loaded once before the minute (not counted): the first poll may already send its ETag.
        status, headers, _body, _r, _s = client.get(path, HTMX_HEADERS)
        etag = headers.get("etag")
        for changed in changes_before:
            if changed:
                change()
            request_headers = dict(HTMX_HEADERS)
            if etag:
                request_headers["If-None-Match"] = etag
            start = time.perf_counter()
            status, headers, _body, got, put = client.get(path, request_headers)
            times.append(time.perf_counter() - start)
            if status not in (200, 304):
                raise RuntimeError(f"{path} answered {status}")
            etag = headers.get("etag", etag)
            received += got
            sent += put
            statuses.append(status)
    finally:
        client.close()
    polls = 60 // refresh
    return {
        "polls_per_minute": polls,
        "bytes_received_per_minute": received,
        "bytes_sent_per_minute": sent,
        "statuses": statuses,
        "not_modified": statuses.count(304),
        "median_poll_ms": round(statistics.median(times) * 1000, 2),
    }


def run(label: str, server: Server, args: argparse.Namespace) -> dict[str, Any]:
    url = server.url
    workshop = httpx.post(
        f"{url}/api/workshops",
        json={"instrument": "pit-a", "title": "Benchmark room", "tables": TABLES, "sectors": SECTORS},
        timeout=60,
    ).json()
    started = time.perf_counter()
    tokens = asyncio.run(populate(url, workshop, args.participants, args.seed))
    populated = time.perf_counter() - started
    cookie = signed_in_cookie(url, workshop["facilitator_url"])
    rnd = random.Random(args.seed + 1)
    polls = 60 // args.refresh
    states = {
        "quiet": [False] * polls,
        "trickle": [i % 2 == 1 for i in range(polls)],  # one revision every 10 s at a 5-s refresh
        "busy": [True] * polls,
    }
    views = {"dashboard": f"/w/{workshop['id']}/dashboard/live?by="}
    if label == "after":
        views["presenter"] = f"/w/{workshop['id']}/present/live"
    out: dict[str, Any] = {"populate_s": round(populated, 1), "views": {}}
    for view, path in views.items():
        # The size of one whole fragment, for reference.
        whole = RawClient(url, cookie)
        try:
            _status, _headers, body, received, _sent = whole.get(path, HTMX_HEADERS)
        finally:
            whole.close()
        out["views"][view] = {"whole_response_bytes": received, "body_bytes": len(body), "states": {}}
        for state, plan in states.items():
            out["views"][view]["states"][state] = minute(
                url, cookie, path, args.refresh, plan, lambda: revise(url, workshop, tokens, rnd)
            )
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--participants", type=int, default=1000)
    parser.add_argument("--refresh", type=int, default=5, help="seconds between polls (the dashboard's default)")
    parser.add_argument("--before", default="e7d25a9", help="git revision of the web plugin before (no ETags)")
    parser.add_argument("--seed", type=int, default=15)
    parser.add_argument("--output", type=Path, default=RESULTS / "web-live.json")
    args = parser.parse_args()
    results: dict[str, Any] = {
        "when": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "machine": {"python": platform.python_version(), "cpus": os.cpu_count(), "platform": platform.platform()},
        "participants": args.participants,
        "refresh_s": args.refresh,
        "before_revision": args.before,
    }
    with tempfile.TemporaryDirectory(prefix="mk-live-") as tmp:
        folder = Path(tmp)
        before_src = extract(args.before, folder / "src")
        runs = {
            "before": {"PYTHONPATH": str(before_src)},
            "after": {},
        }
        for label, environment in runs.items():
            db = str(folder / f"{label}.sqlite")
            server = Server(db, environment=environment)
            server.start()
            try:
                results[label] = run(label, server, args)
            finally:
                server.stop()
    before = results["before"]["views"]["dashboard"]["states"]
    after = results["after"]["views"]["dashboard"]["states"]
    results["ratios_after_to_before"] = {
        state: round(after[state]["bytes_received_per_minute"] / before[state]["bytes_received_per_minute"], 4)
        for state in before
    }
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(results, indent=2) + "\n")
    print(json.dumps({k: results[k] for k in ("participants", "ratios_after_to_before")}, indent=2))
    for label in ("before", "after"):
        for view, data in results[label]["views"].items():
            for state, figures in data["states"].items():
                print(
                    f"{label:6} {view:9} {state:7} {figures['bytes_received_per_minute']:>10,} B/min received "
                    f"{figures['bytes_sent_per_minute']:>7,} B/min sent  304s {figures['not_modified']:>2}/"
                    f"{figures['polls_per_minute']}  median poll {figures['median_poll_ms']} ms"
                )
    return 0


if __name__ == "__main__":
    sys.exit(main())
