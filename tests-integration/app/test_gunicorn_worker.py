"""The gunicorn workers, in a real gunicorn master (subprocess) on 127.0.0.1.

Serving and a graceful stop; two workers both serving; a HUP reload of the master
while a request is in flight (it completes, new workers take over, nothing sent
around the HUP fails); SIGTERM or SIGHUP to one worker finishes its request in flight
even past gunicorn's ``--timeout``. Every master is stopped by its pid.

Skipped where the optional ``gunicorn`` extra is missing (the dev environment has it);
the uvloop variant also needs ``uvloop``.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import signal
import sys
import textwrap
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest

pytest.importorskip("gunicorn", reason="the optional gunicorn extra is not installed")

from aioweb.app.worker import GunicornWebWorker

LISTENING = re.compile(rb"Listening at: http://127\.0\.0\.1:(\d+)")

APP = """
import asyncio
import os
import time
from aioweb import web

async def root(request):
    return web.Response(text="gunicorn ok")

async def slow(request):
    await asyncio.sleep(0.5)
    return web.Response(text="slow ok")

async def pid(request):
    # Blocking this worker's loop for a moment makes the other worker accept meanwhile.
    time.sleep(float(request.query.get("block", "0")))
    return web.Response(text=str(os.getpid()))

async def stream(request):
    resp = web.StreamResponse()
    resp.content_type = "text/plain"
    await resp.prepare(request)
    await resp.write(b"first %d\\n" % os.getpid())
    await asyncio.sleep(float(request.query["sleep"]))
    await resp.write(b"x" * 65536 + b"\\nlast\\n")
    return resp

app = web.Application()
app.router.add_get("/", root)
app.router.add_get("/slow", slow)
app.router.add_get("/pid", pid)
app.router.add_get("/stream", stream)

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


# --- several workers and a HUP reload -------------------------------------------------

BOOTED = re.compile(rb"Booting worker with pid: (\d+)")
EXITING = re.compile(rb"Worker exiting \(pid: (\d+)\)")
# Lines that must never appear: a worker killed, timed out, failing or crashing.
BAD_LOG = re.compile(rb"Traceback|WORKER TIMEOUT|SIGKILL|exited with code|was sent SIG(?!TERM)")


class Master:
    """A gunicorn master in a subprocess; its stderr is collected as it arrives."""

    def __init__(self, proc: asyncio.subprocess.Process) -> None:
        self.proc = proc
        self.log = bytearray()
        self._reader = asyncio.create_task(self._read())

    async def _read(self) -> None:
        assert self.proc.stderr is not None
        while line := await self.proc.stderr.readline():
            self.log += line

    def text(self) -> str:
        return self.log.decode(errors="replace")

    async def wait_log(self, pattern: re.Pattern[bytes], count: int, timeout: float) -> list[int]:
        """The numbers captured by ``pattern`` once it matched ``count`` times in the log."""
        async with asyncio.timeout(timeout):
            while len(found := pattern.findall(self.log)) < count:
                assert self.proc.returncode is None, self.text()
                await asyncio.sleep(0.02)
        return [int(n) for n in found]

    async def stop(self) -> int:
        """SIGTERM by pid, then the exit status (SIGKILL if it does not stop in time)."""
        if self.proc.returncode is None:
            self.proc.send_signal(signal.SIGTERM)
        try:
            await asyncio.wait_for(self.proc.wait(), 15)
        finally:
            if self.proc.returncode is None:
                self.proc.kill()
                await asyncio.wait_for(self.proc.wait(), 10)
            await asyncio.wait_for(self._reader, 10)
        return self.proc.returncode


async def start_master(tmp_path: Path, *args: str) -> Master:
    (tmp_path / "gapp.py").write_text(textwrap.dedent(APP))
    proc = await asyncio.create_subprocess_exec(
        *(sys.executable, "-m", "gunicorn", "gapp:app", "--bind", "127.0.0.1:0"),
        *("--worker-class", "aioweb.app.worker.GunicornWebWorker", *args),
        cwd=tmp_path,
        env=dict(os.environ, PYTHONPATH=os.pathsep.join([str(tmp_path), *sys.path])),
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE,
    )
    return Master(proc)


def fresh_client() -> httpx.AsyncClient:
    # No keep-alive: every request is a new connection, which any live worker may accept.
    return httpx.AsyncClient(timeout=10.0, limits=httpx.Limits(max_keepalive_connections=0))


async def get_pid(client: httpx.AsyncClient, base: str, block: float) -> int:
    resp = await client.get(base + "/pid", params={"block": str(block)})
    assert resp.status_code == 200, resp.text
    return int(resp.text)


