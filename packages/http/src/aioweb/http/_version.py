"""HTTP protocol versions."""

from __future__ import annotations

from typing import NamedTuple

__all__ = ["HttpVersion", "HttpVersion10", "HttpVersion11"]


class HttpVersion(NamedTuple):
    """An HTTP version as ``(major, minor)``; compares and hashes as a tuple."""

    major: int
    minor: int


HttpVersion10 = HttpVersion(1, 0)
HttpVersion11 = HttpVersion(1, 1)
