"""One request and its response on a connection: the coroutine each request task runs.

:class:`~aioweb.server.protocol.RequestHandler` (the connection) parses, queues and
starts requests; :func:`serve_request` builds the request object, runs the handler,
turns what it returned or raised into a response, sends it, and tells the connection
whether it can go on (keep-alive, what to do with a body left unread). The two are one
state machine split in two modules: this one reads and sets the connection's fields.
"""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING, Final

from multidict import istr

from aioweb.http.message import RequestHead

from ._errors import (
    error_page_text,
    handler_error_response,
    not_a_response,
    raw_error_page,
    response_for_page,
)
from .response import Response, StreamResponse
from .streams import EMPTY_PAYLOAD, PayloadAccessError, StreamReader
from .writer import StreamWriter

if TYPE_CHECKING:
    from .protocol import RequestHandler
    from .request import BaseRequest

__all__ = ["expects_continue", "serve_request", "unread_body_allows_keep_alive"]

server_logger: Final = logging.getLogger("aioweb.server")
_current_task: Final = asyncio.current_task
_EXPECT: Final = istr("Expect")


def expects_continue(head: RequestHead) -> bool:
    """Whether the client waits for ``100 Continue`` before sending the body."""
    value = head.headers.get(_EXPECT)
    return value is not None and head.version >= (1, 1) and value.lower() == "100-continue"


async def serve_request(conn: RequestHandler, head: RequestHead, stream: StreamReader) -> None:
    """Serve one request of ``conn``, then hand the connection back (``conn._finish``)."""
    server = conn._server
    server.requests_count += 1
    writer = StreamWriter(conn)
    task = conn._task
    if task is None:  # this first step runs inside conn._start (eager start)
        task = conn._task = _current_task(conn._loop)
        assert task is not None
    keep_alive = False
    try:
        request = server._request_factory(head, stream, conn, writer, task)
    except Exception:
        server_logger.exception("Error creating the request object")
        _write_raw_500(conn, head)
        conn._finish(keep_alive)
        return
    if stream is not EMPTY_PAYLOAD and expects_continue(head):
        stream._on_first_read = writer.send_continue
    conn._current = request
    access_logger = server._access_logger
    log_access = access_logger is not None and access_logger.enabled
    start = conn._loop.time() if log_access else 0.0
    resp: StreamResponse | None = None
    try:
        try:
            # Typed loosely on purpose: handlers do return other things by mistake.
            result: object = await server._handler(request)
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            # A head still queued (a Response prepared, its body not sent) has not begun
            # the answer: it is dropped for the error page, as aiohttp does.
            if writer.output_size or (writer._pending and not writer.discard_unsent_head()):
                if isinstance(exc, ConnectionError) and _gone(conn):
                    raise  # the client went away mid-response: nothing to log
                raise _AnswerBegun("Error handling request after its response began") from exc
            if isinstance(exc, ConnectionError) and exc is stream.exception():
                # The client ended or dropped the connection before the body it announced
                # was complete, and the handler's read failed on that: the client's fault.
                if _gone(conn):
                    raise
                server_logger.debug("Request body cut short by the client: %r", exc)
                resp = Response(status=400, text=error_page_text(400, "incomplete request body"))
            else:
                resp = handler_error_response(
                    exc, request, debug=server.debug, client_gone=_gone(conn)
                )
        else:
            # type() first: isinstance() of an ABC subclass goes through ABCMeta.
            resp = (
                result
                if type(result) is Response or isinstance(result, StreamResponse)
                else not_a_response(result)
            )
            if resp._writer is None and (
                writer.output_size or (writer._pending and not writer.discard_unsent_head())
            ):
                raise _AnswerBegun("Handler returned another response than the one it began")
        hook = request._on_prepare
        if (
            resp._writer is None
            and not resp._eof_sent
            and (
                resp._send_at_once(request)
                if hook is None
                else await resp._send_hooked(request, hook)
            )
        ):
            # Head and body left in one write, without the prepare/write_eof coroutines.
            keep_alive = bool(resp._keep_alive)
            if conn._writing_paused:
                await conn.wait_writable()
        else:
            keep_alive = await _send_response(request, resp)
        keep_alive = keep_alive and not server._shutting_down
    except asyncio.CancelledError:
        # The client went away with handler_cancellation on, or shutdown cancelled us.
        server_logger.debug("Request handler cancelled")
        keep_alive = False
    except ConnectionError:
        server_logger.debug("Connection lost while sending the response")
        keep_alive = False
    except _AnswerBegun as exc:
        # Its head (and maybe part of its body) has left: another answer would land
        # inside that body. Closing tells the client the response is cut short.
        server_logger.error("%s; closing the connection", exc.args[0], exc_info=exc.__cause__)
        keep_alive = False
    except Exception as exc:
        keep_alive = False
        page = _send_failed(conn, head, writer, exc)
        if page:
            resp = response_for_page(page)  # the access log tells what was sent
    except BaseException:
        # KeyboardInterrupt, SystemExit or another BaseException out of the handler: it
        # goes on up, but the connection must not stay open with nobody serving it (the
        # client would wait for an answer, and shutdown for the connection).
        conn._finish(False)
        raise
    if stream is not EMPTY_PAYLOAD:
        if not stream.at_eof():
            if keep_alive:
                keep_alive = _keep_after_unread_body(conn, head, stream, writer)
            if not stream.at_eof() and stream.exception() is None:
                # Anything still holding the request (a background task) must not
                # read a body the connection has already dropped.
                stream.set_exception(PayloadAccessError())
        if request._post:  # only a request with a body has uploads
            request._close_uploads()
    if log_access and resp is not None:
        assert access_logger is not None
        try:
            access_logger.log(request, resp, conn._loop.time() - start)
        except Exception:
            server_logger.exception("Error in access logger")
    if conn._upgraded is not None and keep_alive and (head.upgrade or head.method == "CONNECT"):
        conn._end_upgrade_not_taken(head, resp)
    conn._finish(keep_alive)


