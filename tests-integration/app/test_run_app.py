"""run_app and ``python -m aioweb.web`` in a real subprocess: startup message, serving, signals.

Every subprocess is started by the test, waited on with a bound, and killed in a
``finally`` if it is still alive.
"""

from __future__ import annotations

import asyncio
import os
import re
import signal
import sys
import textwrap
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from pathlib import Path

import aiohttp
import httpx
import pytest

STARTUP = re.compile(r"^======== Running on (?P<names>.+) ========$")


class Proc:
    """A child process and the stdout lines read so far."""

    def __init__(self, proc: asyncio.subprocess.Process) -> None:
        self.proc = proc
        self.lines: list[str] = []

    async def read_until(self, predicate: str | re.Pattern[str], timeout: float = 10.0) -> str:
        """Read stdout lines until one matches; fail after *timeout* seconds."""
        assert self.proc.stdout is not None
        async with asyncio.timeout(timeout):
            while True:
                raw = await self.proc.stdout.readline()
                if not raw:
                    err = b""
                    if self.proc.stderr is not None:
                        err = await self.proc.stderr.read()
                    pytest.fail(f"child exited early; stdout={self.lines} stderr={err.decode()}")
                line = raw.decode().rstrip("\n")
                self.lines.append(line)
                if isinstance(predicate, str) and line == predicate:
                    return line
                if isinstance(predicate, re.Pattern) and predicate.match(line):
                    return line

    async def finish(self, timeout: float = 15.0) -> tuple[int, str, str]:
        """Wait for the exit; return (code, rest of stdout, stderr)."""
        out, err = await asyncio.wait_for(self.proc.communicate(), timeout)
        self.lines.extend(out.decode().splitlines())
        assert self.proc.returncode is not None
        return self.proc.returncode, out.decode(), err.decode()


@asynccontextmanager
async def child(args: Sequence[str], cwd: Path) -> AsyncIterator[Proc]:
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        *args,
        cwd=cwd,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        yield Proc(proc)
    finally:
        if proc.returncode is None:
            proc.kill()
            await asyncio.wait_for(proc.communicate(), 10.0)


SCRIPT = """
import asyncio, sys
from aioweb import web

async def root(request):
    return web.Response(text="root")

async def slow(request):
    print("slow started", flush=True)
    await asyncio.sleep(0.5)
    print("slow finished", flush=True)
    return web.Response(text="slow done")

async def on_shutdown(app):
    print("on_shutdown", flush=True)

async def on_cleanup(app):
    print("on_cleanup", flush=True)

async def make_app():
    app = web.Application()
    app.router.add_get("/", root)
    app.router.add_get("/slow", slow)
    app.on_shutdown.append(on_shutdown)
    app.on_cleanup.append(on_cleanup)
    return app

kwargs = dict(shutdown_timeout=5.0, access_log=None)
if sys.argv[1:] == ["unix"]:
    kwargs.update(host=["127.0.0.1"], port=0, path=sys.argv[0] + ".sock")
else:
    kwargs.update(host="127.0.0.1", port=0)
web.run_app(make_app(), **kwargs)
print("returned", flush=True)
"""


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
async def test_run_app_serves_then_exits_gracefully(tmp_path: Path, signum: int) -> None:
    script = tmp_path / "serve.py"
    script.write_text(textwrap.dedent(SCRIPT))
    async with child([str(script)], tmp_path) as proc:
        line = await proc.read_until(STARTUP)
        assert await proc.read_until("(Press CTRL+C to quit)")
        m = re.fullmatch(r"======== Running on http://127\.0\.0\.1:(\d+) ========", line)
        assert m, line
        base = f"http://127.0.0.1:{int(m.group(1))}"
        async with httpx.AsyncClient(timeout=10.0) as client:
            assert (await client.get(base + "/")).text == "root"
            slow = asyncio.create_task(client.get(base + "/slow"))
            await proc.read_until("slow started")
            proc.proc.send_signal(signum)
            resp = await asyncio.wait_for(slow, 10.0)
        assert resp.status_code == 200
        assert resp.text == "slow done"
        code, _, err = await proc.finish()
    assert code == 0, err
    tail = proc.lines[proc.lines.index("slow started") :]
    # on_shutdown runs while the request is still in flight; on_cleanup after it finished.
    assert tail == ["slow started", "on_shutdown", "slow finished", "on_cleanup", "returned"]


