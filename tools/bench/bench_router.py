"""Router benchmark: resolve the last registered route among N, aioweb.router vs aiohttp.

Run: ``hatch run python tools/bench/bench_router.py [--quick]``. Prints a Markdown table
of microseconds per ``await router.resolve(request)`` (best of several rounds) for
10, 100, 1,000 and 10,000 routes, for three route shapes:

* plain: ``/api/v1/resource{i}`` (no variables; the ``i`` is literal);
* dynamic, variable first: ``/api/{version}/resource{i}/{id}``: every route has the
  same static prefix ``/api``, the case where aiohttp scans all of them;
* dynamic, static first: ``/resource{i}/{id}``: distinct static prefixes, which
  aiohttp's own index already separates.
"""

from __future__ import annotations

import argparse
import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from yarl import URL

from aioweb.router import UrlDispatcher

SIZES = (10, 100, 1_000, 10_000)
SHAPES: dict[str, tuple[Callable[[int], str], Callable[[int], str]]] = {
    "plain": (lambda i: f"/api/v1/resource{i}", lambda i: f"/api/v1/resource{i}"),
    "dynamic, variable first": (
        lambda i: f"/api/{{version}}/resource{i}/{{id}}",
        lambda i: f"/api/v2/resource{i}/42",
    ),
    "dynamic, static first": (
        lambda i: f"/resource{i}/{{id}}",
        lambda i: f"/resource{i}/42",
    ),
}


@dataclass
class _Request:
    method: str
    rel_url: URL
    headers: dict[str, str] = field(default_factory=dict)


async def _handler(request: Any) -> None:
    return None


def _build(router: Any, pattern: Callable[[int], str], size: int) -> None:
    for i in range(size):
        router.add_route("GET", pattern(i), _handler)


async def _once(router: Any, request: Any, loops: int) -> float:
    resolve = router.resolve
    start = time.perf_counter()
    for _ in range(loops):
        await resolve(request)
    return (time.perf_counter() - start) / loops * 1e6


async def _check(router: Any, request: Any) -> None:
    match_info = await router.resolve(request)
    if match_info.http_exception is not None:
        raise AssertionError(f"{request!r} did not resolve: {match_info!r}")


async def _run(quick: bool) -> list[tuple[str, int, float, float | None]]:
    try:
        from aiohttp.test_utils import make_mocked_request
        from aiohttp.web_urldispatcher import UrlDispatcher as AiohttpDispatcher
    except ImportError:  # the solo environment has no aiohttp
        make_mocked_request = None
    loops, rounds = (2_000, 3) if quick else (5_000, 9)
    rows = []
    for shape, (pattern, target) in SHAPES.items():
        for size in SIZES:
            path = target(size - 1)
            ours = UrlDispatcher()
            _build(ours, pattern, size)
            ours.freeze()
            our_request = _Request("GET", URL(path))
            await _check(ours, our_request)
            other = their_request = None
            their_loops = loops
            if make_mocked_request is not None:
                other = AiohttpDispatcher()
                _build(other, pattern, size)
                other.freeze()
                their_request = make_mocked_request("GET", path)
                await _check(other, their_request)
                if shape == "dynamic, variable first":
                    # aiohttp scans here: fewer loops keep the run short.
                    their_loops = max(20, loops * 10 // size)
            # Interleaved rounds, best of each: load changes hit both sides alike.
            mine: list[float] = []
            theirs: list[float] = []
            for _ in range(rounds):
                mine.append(await _once(ours, our_request, loops))
                if other is not None:
                    theirs.append(await _once(other, their_request, their_loops))
            rows.append((shape, size, min(mine), min(theirs) if theirs else None))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer iterations (< 30 s)")
    args = parser.parse_args()
    started = time.perf_counter()
    rows = asyncio.run(_run(args.quick))
    print("| shape | routes | aioweb.router µs | aiohttp µs | speed-up |")
    print("|---|---:|---:|---:|---:|")
    for shape, size, mine, theirs in rows:
        other = "n/a" if theirs is None else f"{theirs:.2f}"
        ratio = "n/a" if theirs is None else f"{theirs / mine:.1f}x"
        print(f"| {shape} | {size:,} | {mine:.2f} | {other} | {ratio} |")
    print(f"\n({time.perf_counter() - started:.1f} s)")


if __name__ == "__main__":
    main()
