"""Status code to class lookup."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from . import _client, _redirect, _server, _success
from ._base import HTTPException

__all__ = ("status_exceptions",)


def _collect() -> dict[int, type[HTTPException]]:
    table: dict[int, type[HTTPException]] = {}
    for module in (_success, _redirect, _client, _server):
        for name in module.__all__:
            cls = getattr(module, name)
            if cls.status_code > 0:
                table[cls.status_code] = cls
    return dict(sorted(table.items()))


status_exceptions: Mapping[int, type[HTTPException]] = MappingProxyType(_collect())
"""Read-only mapping from each status code (200-511) to its exception class.

Classes for 300-308 (except 304), 405, 413 and 451 take positional
arguments, see their signatures.
"""