async def test_run_app_tcp_and_unix_sites_named_in_message(tmp_path: Path) -> None:
    script = tmp_path / "serve.py"
    script.write_text(textwrap.dedent(SCRIPT))
    sock_path = f"{script}.sock"
    async with child([str(script), "unix"], tmp_path) as proc:
        line = await proc.read_until(STARTUP)
        m = STARTUP.match(line)
        assert m
        names = m.group("names").split(", ")
        assert len(names) == 2
        tcp = next(n for n in names if n.startswith("http://127.0.0.1:"))
        assert f"http://unix:{sock_path}:" in names
        async with httpx.AsyncClient(timeout=10.0) as client:
            assert (await client.get(tcp + "/")).text == "root"
        connector = aiohttp.UnixConnector(path=sock_path)
        async with (
            aiohttp.ClientSession(connector=connector) as session,
            session.get("http://localhost/") as resp,
        ):
            assert await resp.text() == "root"
        proc.proc.send_signal(signal.SIGTERM)
        code, _, err = await proc.finish()
    assert code == 0, err


FACTORY = """
from aioweb import web

def make(argv):
    async def show(request):
        return web.json_response(argv)
    app = web.Application()
    app.router.add_get("/", show)
    return app

not_callable_app = 3
"""


async def test_cli_serves_factory_with_extra_args(tmp_path: Path) -> None:
    (tmp_path / "factorymod.py").write_text(textwrap.dedent(FACTORY))
    args = ["-m", "aioweb.web", "-H", "127.0.0.1", "-P", "0", "factorymod:make", "--x", "y"]
    async with child(args, tmp_path) as proc:
        line = await proc.read_until(STARTUP)
        m = re.fullmatch(r"======== Running on (http://127\.0\.0\.1:\d+) ========", line)
        assert m, line
        async with httpx.AsyncClient(timeout=10.0) as client:
            resp = await client.get(m.group(1) + "/")
        assert resp.json() == ["--x", "y"]
        proc.proc.send_signal(signal.SIGTERM)
        code, _, err = await proc.finish()
    assert code == 0, err
    assert "Stopped" in err


async def test_cli_unix_path_only(tmp_path: Path) -> None:
    (tmp_path / "factorymod.py").write_text(textwrap.dedent(FACTORY))
    sock_path = str(tmp_path / "cli.sock")
    async with child(["-m", "aioweb.web", "-U", sock_path, "factorymod:make"], tmp_path) as proc:
        line = await proc.read_until(STARTUP)
        assert line == f"======== Running on http://unix:{sock_path}: ========"
        connector = aiohttp.UnixConnector(path=sock_path)
        async with (
            aiohttp.ClientSession(connector=connector) as session,
            session.get("http://localhost/") as resp,
        ):
            assert await resp.json() == []
        proc.proc.send_signal(signal.SIGTERM)
        code, _, err = await proc.finish()
    assert code == 0, err


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ("factorymod", "module:function"),
        (".factorymod:make", "relative module"),
        ("no_such_module_xyz:make", "unable to import no_such_module_xyz"),
        ("factorymod:missing", "has no attribute 'missing'"),
    ],
)
async def test_cli_bad_entry_point(tmp_path: Path, entry: str, message: str) -> None:
    (tmp_path / "factorymod.py").write_text(textwrap.dedent(FACTORY))
    async with child(["-m", "aioweb.web", entry], tmp_path) as proc:
        code, _, err = await proc.finish()
    assert code == 2
    assert message in err
