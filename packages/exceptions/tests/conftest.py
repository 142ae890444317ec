"""Shared helpers: build any status exception with its required arguments."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

import aioweb.exceptions as exc

MakeExc = Callable[..., exc.HTTPException]

# Positional arguments each special constructor needs; everything else takes none.
REQUIRED_ARGS: dict[type[exc.HTTPException], tuple[Any, ...]] = {
    exc.HTTPMethodNotAllowed: ("get", ["POST", "GET"]),
    exc.HTTPRequestEntityTooLarge: (1024, 2048),
    exc.HTTPUnavailableForLegalReasons: ("https://example.org/why",),
}


def required_args(cls: type[exc.HTTPException]) -> tuple[Any, ...]:
    """The positional arguments *cls* needs for a minimal instance."""
    if issubclass(cls, exc.HTTPMove):
        return ("/target",)
    return REQUIRED_ARGS.get(cls, ())


@pytest.fixture
def make_exc() -> MakeExc:
    """Build an instance of any concrete class, passing keyword arguments on."""

    def make(cls: type[exc.HTTPException], **kwargs: Any) -> exc.HTTPException:
        return cls(*required_args(cls), **kwargs)

    return make
