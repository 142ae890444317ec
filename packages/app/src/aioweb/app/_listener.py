"""Closing a site's listening server without losing connections the kernel completed.

When a site stops, a client whose TCP handshake the kernel has already completed
believes it is connected. Three windows would lose such a client, with a reset or
with no answer at all:

- asyncio's selector loop accepts a connection in one loop iteration and makes its
  transport in the next; closing the server in between drops the socket without a
  word (CPython issue gh-109564);
- the transport exists but the protocol's ``connection_made`` has not run yet, so the
  server's graceful shutdown does not know the connection;
- the connection still waits in the kernel's accept queue, and closing the last
  handle on the listening socket resets it.

:func:`close_listener` stops the loop's accepting first, lets what it accepted become
connections, accepts what is still queued itself and hands it to the same protocol
factory, then closes the server. Every such connection then belongs to the server's
graceful shutdown, which answers one request on it (``Connection: close``).
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import ssl
import sys
from asyncio import selector_events
from collections.abc import Callable, Iterable
from typing import Any

__all__ = ["close_listener"]

#: Seconds a connection taken from the accept queue may spend in its TLS handshake.
_QUEUED_HANDSHAKE_TIMEOUT = 5.0


async def close_listener(
    server: asyncio.AbstractServer,
    protocol_factory: Callable[[], asyncio.BaseProtocol],
    *,
    ssl_context: ssl.SSLContext | None,
    backlog: int,
) -> None:
    """Close *server*; connections it was handed are passed to *protocol_factory*.

    At most *backlog* queued connections are taken over, on POSIX systems. uvloop
    makes a transport as it accepts, so only the queue needs this there; on Windows
    the server is simply closed.
    """
    loop = asyncio.get_running_loop()
    sockets: Iterable[Any] = getattr(server, "sockets", None) or ()
    listening = [(sock.fileno(), sock.family, sock.type) for sock in sockets]
    if isinstance(loop, selector_events.BaseSelectorEventLoop) and listening:
        for fd, _, _ in listening:
            loop.remove_reader(fd)
        # What the loop accepted before this point gets its transport in this iteration.
        await asyncio.sleep(0)
    queued: list[socket.socket] = []
    if sys.platform != "win32":
        # No await from here to close(): nothing else accepts meanwhile.
        for fd, family, kind in listening:
            queued += _take_queued(fd, family, kind, backlog - len(queued))
    server.close()
    if queued:
        await asyncio.gather(
            *(_adopt(loop, protocol_factory, conn, ssl_context) for conn in queued)
        )
    # connection_made of the transports made above runs one iteration after them.
    await asyncio.sleep(0)


def _take_queued(fd: int, family: int, kind: int, limit: int) -> list[socket.socket]:
    # A second handle on the listening socket: asyncio exposes only wrappers of it.
    try:
        listener = socket.fromfd(fd, family, kind)
    except OSError:  # e.g. out of file descriptors: leave the queue to the close
        return []
    taken: list[socket.socket] = []
    with listener:
        listener.setblocking(False)
        for _ in range(limit):  # accepts tried, so that nothing here loops unbounded
            try:
                conn, _ = listener.accept()
            except BlockingIOError:
                break  # the queue is empty
            except (InterruptedError, ConnectionAbortedError):
                continue  # that client left while queued; others may wait behind it
            except OSError:  # e.g. out of file descriptors: leave the rest queued
                break
            taken.append(conn)
    return taken


async def _adopt(
    loop: asyncio.AbstractEventLoop,
    protocol_factory: Callable[[], asyncio.BaseProtocol],
    conn: socket.socket,
    ssl_context: ssl.SSLContext | None,
) -> None:
    try:
        await loop.connect_accepted_socket(
            protocol_factory,
            conn,
            ssl=ssl_context,
            ssl_handshake_timeout=_QUEUED_HANDSHAKE_TIMEOUT if ssl_context else None,
        )
    except OSError:  # ssl.SSLError and TimeoutError included
        # The client went away while queued, or failed its handshake.
        with contextlib.suppress(OSError):
            conn.close()
