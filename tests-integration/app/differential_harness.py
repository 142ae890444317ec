"""Serves differential_app.py on aioweb.web and on aiohttp.web and sends a request to both.

``Servers`` runs aioweb's server in this process's event loop and aiohttp's in a
subprocess (this file run as a script, which calls ``serve_reference``);
``Servers.exchange`` sends one request with aiohttp's client to each and returns
what came back in a form two answers can be compared in (``UNCOMPARED`` and the
deliberate differences of docs/server.md left out).

No folder of tests-integration is a package or on sys.path (pytest runs with
``--import-mode=importlib``): the app module is loaded by its path, the way the
router tests load their examples, in this process and in the subprocess alike.
"""

from __future__ import annotations

import asyncio
import importlib.util
import subprocess
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import aiohttp
import aiohttp.web as aiohttp_web
from yarl import URL

from aioweb import web as aioweb_web

HERE = Path(__file__).resolve().parent


def load_app() -> ModuleType:
    """differential_app.py, loaded from this folder."""
    spec = importlib.util.spec_from_file_location("differential_app", HERE / "differential_app.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


app = load_app()


#: Response headers that differ by nature between the two servers, and Vary, which
#: aioweb sends whenever compression was negotiated, compressed or not (docs/server.md).
UNCOMPARED = {"Date", "Server", "Vary"}


def serve_reference() -> None:
    """Serve the app on aiohttp.web at 127.0.0.1, print the port, stop when stdin closes.

    Runs in a subprocess: aiohttp leaks the temporary files of a form whose reading
    fails, and this process turns every leak into a test failure (aioweb's included).
    """

    async def main() -> None:
        runner = aiohttp_web.AppRunner(app.build_app(aiohttp_web), access_log=None)
        await runner.setup()
        await aiohttp_web.TCPSite(runner, "127.0.0.1", 0).start()
        print(runner.addresses[0][1], flush=True)
        await asyncio.get_running_loop().run_in_executor(None, sys.stdin.read)
        await runner.cleanup()

    asyncio.run(main())


class Servers:
    """aioweb in this process's loop (it runs while a request is sent), aiohttp aside."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.runner: Any = None
        self.reference: subprocess.Popen[str] | None = None
        self.bases: dict[str, str] = {}
        self.sessions: dict[aiohttp.HttpVersion, aiohttp.ClientSession] = {}

    def start(self) -> None:
        self.reference = subprocess.Popen(
            [sys.executable, str(Path(__file__).resolve())],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        assert self.reference.stdout is not None
        self.bases["aiohttp"] = f"http://127.0.0.1:{int(self.reference.stdout.readline())}"
        self.loop.run_until_complete(self._start())

    async def _start(self) -> None:
        self.runner = aioweb_web.AppRunner(app.build_app(aioweb_web), access_log=None)
        await self.runner.setup()
        await aioweb_web.TCPSite(self.runner, "127.0.0.1", 0).start()
        self.bases["aioweb"] = f"http://127.0.0.1:{self.runner.addresses[0][1]}"
        for version in (aiohttp.HttpVersion10, aiohttp.HttpVersion11):
            self.sessions[version] = aiohttp.ClientSession(
                timeout=aiohttp.ClientTimeout(total=10), version=version
            )

    def close(self) -> None:
        try:
            self.loop.run_until_complete(self._close())
            self.loop.close()
        finally:
            reference = self.reference
            if reference is not None:
                assert reference.stdin is not None
                assert reference.stdout is not None
                reference.stdin.close()  # it stops by itself
                try:
                    reference.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    reference.kill()  # by its pid, which we started
                    reference.wait(timeout=10)
                reference.stdout.close()

    async def _close(self) -> None:
        for session in self.sessions.values():
            await session.close()
        if self.runner is not None:
            await self.runner.cleanup()

    def exchange(self, request: dict[str, Any]) -> dict[str, Any]:
        return self.loop.run_until_complete(self._exchange_both(request))

    async def _exchange_both(self, request: dict[str, Any]) -> dict[str, Any]:
        return {name: await self._exchange(base, request) for name, base in self.bases.items()}

    async def _exchange(self, base: str, request: dict[str, Any]) -> dict[str, Any]:
        try:
            return await self._exchange_once(base, request)
        except (TimeoutError, aiohttp.ClientError) as exc:
            # An answer the client cannot read (broken framing, a connection closed
            # early) must be just as broken from both servers.
            return {"error": type(exc).__name__}

    async def _exchange_once(self, base: str, request: dict[str, Any]) -> dict[str, Any]:
        url = URL(base + request["target"], encoded=True)
        async with self.sessions[request["version"]].request(
            request["method"],
            url,
            headers=request["headers"],
            data=request["body"],
            allow_redirects=False,
            skip_auto_headers=("Content-Type",),
            expect100=request.get("expect100", False),
        ) as resp:
            body = await resp.read()  # decoded by the client if compressed
            skip = UNCOMPARED
            unframed: set[tuple[str, str]] = set()
            if request["method"] == "HEAD":
                # Deliberate (docs/server.md): aioweb's HEAD answers carry the fields a
                # GET would get (Content-Length: 0, chunked, the default Content-Type);
                # aiohttp drops some.
                skip = UNCOMPARED | {"Content-Length", "Transfer-Encoding"}
                unframed = {("Content-Type", "application/octet-stream")}
            # No content, no coding: aioweb leaves Content-Encoding off a 204 or 304,
            # aiohttp names one after enable_compression() (docs/server.md).
            compressed = "Content-Encoding" in resp.headers and resp.status not in (204, 304)
            if "Content-Encoding" in resp.headers:
                # Deliberate (docs/server.md): aioweb prefers zstd, br, gzip, then
                # deflate, honours q-values and sends Vary; aiohttp takes deflate first.
                skip = skip | {"Content-Encoding", "Content-Length"}
            return {
                "status": resp.status,
                "reason": resp.reason,
                "version": resp.version,
                "compressed": compressed,
                "headers": sorted(
                    (name, value)
                    for name, value in resp.headers.items()
                    if name not in skip and (name, value) not in unframed
                ),
                "body": body.decode("latin-1"),
            }


if __name__ == "__main__":
    serve_reference()
