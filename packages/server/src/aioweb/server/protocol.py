"""One HTTP/1.1 connection: parse in ``data_received``, serve requests in order.

Design (see docs/server.md):

* bytes are parsed as they arrive, without a task per chunk; parsed heads wait in a
  bounded queue (``max_pipelined``) and reading pauses while the queue is full or a
  body buffer is above its high-water mark (CVE-2026-54273);
* one task at a time serves the connection's requests in order. Each request gets a
  fresh task running in a copy of the connection's context, so context variables set
  by one request never leak into the next; an idle connection holds no task;
* one timer handle per connection enforces the head timeout (slowloris) and the
  keep-alive timeout. It is moved by storing a new deadline, not by rescheduling;
* an unread body is dropped undecoded before the next request (CVE-2026-54278); when
  too much of it is still to come the connection closes instead, lingering: it reads
  and drops what still comes, so that the client gets the answer.

Each request's task runs :func:`~aioweb.server._exchange.serve_request` (one request
and its response); the bytes after an upgrade go through an
:class:`~aioweb.server._upgrade.UpgradeChannel`.
"""

from __future__ import annotations

import asyncio
import contextvars
import functools
import logging
import socket
import sys
from collections import deque
from collections.abc import Callable
from typing import TYPE_CHECKING, Final, cast

from multidict import istr

from aioweb.http import HttpVersion10, is_valid_host
from aioweb.http.errors import BadHttpMessage, HttpProcessingError
from aioweb.http.message import EndOfMessage, RequestHead

from ._errors import raw_error_page
from ._exchange import serve_request, unread_body_allows_keep_alive
from ._upgrade import UpgradeChannel
from .streams import EMPTY_PAYLOAD, PayloadAccessError, RequestPayloadError, StreamReader

if TYPE_CHECKING:
    from .request import BaseRequest
    from .response import StreamResponse
    from .server import Server

__all__ = ["RequestHandler"]

server_logger: Final = logging.getLogger("aioweb.server")

#: Seconds a connection that has sent nothing yet may still deliver its first request
#: once the server is stopping (it was accepted just before; its client is not idle).
FRESH_CONNECTION_GRACE: Final = 0.25

# Feed the parser at most this much at a time while requests are queued, so one
# large read cannot produce thousands of queued heads at once.
_FEED_SLICE: Final = 16 * 1024


if sys.version_info >= (3, 12):
    # The task's first step runs at once, inside data_received, as aiohttp's handler
    # tasks do on 3.12+: a handler that answers without waiting costs no loop turn.
    # The request starts after the read's events, so that a body that came with its
    # head is there whole when the handler first reads it.
    _first_task: Callable[..., asyncio.Task[None]] = functools.partial(
        asyncio.Task, eager_start=True
    )
    _START_AFTER_READ: Final = True
else:
    # The first step waits for the loop anyway: start the request as its head arrives.
    _first_task = asyncio.Task
    _START_AFTER_READ = False

_HOST: Final = istr("Host")


