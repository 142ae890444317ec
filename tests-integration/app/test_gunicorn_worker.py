"""The gunicorn workers, in a real gunicorn master (subprocess) on 127.0.0.1.

Runs only where the optional ``gunicorn`` extra is installed (it is not part of the
default dev environment); the uvloop variant also needs ``uvloop``.
"""

from __future__ import annotations

import asyncio
import os
import re
import signal
import sys
import textwrap
from pathlib import Path

import httpx
import pytest

pytest.importorskip("gunicorn", reason="the optional gunicorn extra is not installed")

from aioweb.app.worker import GunicornWebWorker

LISTENING = re.compile(rb"Listening at: http://127\.0\.0\.1:(\d+)")

APP = """
import asyncio
from aioweb import web

async def root(request):
    return web.Response(text="gunicorn ok")

async def slow(request):
    await asyncio.sleep(0.5)
    return web.Response(text="slow ok")

app = web.Application()
app.router.add_get("/", root)
app.router.add_get("/slow", slow)

async def make():
    return app
"""


def test_gunicorn_log_format_translation() -> None:
    worker = GunicornWebWorker.__new__(GunicornWebWorker)
    default = GunicornWebWorker.DEFAULT_GUNICORN_LOG_FORMAT
    assert worker._get_valid_log_format(default) == GunicornWebWorker.DEFAULT_AIOHTTP_LOG_FORMAT
    assert worker._get_valid_log_format('%a "%r" %s') == '%a "%r" %s'
    with pytest.raises(ValueError, match="not supported"):
        worker._get_valid_log_format("%(h)s %(r)s")


@pytest.mark.parametrize(
    ("worker", "target"),
    [("GunicornWebWorker", "gapp:app"), ("GunicornWebWorker", "gapp:make")]
    + ([("GunicornUVLoopWebWorker", "gapp:app")] if sys.platform != "win32" else []),
)
async def test_gunicorn_serves_and_stops_gracefully(
    tmp_path: Path, worker: str, target: str
) -> None:
    if worker.startswith("GunicornUVLoop"):
        pytest.importorskip("uvloop", reason="the optional uvloop extra is not installed")
    (tmp_path / "gapp.py").write_text(textwrap.dedent(APP))
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "gunicorn",
        target,
        "--bind",
        "127.0.0.1:0",
        "--workers",
        "1",
        "--graceful-timeout",
        "5",
        "--worker-class",
        f"aioweb.app.worker.{worker}",
        cwd=tmp_path,
        env=dict(os.environ, PYTHONPATH=os.pathsep.join([str(tmp_path), *sys.path])),
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE,
    )
    log = bytearray()
    try:
        assert proc.stderr is not None
        async with asyncio.timeout(15):
            while not (m := LISTENING.search(log)) or b"Booting worker" not in log:
                line = await proc.stderr.readline()
                assert line, log.decode()
                log += line
        base = f"http://127.0.0.1:{int(m.group(1))}"
        async with httpx.AsyncClient(timeout=10.0) as client:
            async with asyncio.timeout(10):
                while True:  # the worker may still be starting its site
                    try:
                        resp = await client.get(base + "/")
                        break
                    except httpx.ConnectError:
                        await asyncio.sleep(0.05)
            assert resp.text == "gunicorn ok"
            slow = asyncio.create_task(client.get(base + "/slow"))
            await asyncio.sleep(0.1)
            proc.send_signal(signal.SIGTERM)
            assert (await asyncio.wait_for(slow, 10)).text == "slow ok"
        _, rest = await asyncio.wait_for(proc.communicate(), 15)
        log += rest
        assert proc.returncode == 0, log.decode()
        assert b"Traceback" not in log, log.decode()
    finally:
        if proc.returncode is None:
            proc.kill()
            await asyncio.wait_for(proc.communicate(), 10)
