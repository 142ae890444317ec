"""Heads derived from a request's head: for ``clone()`` and the deprecated ``message``.

Kept out of :mod:`aioweb.server.request` because neither is on a request's usual path.
"""

from __future__ import annotations

from collections.abc import Mapping

from multidict import CIMultiDict, CIMultiDictProxy
from yarl import URL

from aioweb.http.message import RequestHead

from ._legacy_payload import RawRequestMessage
from .request import _relative_part

__all__ = ["raw_message", "replaced_head"]


def replaced_head(
    head: RequestHead,
    *,
    method: str | None,
    rel_url: str | URL | None,
    headers: Mapping[str, str] | None,
) -> tuple[RequestHead, URL | None]:
    """A copy of ``head`` with the given parts replaced (None keeps one), and the new URL.

    As in aiohttp, ``rel_url`` becomes the target (``raw_path``); an absolute one also
    gives the request's ``url`` and ``host``. The URL returned is its relative part,
    None when ``rel_url`` is.
    """
    new_headers = head.headers
    raw_headers = head.raw_headers
    if headers is not None:
        new_headers = CIMultiDictProxy(CIMultiDict(headers))
        raw_headers = tuple(
            (name.encode("utf-8"), value.encode("utf-8")) for name, value in new_headers.items()
        )
    target = head.target
    new_url: URL | None = None
    if rel_url is not None:
        url = URL(rel_url)
        target = str(url)
        new_url = _relative_part(url) if url.absolute else url
    new_head = RequestHead(
        head.method if method is None else method,
        target,
        head.version,
        new_headers,
        raw_headers,
        should_close=head.should_close,
        upgrade=head.upgrade,
        chunked=head.chunked,
        content_length=head.content_length,
        compression=head.compression,
    )
    return new_head, new_url


def raw_message(head: RequestHead, headers: CIMultiDictProxy[str]) -> RawRequestMessage:
    """aiohttp's ``RawRequestMessage`` tuple for a head (``path`` is the target as sent)."""
    return RawRequestMessage(
        head.method,
        head.target,
        head.version,
        headers,
        head.raw_headers,
        head.should_close,
        head.compression,
        head.upgrade,
        head.chunked,
        head.url,
    )
