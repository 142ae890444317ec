"""Error responses: from HTTP exceptions, for handler failures, for protocol errors.

Pages are short plain text and reveal nothing about the server; a traceback is
included only when the server runs with ``debug=True``.
"""

from __future__ import annotations

import html as html_lib
import traceback

from aioweb.exceptions import HTTPException

from .response import SERVER_SOFTWARE, Response

__all__ = ["exception_response", "raw_error_page", "server_error_response"]


def exception_response(exc: HTTPException) -> Response:
    """The response an :class:`~aioweb.exceptions.HTTPException` stands for."""
    resp = Response(status=exc.status, reason=exc.reason, headers=exc.headers)
    if not exc.empty_body and exc.body is not None:
        resp.body = exc.body
    return resp


def server_error_response(
    status: int = 500,
    *,
    exc: BaseException | None = None,
    debug: bool = False,
    html: bool = False,
) -> Response:
    """A plain-text error page; with ``debug`` it shows the traceback of ``exc``.

    With ``debug`` and ``html`` (the client accepts ``text/html``) the page is HTML with
    the traceback escaped.
    """
    from aioweb.http.serializer import reason_phrase

    reason = reason_phrase(status) or "Error"
    text = f"{status} {reason}\n"
    if debug and exc is not None:
        trace = "".join(traceback.format_exception(exc))
        if html:
            title = html_lib.escape(f"{status} {reason}")
            page = (
                f"<html><head><title>{title}</title></head><body><h1>{title}</h1>"
                f"<pre>{html_lib.escape(trace)}</pre></body></html>\n"
            )
            resp = Response(status=status, text=page, content_type="text/html")
            resp.force_close()
            return resp
        text += "\n" + trace
    resp = Response(status=status, text=text)
    resp.force_close()
    return resp


def raw_error_page(status: int, detail: str | None = None) -> bytes:
    """A complete ``Connection: close`` response for errors found before any request.

    ``detail`` is the parser's short client-safe reason.
    """
    from aioweb.http.dates import http_date
    from aioweb.http.serializer import build_head, reason_phrase

    reason = reason_phrase(status) or "Error"
    text = f"{status} {reason}\n"
    if detail and detail != reason:
        text += f"\n{detail[:200]}\n"
    body = text.encode("utf-8", "replace")
    head = build_head(
        status,
        reason,
        (
            ("Content-Type", "text/plain; charset=utf-8"),
            ("Content-Length", str(len(body))),
            ("Connection", "close"),
            ("Date", http_date()),
            ("Server", SERVER_SOFTWARE),
        ),
    )
    return head + body