async def pids_until(
    client: httpx.AsyncClient,
    base: str,
    done: Callable[[set[int]], bool],
    *,
    timeout: float,
    block: float = 0.02,
) -> tuple[set[int], int]:
    """8 clients send requests back to back until ``done(pids seen)``; (pids, requests sent).

    Each request blocks the worker that handles it for ``block`` seconds (so that the
    other workers get to accept); 0 makes requests come as fast as they are answered.
    Every request must succeed: an error or a non-200 fails the test.
    """
    seen: set[int] = set()
    sent = 0

    async def one_client() -> None:
        nonlocal sent
        while not done(seen):
            seen.add(await get_pid(client, base, block))
            sent += 1

    async with asyncio.timeout(timeout), asyncio.TaskGroup() as group:
        for _ in range(8):
            group.create_task(one_client())
    return seen, sent


async def wait_listening(master: Master, workers: int) -> tuple[str, list[int]]:
    port = (await master.wait_log(LISTENING, 1, 15))[0]
    return f"http://127.0.0.1:{port}", await master.wait_log(BOOTED, workers, 15)


async def test_gunicorn_two_workers_both_serve(tmp_path: Path) -> None:
    master = await start_master(tmp_path, "--workers", "2", "--graceful-timeout", "5")
    try:
        base, booted = await wait_listening(master, 2)
        assert len(set(booted)) == 2
        async with fresh_client() as client:
            seen, sent = await pids_until(client, base, lambda s: len(s) == 2, timeout=15)
        assert seen == set(booted), (seen, booted, sent)
    finally:
        status = await master.stop()
    assert status == 0, master.text()
    assert not BAD_LOG.search(master.log), master.text()


async def test_gunicorn_hup_reload_finishes_in_flight_request(tmp_path: Path) -> None:
    """SIGHUP to the master: new workers start, the old ones stop gracefully.

    A request in flight on an old worker completes with its full body; every request
    sent around the HUP (each on a new connection) gets a 200; then only new workers serve.
    """
    master = await start_master(tmp_path, "--workers", "2", "--graceful-timeout", "10")
    try:
        base, old = await wait_listening(master, 2)
        async with fresh_client() as client:
            await pids_until(client, base, lambda s: len(s) == 2, timeout=15)
            async with client.stream("GET", base + "/stream", params={"sleep": "2"}) as slow:
                chunks = slow.aiter_bytes()
                body = await asyncio.wait_for(anext(chunks), 5)
                while b"\n" not in body:
                    body += await asyncio.wait_for(anext(chunks), 5)
                slow_pid = int(body.split(b"\n")[0].split()[1])
                assert slow_pid in old

                def reloaded(seen: set[int]) -> bool:
                    return len(seen - set(old)) == 2 and len(EXITING.findall(master.log)) == 2

                # Requests on new connections, as fast as they are answered, from before
                # the HUP until both new workers have answered and both old ones exited:
                # none may fail.
                poll = asyncio.create_task(
                    pids_until(client, base, reloaded, timeout=15, block=0.0)
                )
                hup_at = len(master.log)
                try:
                    await asyncio.sleep(0.2)
                    master.proc.send_signal(signal.SIGHUP)
                    async with asyncio.timeout(10):
                        async for chunk in chunks:
                            body += chunk
                except BaseException:
                    poll.cancel()
                    with contextlib.suppress(asyncio.CancelledError):
                        await poll
                    raise
                seen, sent = await poll
            assert slow.status_code == 200
            assert body == b"first %d\n" % slow_pid + b"x" * 65536 + b"\nlast\n"
            new = await master.wait_log(BOOTED, 4, 10)
            assert set(new[2:]).isdisjoint(old), (old, new)
            assert seen - set(old) == set(new[2:]), (seen, old, new, sent)
            # The old workers exited by themselves (no SIGKILL, no error exit status) ...
            exited = await master.wait_log(EXITING, 2, 15)
            assert set(exited) == set(old), master.text()
            assert b"Hang up" in master.log[hup_at:]
            # ... and after that only the new ones serve.
            after, _ = await pids_until(client, base, lambda s: len(s) == 2, timeout=15)
            assert after == set(new[2:])
    finally:
        status = await master.stop()
    assert status == 0, master.text()
    assert not BAD_LOG.search(master.log), master.text()


