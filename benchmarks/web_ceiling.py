"""The ceiling for the web tool's submissions: the least a FastAPI endpoint can do to store one.

``POST /responses`` reads the JSON body, INSERTs it as one row into a SQLite table (WAL, ``synchronous=FULL``,
like the web tool) and answers 201 with a small JSON object. A synchronous endpoint, as the web tool's are (run
in Starlette's thread pool); one connection per thread, no ORM, no validation beyond "a JSON object", no
middleware, no logging. Nothing real can be cheaper on the same stack, so the web tool's rate is reported as a
fraction of this one's (``benchmarks/web_load.py``).

    MATRIXKIT_CEILING_DB=/tmp/ceiling.sqlite uvicorn --factory benchmarks.web_ceiling:app --port 8001

It runs with Starlette's default thread pool (40 threads), as a minimal endpoint would; with
``MATRIXKIT_CEILING_THREADS=N`` it uses N threads instead (the benchmark also measures it with the web tool's
own thread count, so that the comparison does not rest on a setting only one side has).
"""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
import threading
from collections.abc import AsyncIterator
from typing import Any

from fastapi import FastAPI
from fastapi.responses import JSONResponse

_local = threading.local()


def _connection(path: str) -> sqlite3.Connection:
    conn: sqlite3.Connection | None = getattr(_local, "conn", None)
    if conn is None:
        conn = sqlite3.connect(path, timeout=30, isolation_level=None, check_same_thread=False)
        conn.execute("PRAGMA busy_timeout=30000")
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=FULL")
        _local.conn = conn
    return conn


def app() -> FastAPI:
    path = os.environ["MATRIXKIT_CEILING_DB"]
    with sqlite3.connect(path) as setup:
        setup.execute("PRAGMA journal_mode=WAL")
        setup.execute("CREATE TABLE IF NOT EXISTS responses (id INTEGER PRIMARY KEY, body TEXT NOT NULL)")
    threads = os.environ.get("MATRIXKIT_CEILING_THREADS")

    @contextlib.asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        if threads:
            import anyio.to_thread

            anyio.to_thread.current_default_thread_limiter().total_tokens = int(threads)
        yield

    api = FastAPI(lifespan=lifespan)

    @api.post("/responses", status_code=201)
    def store(body: dict[str, Any]) -> JSONResponse:
        conn = _connection(path)
        conn.execute("BEGIN IMMEDIATE")
        row = conn.execute("INSERT INTO responses (body) VALUES (?) RETURNING id", (json.dumps(body),)).fetchone()
        conn.execute("COMMIT")
        return JSONResponse({"id": row[0]}, status_code=201)

    @api.get("/healthz")
    def health() -> dict[str, str]:
        return {"status": "ok"}

    return api