class RequestHandler(asyncio.Protocol):
    """The protocol object of one client connection (created by :class:`Server`)."""

    __slots__ = (
        "__weakref__",
        "_backlog",
        "_body_pauses",
        "_close_after",
        "_closed",
        "_ctx",
        "_current",
        "_deadline",
        "_discard_from",
        "_discarding",
        "_drain_waiters",
        "_error",
        "_error_to_head",
        "_feeding",
        "_fresh",
        "_head_started",
        "_in_message",
        "_lingering",
        "_loop",
        "_parser",
        "_reading_paused",
        "_server",
        "_task",
        "_timer",
        "_upgraded",
        "_valid_host",
        "_waiting",
        "_writing_paused",
        "transport",
    )

    def __init__(self, server: Server, loop: asyncio.AbstractEventLoop) -> None:
        from aioweb.http.parser import RequestParser

        self._server = server
        self._loop = loop
        #: The connection's transport; None before connection_made and after it is lost.
        self.transport: asyncio.Transport | None = None
        self._parser = RequestParser(**server._parser_kwargs, chunk_boundaries=True)
        self._waiting: deque[tuple[RequestHead, StreamReader]] = deque()
        self._feeding: StreamReader | None = None
        self._fresh = True  # nothing received yet
        self._valid_host = ""  # the last Host value found valid ("" is)
        self._in_message = False
        self._lingering = False  # closing: reading and dropping what still comes
        self._head_started = False
        self._backlog = b""
        self._body_pauses = 0
        self._reading_paused = False
        self._writing_paused = False
        self._drain_waiters: list[asyncio.Future[None]] = []
        self._task: asyncio.Task[None] | None = None
        self._current: BaseRequest | None = None
        self._close_after = False
        self._closed: asyncio.Future[None] = loop.create_future()
        self._error: HttpProcessingError | None = None
        self._error_to_head = False  # the error answers a HEAD request: no body
        self._timer: asyncio.TimerHandle | None = None
        self._deadline = 0.0
        self._discarding: StreamReader | None = None
        self._discard_from = 0
        #: After an upgrade or CONNECT: where the raw bytes go (None while in HTTP).
        self._upgraded: UpgradeChannel | None = None
        self._ctx = contextvars.copy_context()

    def __repr__(self) -> str:
        state = "connected" if self.transport is not None else "disconnected"
        return f"<RequestHandler {state}>"

    # -- asyncio.Protocol ------------------------------------------------------

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        # uvloop's transports are not asyncio.Transport subclasses: narrow by cast.
        self.transport = transport = cast(asyncio.Transport, transport)
        server = self._server
        if server.tcp_keepalive:
            sock = transport.get_extra_info("socket")
            if sock is not None and sock.family in (socket.AF_INET, socket.AF_INET6):
                try:
                    sock.setsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE, 1)
                except OSError:  # pragma: no cover - platform dependent
                    pass
        self._set_deadline(self._loop.time() + server.request_head_timeout)
        server._connection_made(self)  # may shorten the deadline (a stopping server)

    def connection_lost(self, exc: BaseException | None) -> None:
        self.transport = None
        self._close_after = True
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        lost = ConnectionResetError("Connection lost")
        if self._feeding is not None:
            self._feeding.set_exception(lost)
            self._feeding = None
        for _, stream in self._waiting:
            stream.set_exception(lost)
        self._waiting.clear()
        waiters, self._drain_waiters = self._drain_waiters, []
        for waiter in waiters:
            if not waiter.done():
                waiter.set_exception(lost)
        task = self._task
        if task is not None and not task.done() and self._server.handler_cancellation:
            task.cancel()
        if not self._closed.done():
            self._closed.set_result(None)
        self._server._connection_lost(self)

    def pause_writing(self) -> None:
        self._writing_paused = True

    def resume_writing(self) -> None:
        self._writing_paused = False
        waiters, self._drain_waiters = self._drain_waiters, []
        for waiter in waiters:
            if not waiter.done():
                waiter.set_result(None)

    def eof_received(self) -> bool:
        try:
            self._parser.feed_eof()
        except HttpProcessingError:
            # The peer closed mid-message: for a handler reading the body that is a
            # disconnect (as in aiohttp), not a malformed request.
            if self._feeding is not None:
                self._feeding.set_exception(ConnectionResetError("Connection lost"))
                self._feeding = None
            self._in_message = False  # nothing more of it will come: no need to linger
        if (self._task is None and not self._waiting) or self._server.handler_cancellation:
            # Idle, or the client's FIN counts as going away (as in aiohttp): close.
            return False
        # Half-closed: answer what was asked, then close.
        self._close_after = True
        return True

    def data_received(self, data: bytes) -> None:
        self._fresh = False
        if self._upgraded is not None:
            self._deliver_upgraded(self._upgraded, data)
            return
        if self._close_after and (self._error is not None or self._lingering):
            return  # the stream is unparseable, or is being drained before closing
        if self._backlog:
            self._backlog += data
            self._update_reading()
            return
        self._feed(data)
        if self._task is None and not self._in_message and not self._head_started:
            self._start_head_timer()

    def _start_head_timer(self) -> None:
        # Part of a head is buffered: from now on the head timeout applies (slowloris).
        # A head that arrived whole started its request already and needs no timer.
        if self._parser.buffered and self.transport is not None:
            self._head_started = True
            self._set_deadline(self._loop.time() + self._server.request_head_timeout)

    # -- parsing -----------------------------------------------------------------

    def _feed(self, data: bytes) -> None:
        parser = self._parser
        max_pipelined = self._server.max_pipelined
        while data:
            if len(self._waiting) >= max_pipelined:
                self._backlog = data
                self._update_reading()
                return
            if self._waiting and len(data) > _FEED_SLICE:
                piece, data = data[:_FEED_SLICE], data[_FEED_SLICE:]
            else:
                piece, data = data, b""
            try:
                events = parser.feed(piece)
            except HttpProcessingError as exc:
                self._on_parse_error(exc)
                return
            # In the order of a usual read: a head, its body, its end.
            for event in events:
                if type(event) is RequestHead:
                    host = event.headers.get(_HOST)
                    # usually the same Host as the connection's last request
                    if host != self._valid_host and not self._check_host(event, host):
                        return
                    self._on_head(event)
                elif type(event) is bytes:
                    stream = self._feeding
                    if stream is not None:
                        stream.feed_data(event)
                        if stream is self._discarding:
                            self._check_discard(stream)
                            if self._lingering:
                                return  # too much to discard: the rest is dropped
                    elif self._upgraded is not None:
                        self._deliver_upgraded(self._upgraded, event)
                elif type(event) is EndOfMessage:
                    self._in_message = False
                    stream = self._feeding
                    if stream is not None:
                        self._feeding = None
                        stream.feed_eof(event.trailers)
                        if stream is self._discarding:
                            self._discarding = None
                    if parser.upgraded:
                        self._upgraded = UpgradeChannel(self._server.read_bufsize)
                else:  # CHUNK_END
                    stream = self._feeding
                    if stream is not None:
                        stream.end_http_chunk_receiving()
            if self._task is None and self._waiting:  # _START_AFTER_READ
                self._start_next()
            error = parser.error
            if error is not None:
                # Found after the events above (earlier requests are still answered).
                self._on_parse_error(error)
                return
            if self._upgraded is not None and data:
                self._deliver_upgraded(self._upgraded, data)
                return
        # Every other cause of a pause applies it where it arises; what is left to
        # decide here is a full queue, or a resume.
        if self._reading_paused or self._waiting:
            self._update_reading()

    def _check_host(self, head: RequestHead, host: str | None) -> bool:
        """Answer 400 and return False if the request's Host is missing or invalid.

        RFC 9112 3.2: a server MUST answer 400 to an HTTP/1.1 request without Host (the
        parser accepts it, as llhttp does) and to any request whose Host is invalid
        (one that could not form request.url).
        """
        if host is None:
            if head.version is HttpVersion10:
                return True
            error = BadHttpMessage("Missing Host header")
        elif is_valid_host(host):
            self._valid_host = host
            return True
        else:
            error = BadHttpMessage("Invalid Host header")
        self._error_to_head = head.method == "HEAD"
        self._on_parse_error(error)
        return False

    def _on_head(self, head: RequestHead) -> None:
        self._head_started = False
        self._in_message = True
        if head.chunked or head.content_length:  # head.has_body, without the call
            server = self._server
            compression = head.compression if server.auto_decompress else None
            stream = StreamReader(
                limit=server.read_bufsize,
                compression=compression,
                on_pause=self._on_body_pause,
                on_resume=self._on_body_resume,
            )
            self._feeding = stream
        else:
            stream = EMPTY_PAYLOAD
        if self._task is None and not self._waiting:
            self._deadline = 0.0
            if not _START_AFTER_READ:
                self._start(head, stream)
                return
        self._waiting.append((head, stream))

    def _on_parse_error(self, exc: HttpProcessingError) -> None:
        if self._lingering:
            # Answered and half-closed already (a handler that started at once may have
            # finished before this read's error came up): the rest is being dropped.
            return
        if self._task is None and self._waiting:
            # a request parsed from this same read, not started yet, is answered first
            self._start_next()
        self._close_after = True
        if self._in_message and self._feeding is not None:
            # The error belongs to a body: its request sees it when reading.
            self._feeding.set_exception(RequestPayloadError(exc.reason, status=exc.status))
            self._feeding = None
        else:
            self._error = exc
        if self._task is None and not self._waiting:
            self._send_error_and_close()
        elif self.transport is not None and not self._reading_paused:
            self._reading_paused = True
            self.transport.pause_reading()

    def _send_error_and_close(self) -> None:
        exc = self._error
        transport = self.transport
        if transport is None:
            return
        if exc is not None:
            self._error = None
            server_logger.debug("Bad request from client: %r", exc)
            self._server.requests_count += 1  # answered, as aiohttp counts it
            page = raw_error_page(exc.status, exc.reason, body=not self._error_to_head)
            transport.write(page)
            # No handler saw it, but it is a request that got an answer: log it.
            self._server._log_rejected(self, page)
        if exc is not None or self._in_message:
            self._linger()  # the client may still be sending
        else:
            transport.close()

    def _linger(self) -> None:
        """Close once the client has stopped sending, or after ``lingering_time``.

        Closing a socket with unread bytes makes the kernel reset the connection, and
        a client still sending (a body over the limit, say) may then lose the answer
        that was sent. So the answer is followed by a FIN, and what still comes is read
        and dropped until the client closes too, or the time is up.
        """
        transport = self.transport
        if transport is None or self._lingering:
            return
        self._lingering = True
        self._close_after = True
        if self._feeding is not None:
            self._feeding.set_exception(PayloadAccessError())
            self._feeding = None
        if transport.can_write_eof():
            transport.write_eof()
        if self._reading_paused:
            self._reading_paused = False
            transport.resume_reading()
        self._set_deadline(self._loop.time() + self._server.lingering_time)

    def _on_body_pause(self) -> None:
        self._body_pauses += 1
        self._update_reading()

    def _on_body_resume(self) -> None:
        self._body_pauses -= 1
        self._update_reading()

    def _update_reading(self) -> None:
        transport = self.transport
        if transport is None or self._lingering:
            return
        pause = (
            bool(self._backlog)
            or self._body_pauses > 0
            or len(self._waiting) >= self._server.max_pipelined
            or (self._close_after and self._error is not None)
            or (self._upgraded is not None and self._upgraded.full)
        )
        if pause != self._reading_paused:
            self._reading_paused = pause
            if pause:
                transport.pause_reading()
            else:
                transport.resume_reading()

    def _check_discard(self, stream: StreamReader) -> None:
        if stream.total_bytes - self._discard_from > self._server.max_discard_size:
            server_logger.debug("Closing: too much unread request body to discard")
            self._linger()

    # -- timers ------------------------------------------------------------------

    def _set_deadline(self, when: float) -> None:
        self._deadline = when
        timer = self._timer
        if timer is not None:
            if timer.when() <= when:
                return  # it fires earlier and re-arms itself for the new deadline
            timer.cancel()
        self._timer = self._loop.call_at(when, self._on_timer)

    def _on_timer(self) -> None:
        self._timer = None
        deadline = self._deadline
        if not deadline or self._task is not None:
            return
        if self._loop.time() < deadline:
            self._timer = self._loop.call_at(deadline, self._on_timer)
            return
        transport = self.transport
        if transport is not None:
            server_logger.debug("Closing idle or slow connection")
            transport.close()

    # -- serving -------------------------------------------------------------------

    def _start(
        self,
        head: RequestHead,
        stream: StreamReader,
        new_task: Callable[..., asyncio.Task[None]] = _first_task,
    ) -> None:
        """Serve a request in a task made by ``new_task`` (or the loop's task factory).

        A task that runs its first step at once (Python 3.12+, or an eager task
        factory) may be done when this returns: then it has finished the request, and
        maybe started the next one, already.
        """
        loop = self._loop
        coro = serve_request(self, head, stream)
        if loop.get_task_factory() is None:
            # What loop.create_task() does without a factory, minus its bookkeeping calls.
            task = new_task(coro, loop=loop, context=self._ctx.copy())
        else:
            task = loop.create_task(coro, context=self._ctx.copy())
        if not task.done():
            self._task = task

    def _start_next(self, new_task: Callable[..., asyncio.Task[None]] = _first_task) -> None:
        """Start the first waiting request (see :meth:`_start`)."""
        head, stream = self._waiting.popleft()
        self._start(head, stream, new_task)

    def _finish(self, keep_alive: bool) -> None:
        self._task = None
        self._current = None
        transport = self.transport
        if transport is None:
            return
        if not keep_alive:
            self._close_after = True
            if self._waiting:
                self._waiting.clear()
                self._error = None  # requests were dropped: answering a later error would lie
            self._send_error_and_close()
            return
        if self._backlog:
            data, self._backlog = self._backlog, b""
            self._feed(data)
        if self._task is None and self._waiting and not transport.is_closing():
            # After the request that ends here, not inside its task's step; not once the
            # connection is closing (a client's FIN with handler_cancellation, say).
            self._start_next(asyncio.Task)
            if self._reading_paused:
                self._update_reading()
        if self._task is None:
            if self._close_after:
                self._send_error_and_close()
                return
            if self._reading_paused:
                self._update_reading()
            if self._discarding is not None:
                # The rest of an unread body must arrive within lingering_time.
                self._set_deadline(self._loop.time() + self._server.lingering_time)
            elif not self._head_started:
                if self._parser.buffered:
                    self._start_head_timer()  # part of the next head is here already
                else:
                    self._set_deadline(self._loop.time() + self._server.keepalive_timeout)

    # -- flow control (the writer's view) -----------------------------------------

    @property
    def writing_paused(self) -> bool:
        """True while the transport's write buffer is above its high-water mark."""
        return self._writing_paused

    async def wait_writable(self) -> None:
        """Wait until the transport's buffer drains below its low-water mark."""
        if self.transport is None:
            raise ConnectionResetError("Connection lost")
        if not self._writing_paused:
            return
        waiter = self._loop.create_future()
        self._drain_waiters.append(waiter)
        await waiter

    # -- upgrades (WebSocket) -------------------------------------------------------

    def set_upgraded_receiver(self, receiver: Callable[[bytes], None] | None) -> None:
        """Route the bytes after an upgrade (``101``) to ``receiver``.

        Bytes that arrived before a receiver was set are delivered at once.
        """
        channel = self._upgraded
        if channel is None:
            channel = self._upgraded = UpgradeChannel(self._server.read_bufsize)
        if channel.set_receiver(receiver):
            self._update_reading()  # reading paused while the channel was full

    def _end_upgrade_not_taken(self, head: RequestHead, resp: StreamResponse | None) -> None:
        """Stay in HTTP if the answer to an upgrade or CONNECT did not switch protocols.

        A server may ignore Upgrade (RFC 9110 7.8), as most handlers do (curl asks for
        h2c, say); a CONNECT answered with other than 2xx opens no tunnel (9.3.6). The
        bytes held since are then the connection's next requests.
        """
        status = 0 if resp is None else resp.status
        if status == 101 if head.method != "CONNECT" else 200 <= status < 300:
            return
        channel = self._upgraded
        if channel is None:  # pragma: no cover - the caller checks
            return
        self._parser.decline_upgrade()
        self._upgraded = None
        self._backlog = channel.take_held() + self._backlog  # parsed by _finish

    def _deliver_upgraded(self, channel: UpgradeChannel, data: bytes) -> None:
        if channel.deliver(data) and not self._reading_paused:
            self._update_reading()  # full: stop reading until it has an owner

    def pause_reading(self) -> None:
        """Stop reading from the socket (for upgraded protocols)."""
        if self.transport is not None and not self._reading_paused:
            self._reading_paused = True
            self.transport.pause_reading()

    def resume_reading(self) -> None:
        """Resume reading from the socket (for upgraded protocols)."""
        if self.transport is not None and self._reading_paused:
            self._reading_paused = False
            self.transport.resume_reading()

    # -- shutdown ---------------------------------------------------------------------

    def keeps_alive_after(self, request: BaseRequest) -> bool:
        """Whether the connection can go on after ``request`` (its body considered).

        Not once the connection closes after the response in flight (requests already
        queued behind it, pipelined before an error or the client's end of stream, are
        still answered: then the last of them closes). A response head says
        ``Connection: close`` also when the answer leaves too much of the request's
        body unread to drop: the client then knows before it sends another request.
        """
        if self._close_after and not self._waiting:
            return False
        stream = request._payload
        return (
            stream is EMPTY_PAYLOAD
            or stream._eof  # all of it has arrived (is_eof(), without the call)
            or unread_body_allows_keep_alive(self, request._head, stream, request._writer)
        )

    @property
    def busy(self) -> bool:
        """True while a request is being served."""
        return self._task is not None

    def close(self) -> None:
        """Stop after the request in flight (idle connections close now).

        A connection that has received nothing yet was most likely accepted just
        before the server began to stop, its request still on the way: it gets
        :data:`FRESH_CONNECTION_GRACE` seconds to send it (answered, then closed).
        """
        self._close_after = True
        self._waiting.clear()
        transport = self.transport
        if transport is None or self._task is not None:
            return
        if self._fresh:
            self._set_deadline(self._loop.time() + FRESH_CONNECTION_GRACE)
            return
        transport.close()

    async def shutdown(self, timeout: float | None) -> None:  # noqa: ASYNC109 - aiohttp's API
        """Let the request in flight finish within ``timeout``, then cancel and close."""
        self.close()
        if not self._closed.done():
            done, _ = await asyncio.wait([self._closed], timeout=timeout)
            if not done:
                task = self._task
                if task is not None and not task.done():
                    task.cancel()
                    await asyncio.wait([task], timeout=1.0)
                transport = self.transport
                if transport is not None:
                    transport.abort()
