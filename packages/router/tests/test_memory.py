"""Nothing in the router grows with the variety of requested paths (CVE-2024-52303 class)."""

from __future__ import annotations

import gc
import tracemalloc
from typing import Any

from aioweb.router import UrlDispatcher

from .conftest import MakeRequest


async def test_memory_flat_over_many_distinct_paths(make_request: MakeRequest, h: Any) -> None:
    router = UrlDispatcher()
    router.add_get("/users/{id}", h)
    router.add_get("/files/{tail:.*}", h)
    for i in range(50):
        router.add_get(f"/api/{{v}}/items{i}/{{id}}", h)
    router.freeze()

    async def burst(start: int, count: int) -> None:
        for n in range(start, start + count):
            for path in (f"/users/{n}", f"/files/{n}/x", f"/api/v/items7/{n}", f"/missing/{n}"):
                await router.resolve(make_request("GET", path))

    await burst(0, 2_000)  # warm up: index built, caches of the interpreter filled
    gc.collect()
    tracemalloc.start()
    try:
        await burst(2_000, 500)
        gc.collect()
        first, _ = tracemalloc.get_traced_memory()
        await burst(10_000, 3_000)
        gc.collect()
        second, _ = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    # 12,000 more distinct paths must not leave anything behind.
    assert second - first < 64 * 1024, (first, second)
