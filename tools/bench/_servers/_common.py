"""Start-up shared by the servers under test: argument parsing, event loop, READY line.

Imports only the standard library so that it adds nothing to a server's memory that the
other servers do not also pay.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import os
import signal
import sys
from collections.abc import Callable

PLAINTEXT = b"Hello, World!"
JSON_MESSAGE = {"message": "Hello, World!"}


def parse_args(description: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port")
    parser.add_argument("--uvloop", action="store_true", help="use uvloop's event loop")
    parser.add_argument(
        "--profile", metavar="FILE", help="run under cProfile; write stats to FILE on SIGTERM"
    )
    return parser.parse_args()


def serve(
    args: argparse.Namespace, make_factory: Callable[[], Callable[[], asyncio.BaseProtocol]]
) -> None:
    """Listen with the protocol factory that ``make_factory()`` returns (called inside the
    running loop, as aiohttp's Server requires), print ``READY <port> <pid>`` and run until
    SIGTERM or SIGINT.

    The bench reads the READY line to learn the port (port 0 avoids collisions) and stops
    the process by its pid with SIGTERM.
    """
    if args.uvloop:
        try:
            import uvloop
        except ImportError:
            sys.exit("--uvloop given but uvloop is not installed")
        loop: asyncio.AbstractEventLoop = uvloop.new_event_loop()
    else:
        loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)

    async def start() -> asyncio.Server:
        return await loop.create_server(make_factory(), args.host, args.port, backlog=1024)

    server = loop.run_until_complete(start())
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, loop.stop)
    port = server.sockets[0].getsockname()[1]
    print(f"READY {port} {os.getpid()}", flush=True)
    profiler = cProfile.Profile() if args.profile else None
    if profiler is not None:
        profiler.enable()
    try:
        loop.run_forever()
    finally:
        if profiler is not None:
            profiler.disable()
            profiler.dump_stats(args.profile)
        server.close()
        # Idle keep-alive connections may remain; the process ends anyway, so skip the
        # slow orderly teardown that would only add noise to the bench's wall time.
        sys.stdout.flush()
        os._exit(0)