def _gone(conn: RequestHandler) -> bool:
    """Whether nothing more can be sent: the connection is lost or being closed."""
    transport = conn.transport
    return transport is None or transport.is_closing()


class _AnswerBegun(Exception):
    """The handler failed, or answered anew, after its response had begun."""


def _send_failed(
    conn: RequestHandler, head: RequestHead, writer: StreamWriter, exc: Exception
) -> bytes:
    """A response could not be built or sent: answer 500 if nothing left yet.

    Returns the 500 page sent, or ``b""``; the connection is to close either way.
    """
    if writer.output_size:
        server_logger.exception("Error sending a response after its head; closing")
        return b""
    server_logger.exception("Error preparing the response", exc_info=exc)
    return _write_raw_500(conn, head)


async def _send_response(request: BaseRequest, resp: StreamResponse) -> bool:
    if not resp.prepared:
        await resp.prepare(request)
    await resp.write_eof()
    return bool(resp.keep_alive)


def _write_raw_500(conn: RequestHandler, head: RequestHead) -> bytes:
    """Send a 500 page if the connection is still open; the bytes sent."""
    transport = conn.transport
    if transport is None or transport.is_closing():
        return b""
    page = raw_error_page(500, body=head.method != "HEAD")
    transport.write(page)
    return page


def unread_body_allows_keep_alive(
    conn: RequestHandler, head: RequestHead, stream: StreamReader, writer: StreamWriter
) -> bool:
    """Whether the connection can go on once the unread rest of this body is dropped.

    Not when more than ``max_discard_size`` is still to come, when the body failed, or
    when the client may be waiting for a 100 before it sends the body at all.
    """
    if stream.is_eof():
        return True
    if expects_continue(head) and not writer._continue_sent:
        return False
    if stream.exception() is not None:
        return False
    length = head.content_length
    return length is None or length - stream.total_bytes <= conn._server.max_discard_size


def _keep_after_unread_body(
    conn: RequestHandler, head: RequestHead, stream: StreamReader, writer: StreamWriter
) -> bool:
    """Whether the connection can go on after a response whose body was not all read.

    If so, the rest is dropped undecoded as it arrives (``conn._discarding``).
    """
    if not stream.is_eof():
        if not unread_body_allows_keep_alive(conn, head, stream, writer):
            return False
        conn._discarding = stream
        conn._discard_from = stream.total_bytes
    stream.discard()
    return True