@pytest.mark.parametrize(
    ("sig", "sleep"),
    # SIGTERM: the request outlasts --timeout 2, so the worker must keep its heartbeat
    # while it finishes (or the master kills it as hung). SIGHUP reaching a worker
    # (e.g. sent to the whole process group) stops it the same graceful way.
    [(signal.SIGTERM, 4.0), (signal.SIGHUP, 1.0)],
    ids=["SIGTERM", "SIGHUP"],
)
async def test_gunicorn_worker_signal_finishes_in_flight_request(
    tmp_path: Path, sig: signal.Signals, sleep: float
) -> None:
    master = await start_master(
        tmp_path, "--workers", "1", "--timeout", "2", "--graceful-timeout", "10"
    )
    try:
        base, (old,) = await wait_listening(master, 1)
        async with fresh_client() as client:
            await pids_until(client, base, lambda s: len(s) == 1, timeout=15)
            async with client.stream("GET", base + "/stream", params={"sleep": str(sleep)}) as slow:
                chunks = slow.aiter_bytes()
                body = await asyncio.wait_for(anext(chunks), 5)
                os.kill(old, sig)
                async with asyncio.timeout(sleep + 5):
                    async for chunk in chunks:
                        body += chunk
            assert slow.status_code == 200
            assert body == b"first %d\n" % old + b"x" * 65536 + b"\nlast\n"
            assert await master.wait_log(EXITING, 1, 10) == [old]
            booted = await master.wait_log(BOOTED, 2, 10)
            seen, _ = await pids_until(client, base, lambda s: len(s) == 1, timeout=15)
            assert seen == {booted[1]}
    finally:
        status = await master.stop()
    assert status == 0, master.text()
    assert not BAD_LOG.search(master.log), master.text()


# --- start-up failures and stop signals sent to the whole process group -----------------
# These run against AIOWEB_IMPL: aiohttp's worker is the reference.

WORKER_CLASS = {
    "aioweb": "aioweb.app.worker.GunicornWebWorker",
    "aiohttp": "aiohttp.GunicornWebWorker",
}

IMPL_APP = """
import os
from importlib import import_module

web = import_module(os.environ["GAPP_WEB"])

async def root(request):
    return web.Response(text="gunicorn ok")

async def failing_startup(app):
    raise RuntimeError("start-up failed on purpose")

app = web.Application()
app.router.add_get("/", root)

broken = web.Application()
broken.on_startup.append(failing_startup)
"""


async def start_impl_master(tmp_path: Path, impl: str, target: str) -> Master:
    """A master serving ``target`` of IMPL_APP with *impl*'s worker, in its own session."""
    (tmp_path / "gapp.py").write_text(textwrap.dedent(IMPL_APP))
    proc = await asyncio.create_subprocess_exec(
        *(sys.executable, "-m", "gunicorn", target, "--bind", "127.0.0.1:0"),
        *("--worker-class", WORKER_CLASS[impl], "--graceful-timeout", "5"),
        cwd=tmp_path,
        env=dict(
            os.environ,
            GAPP_WEB=f"{impl}.web",
            PYTHONPATH=os.pathsep.join([str(tmp_path), *sys.path]),
        ),
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE,
        start_new_session=True,  # its own process group, so that the test can signal it
    )
    return Master(proc)


async def test_gunicorn_startup_failure_stops_the_master(tmp_path: Path, impl: str) -> None:
    # A worker whose application cannot start counts as "failed to boot": the master
    # stops with gunicorn's code 3 instead of forking failing workers forever.
    master = await start_impl_master(tmp_path, impl, "gapp:broken")
    try:
        await asyncio.wait_for(master.proc.wait(), 20)
        await asyncio.wait_for(master._reader, 10)
    finally:
        await master.stop()
    assert master.proc.returncode == 3, master.text()
    assert "Worker failed to boot" in master.text()
    assert "start-up failed on purpose" in master.text()
    assert len(BOOTED.findall(master.log)) == 1, master.text()


async def test_gunicorn_sigterm_to_the_process_group_is_a_clean_exit(
    tmp_path: Path, impl: str
) -> None:
    # systemd (KillMode=control-group) signals every process of the service: the
    # worker gets SIGTERM directly and again from the master. Each round is a new master.
    for _ in range(3):
        master = await start_impl_master(tmp_path, impl, "gapp:app")
        try:
            base, _ = await wait_listening(master, 1)
            async with fresh_client() as client, asyncio.timeout(10):
                while True:  # the worker may still be starting its site
                    try:
                        resp = await client.get(base + "/")
                        break
                    except httpx.ConnectError:
                        await asyncio.sleep(0.05)
            assert resp.text == "gunicorn ok"
            os.killpg(master.proc.pid, signal.SIGTERM)
            await asyncio.wait_for(master.proc.wait(), 15)
        finally:
            await master.stop()
        assert master.proc.returncode == 0, master.text()
        assert b"was sent SIG" not in master.log, master.text()
        assert b"Traceback" not in master.log, master.text()
