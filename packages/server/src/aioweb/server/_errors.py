"""Error responses: from HTTP exceptions, for handler failures, for protocol errors.

Pages are short (plain text, or HTML for clients that accept it), the same as
aiohttp's, and reveal nothing about the server; a traceback is included only when
the server runs with ``debug=True``.
"""

from __future__ import annotations

import html as html_lib
import logging
import traceback
import warnings
from http import HTTPStatus
from typing import TYPE_CHECKING, Final

from aioweb.exceptions import HTTPException, HTTPInternalServerError
from aioweb.http.errors import HttpProcessingError

from .response import SERVER_SOFTWARE, Response

if TYPE_CHECKING:
    from ._stream_response import StreamResponse
    from .request import BaseRequest

__all__ = [
    "exception_response",
    "handler_error_response",
    "not_a_response",
    "raw_error_page",
    "response_for_page",
    "server_error_response",
]

server_logger: Final = logging.getLogger("aioweb.server")


def exception_response(exc: HTTPException) -> Response:
    """The response an :class:`~aioweb.exceptions.HTTPException` stands for."""
    resp = Response(status=exc.status, reason=exc.reason, headers=exc.headers)
    if not exc.empty_body and exc.body is not None:
        resp.body = exc.body
    for name, value, attributes in exc.cookie_changes:
        if value is None:
            resp.del_cookie(name, **attributes)
        else:
            resp.set_cookie(name, value, **attributes)
    return resp


def server_error_response(
    status: int = 500,
    *,
    exc: BaseException | None = None,
    debug: bool = False,
    html: bool = False,
) -> Response:
    """The error page of a failed request: a title, then what happened.

    What happened is the traceback of ``exc`` with ``debug``, else, for a 500, the
    standard description of the status (the page aiohttp serves). ``html`` (the
    client accepts ``text/html``) makes it an HTML page, the traceback escaped.
    """
    from aioweb.http.serializer import reason_phrase

    title = f"{status} {reason_phrase(status) or 'Error'}"
    if debug and exc is not None:
        detail: str | None = "".join(traceback.format_exception(exc))
    else:
        # the stdlib's description, as aiohttp's 500 page shows it
        detail = HTTPStatus.INTERNAL_SERVER_ERROR.description if status == 500 else None
    if html:
        if debug and detail is not None:
            detail = f"<h2>Traceback:</h2>\n<pre>{html_lib.escape(detail)}</pre>"
        title = html_lib.escape(title)
        page = (
            f"<html><head><title>{title}</title></head><body>\n<h1>{title}</h1>\n"
            f"{detail or ''}\n</body></html>\n"
        )
        resp = Response(status=status, text=page, content_type="text/html")
    else:
        text = f"{title}\n\n{detail}" if detail else f"{title}\n"
        resp = Response(status=status, text=text)
    resp.force_close()
    return resp


def error_page_text(status: int, detail: str | None = None) -> str:
    """The plain-text page of a client error: ``400 Bad Request``, then ``detail``."""
    from aioweb.http.serializer import reason_phrase

    reason = reason_phrase(status) or "Error"
    text = f"{status} {reason}\n"
    if detail and detail != reason:
        text += f"\n{detail[:200]}\n"
    return text


def raw_error_page(status: int, detail: str | None = None, *, body: bool = True) -> bytes:
    """A complete ``Connection: close`` response for errors found before any request.

    ``detail`` is the parser's short client-safe reason. Without ``body`` (the answer
    to a HEAD request) the head is the same and the content is left out.
    """
    from aioweb.http.dates import http_date
    from aioweb.http.serializer import build_head, reason_phrase

    reason = reason_phrase(status) or "Error"
    content = error_page_text(status, detail).encode("utf-8", "replace")
    head = build_head(
        status,
        reason,
        (
            ("Content-Type", "text/plain; charset=utf-8"),
            ("Content-Length", str(len(content))),
            ("Connection", "close"),
            ("Date", http_date()),
            ("Server", SERVER_SOFTWARE),
        ),
    )
    return head + content if body else head


def response_for_page(page: bytes) -> Response:
    """A response that stands for ``page``, an answer written raw by :func:`raw_error_page`.

    It has the page's status and headers, and ``body_length`` its size: what the
    access log reports for an answer that no handler made (a request the parser
    refused, a response that failed to prepare). The page is this module's own
    output, so its head is known to be well formed.
    """
    end = page.find(b"\r\n\r\n")
    lines = page[: end if end >= 0 else len(page)].decode("latin-1").split("\r\n")
    response = Response(status=int(lines[0].split(" ", 2)[1]))
    headers = response.headers
    headers.clear()
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers.add(name, value.strip())
    response._body_length = len(page)
    return response


def handler_error_response(
    exc: Exception, request: BaseRequest, *, debug: bool, client_gone: bool
) -> StreamResponse:
    """The response for an exception raised by a handler; logs what deserves it.

    Re-raises a :class:`ConnectionError` when the client is gone (``client_gone``):
    there is nobody to answer and nothing worth logging.
    """
    if isinstance(exc, HTTPException):
        return exception_response(exc)
    if isinstance(exc, HttpProcessingError):
        return server_error_response(exc.status)
    if isinstance(exc, TimeoutError):
        # As aiohttp: the traceback at DEBUG, one ERROR line, and a 504 without a page
        # (whatever ``debug`` says).
        server_logger.debug("Request handler timed out", exc_info=exc)
        server_logger.error("Error handling request from %s", request.remote)
        resp = Response(status=504, content_type="text/plain")
        resp.force_close()
        return resp
    if isinstance(exc, ConnectionError) and client_gone:
        raise exc
    server_logger.exception("Error handling request from %s", request.remote, exc_info=exc)
    html = "text/html" in request.headers.get("Accept", "")
    return server_error_response(500, exc=exc, debug=debug, html=html)


def not_a_response(result: object) -> StreamResponse:
    """The response for a handler result that is not a StreamResponse."""
    if isinstance(result, HTTPException):
        warnings.warn(
            "Returning an HTTPException from a handler is deprecated; raise it instead",
            DeprecationWarning,
            stacklevel=1,
        )
        return exception_response(result)
    server_logger.error(
        "Request handler returned %s, not a response (missing return statement?)",
        type(result).__name__,
    )
    return exception_response(HTTPInternalServerError())
