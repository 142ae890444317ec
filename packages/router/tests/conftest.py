"""Fixtures shared by the router tests: a minimal request and a recording responder."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from multidict import CIMultiDict
from yarl import URL


@dataclass
class FakeRequest:
    """The smallest object that satisfies ``aioweb.router.Request``."""

    method: str
    rel_url: URL
    headers: Mapping[str, str] = field(default_factory=CIMultiDict)
    match_info: Any = None


MakeRequest = Callable[..., FakeRequest]


@pytest.fixture
def make_request() -> MakeRequest:
    def make(
        method: str,
        path: str,
        headers: Mapping[str, str] | None = None,
        *,
        raw: bool = False,
    ) -> FakeRequest:
        # raw=True keeps the target exactly as sent (no dot-segment removal),
        # which is how a server builds rel_url from the request line.
        url = URL.build(path=path, encoded=True) if raw else URL(path)
        return FakeRequest(method, url, CIMultiDict(headers or {}))

    return make


@dataclass
class RecordingResponder:
    """A ``StaticResponder`` that returns tuples describing what it was asked for."""

    calls: list[tuple[str, Any]] = field(default_factory=list)

    def file(self, path: Path, chunk_size: int) -> tuple[str, Path, int]:
        self.calls.append(("file", path))
        return ("file", path, chunk_size)

    def index(self, html: str) -> tuple[str, str]:
        self.calls.append(("index", html))
        return ("index", html)


@pytest.fixture
def responder() -> RecordingResponder:
    return RecordingResponder()


@pytest.fixture
def h() -> Callable[[Any], Any]:
    async def handler(request: Any) -> str:
        return "ok"

    return handler
