"""CPU cost per request of the server's own code, without sockets or a load generator.

Run: ``hatch run bench inproc [--quick] [--requests N] [--rounds N] [--stack app]``.

Each server's connection protocol (aioweb's ``Server`` and aiohttp's ``web.Server``, with
the handlers of ``_servers/serve_*.py``; with ``--stack app``, the full-stack bench
application of ``_servers/app_common.py`` — 200 routes, one middleware — behind each
framework's ``AppRunner``) is driven by event-loop callbacks over a fake transport: every
response's ``write`` schedules the next request's ``data_received``, as a busy keep-alive
connection would. No socket and no other process take part (the only syscall is the
loop's zero-timeout poll, twice per request for either server), so the numbers move far less
than wrk's (about 2% between runs) and show what a change on the per-request path does. They
leave out what the kernel does for each request (``recv``/``send``), which both servers pay
alike; wrk's benches include it.

Prints microseconds of process CPU time per request, best of ``--rounds`` interleaved
rounds, and the ratio aiohttp/aioweb (> 1: aioweb is cheaper). For instruction and cycle
counts, run one server under ``perf stat -e instructions:u,cycles:u`` with two request
counts and divide the differences (``--only aioweb --requests N``).
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

# The handlers are those of the wrk bench's servers (_servers/serve_*.py).
sys.path.insert(0, str(Path(__file__).resolve().parent / "_servers"))
HEAD = b"Host: 127.0.0.1:8080\r\nUser-Agent: wrk\r\nAccept: */*\r\n"
REQUESTS = {
    "plaintext": b"GET /plaintext HTTP/1.1\r\n" + HEAD + b"\r\n",
    "json": b"GET /json HTTP/1.1\r\n" + HEAD + b"\r\n",
    "post-4k": b"POST /echo HTTP/1.1\r\n"
    + HEAD
    + b"Content-Type: application/octet-stream\r\nContent-Length: 4096\r\n\r\n"
    + b"x" * 4096,
}
#: The app bench's extra workload: a dynamic route registered 190th of 200.
APP_REQUESTS = {
    **REQUESTS,
    "dynamic": b"GET /api/v2/widgets/12345 HTTP/1.1\r\n" + HEAD + b"\r\n",
}


#: A protocol factory, as passed to loop.create_server: both servers are one.
Factory = Callable[[], asyncio.Protocol]


class ChainTransport(asyncio.Transport):
    """Accepts every write; each response's write schedules the next request."""

    def __init__(self, loop: asyncio.AbstractEventLoop, request: bytes, count: int) -> None:
        super().__init__()
        self.loop = loop
        self.request = request
        self.left = count
        self.protocol: asyncio.Protocol | None = None
        self.done: asyncio.Future[None] = loop.create_future()
        self.closing = False
        self.first = b""  # the first response, to check it is a 200

    def write(self, data: bytes | bytearray | memoryview) -> None:
        if not self.first:
            self.first = bytes(data)
        self.left -= 1
        if self.left > 0:
            assert self.protocol is not None
            self.loop.call_soon(self.protocol.data_received, self.request)
        elif not self.done.done():
            self.done.set_result(None)

    def is_closing(self) -> bool:
        return self.closing

    def close(self) -> None:
        self.closing = True

    def abort(self) -> None:
        self.closing = True

    def get_extra_info(self, name: str, default: Any = None) -> Any:
        return {"peername": ("127.0.0.1", 40000), "sockname": ("127.0.0.1", 8080)}.get(
            name, default
        )

    def pause_reading(self) -> None:
        pass

    def resume_reading(self) -> None:
        pass

    def is_reading(self) -> bool:
        return True


def aioweb_factory() -> Factory:
    from serve_aioweb import handler  # type: ignore[import-not-found]  # on sys.path above

    from aioweb.server import Server

    return Server(handler, access_log=None)


def aiohttp_factory() -> Factory:
    from aiohttp import web
    from serve_aiohttp import handler  # type: ignore[import-not-found]  # on sys.path above

    return web.Server(handler, access_log=None)


SERVERS: dict[str, Callable[[], Factory]] = {
    "aioweb": aioweb_factory,
    "aiohttp": aiohttp_factory,
}


def app_web(name: str) -> Any:
    """The ``web`` module of a framework by server name (the app stack)."""
    if name == "aioweb":
        from aioweb import web
    else:
        from aiohttp import web  # type: ignore[no-redef]  # same names, other framework
    return web


async def serve(
    make: Callable[[], Factory], request: bytes, n: int, *, app: str | None = None
) -> float:
    """Serve ``n`` requests on one connection; microseconds of CPU time per request.

    With ``app`` (a server name), the bench application of ``app_common`` runs behind
    that framework's ``AppRunner`` instead of ``make``'s low-level server.
    """
    loop = asyncio.get_running_loop()
    runner = None
    if app is not None:
        from app_common import build_app  # type: ignore[import-not-found]  # on sys.path

        web = app_web(app)
        runner = web.AppRunner(build_app(web), access_log=None)
        await runner.setup()
        protocol = runner.server()
    else:
        protocol = make()()
    transport = ChainTransport(loop, request, n)
    transport.protocol = protocol
    protocol.connection_made(transport)
    started = time.process_time()
    loop.call_soon(protocol.data_received, request)
    await transport.done
    took = time.process_time() - started
    if not transport.first.startswith(b"HTTP/1.1 200 "):
        raise SystemExit(f"not a 200 response: {transport.first[:200]!r}")
    transport.close()
    protocol.connection_lost(None)
    if runner is not None:
        await runner.cleanup()
    return took / n * 1e6


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bench_inproc", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="fewer requests and rounds")
    parser.add_argument("--requests", type=int, help="requests per round (default 50,000)")
    parser.add_argument("--rounds", type=int, help="interleaved rounds (default 5)")
    parser.add_argument("--only", choices=tuple(SERVERS), help="one server (for perf stat)")
    parser.add_argument(
        "--stack",
        choices=("server", "app"),
        default="server",
        help="the low-level server (default) or the full-stack bench app",
    )
    parser.add_argument("--workloads", help="comma-separated subset (default: all)")
    args = parser.parse_args(argv)
    requests = APP_REQUESTS if args.stack == "app" else REQUESTS
    n = args.requests or (10_000 if args.quick else 50_000)
    rounds = args.rounds or (2 if args.quick else 5)
    names = [args.only] if args.only else list(SERVERS)
    workloads = [w for w in (args.workloads or ",".join(requests)).split(",") if w]
    for w in workloads:
        if w not in requests:
            parser.error(f"unknown workload {w!r}; known: {', '.join(requests)}")
    best: dict[tuple[str, str], float] = {}
    for _ in range(rounds):
        for w in workloads:
            for name in names:
                app = name if args.stack == "app" else None
                us = asyncio.run(serve(SERVERS[name], requests[w], n, app=app))
                best[(w, name)] = min(best.get((w, name), us), us)
    stack = "full-stack app (AppRunner)" if args.stack == "app" else "low-level server"
    print(
        f"Python {sys.version.split()[0]}; {stack}; {n:,} requests per round, "
        f"best of {rounds} rounds"
    )
    print()
    header = " | ".join(f"{name} µs/request" for name in names)
    print(f"| workload | {header} |" + (" aiohttp/aioweb |" if len(names) == 2 else ""))
    print("|---|" + "---:|" * (len(names) + (1 if len(names) == 2 else 0)))
    for w in workloads:
        cells = " | ".join(f"{best[(w, name)]:.2f}" for name in names)
        ratio = f" {best[(w, 'aiohttp')] / best[(w, 'aioweb')]:.2f}x |" if len(names) == 2 else ""
        print(f"| {w} | {cells} |{ratio}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
