"""The usage examples of web-server-spec.md run with aioweb (aiohttp -> aioweb).

The ``{ .api }`` blocks are signature listings whose bodies are not indented (not
valid Python); their constructor signatures are checked by
``test_api_signatures`` instead. The four usage examples lost their indentation
in the seed too; the harness restores it (``reindent``) and runs them otherwise
as written, except that
``web.run_app(...)`` (the runner helper's part) is intercepted by the harness, which
serves the application on an ephemeral 127.0.0.1 port for real clients.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from aioweb import web
from aioweb.app._testing import serve_app

SEED = "web-server-spec.md"


@pytest.fixture
def examples(seed_text: Callable[[str], str], rename: Callable[[str], str]) -> list[str]:
    text = seed_text(SEED)
    blocks = re.findall(r"```python( \{ \.api \})?\n(.*?)```", text, re.S)
    usage = [rename(code) for api, code in blocks if not api]
    assert len(usage) == 4
    return usage


def reindent(code: str) -> str:
    """Restore the indentation the seed lost (every line is flush left in the file).

    A line ending with ``:`` opens a block; ``return``/``raise`` closes one. That is
    enough for the four examples, and the tests prove the result runs.
    """
    out: list[str] = []
    level = 0
    in_class = False
    for raw in code.splitlines():
        line = raw.strip()
        if not line:
            out.append("")
            continue
        if out and not out[-1]:  # after a blank line: a new definition or statement
            level = 1 if in_class and re.match(r"(async )?def ", line) else 0
        if in_class and level == 1 and not re.match(r"(async )?def |@|#", line):
            level = 0  # a statement after the last method: back at module level
        if level == 0 and not line.startswith("#"):
            in_class = line.startswith("class ")
        out.append("    " * level + line)
        if line.endswith(":"):
            level += 1
        elif re.match(r"(return|raise)\b", line):
            level = max(level - 1, 0)
    return "\n".join(out) + "\n"


def run_example(code: str) -> web.Application:
    """Run *code* with ``web.run_app`` intercepted; return the application it ran."""
    captured: list[web.Application] = []
    assert "web.run_app(" in code
    with pytest.raises(IndentationError):  # as written in the seed
        compile(code, SEED, "exec")
    code = reindent(code)
    code = code.replace("web.run_app(", "_harness_run_app(")
    ns: dict[str, Any] = {
        "__name__": "__main__",
        "_harness_run_app": lambda app, **kwargs: captured.append(app),
    }
    exec(compile(code, f"<{SEED}>", "exec"), ns)
    (app,) = captured
    return app


async def test_basic_application(examples: list[str]) -> None:
    app = run_example(examples[0])
    async with serve_app(app) as base, httpx.AsyncClient() as client:
        assert (await client.get(base + "/")).text == "Hello, World!"
        assert (await client.get(base + "/hello/Ann")).text == "Hello, Ann!"
        resp = await client.get(base + "/json")
        assert resp.json() == {"message": "Hello, JSON!", "status": "success"}
        assert resp.headers["Content-Type"] == "application/json; charset=utf-8"


async def test_route_table_definitions(examples: list[str]) -> None:
    app = run_example(examples[1])
    async with serve_app(app) as base, httpx.AsyncClient() as client:
        assert (await client.get(base + "/")).text == "Welcome to the API"
        assert (await client.get(base + "/users/7")).json() == {"user_id": "7"}
        resp = await client.post(base + "/users", json={"name": "x"})
        assert (resp.status_code, resp.json()) == (201, {"created": True})


async def test_middleware_usage(examples: list[str]) -> None:
    app = run_example(examples[2])
    async with serve_app(app) as base, httpx.AsyncClient() as client:
        assert (await client.get(base + "/protected")).status_code == 401
        resp = await client.get(base + "/protected", headers={"Authorization": "Bearer t"})
        assert resp.json() == {"message": "Access granted"}
        assert float(resp.headers["X-Process-Time"]) >= 0


async def test_class_based_views(examples: list[str]) -> None:
    app = run_example(examples[3])
    async with serve_app(app) as base, httpx.AsyncClient() as client:
        assert (await client.get(base + "/users/3")).json() == {"user_id": "3"}
        resp = await client.post(base + "/users/3", json={})
        assert (resp.status_code, resp.json()) == (201, {"created": True})
        assert (await client.put(base + "/users/3", json={})).json() == {"updated": True}
        assert (await client.delete(base + "/users/3")).status_code == 204
        assert (await client.patch(base + "/users/3")).status_code == 405


def test_api_signatures() -> None:
    """Constructor calls as the spec's API listing spells them."""
    app = web.Application(
        logger=None,  # type: ignore[arg-type]
        router=None,
        middlewares=None,
        handler_args=None,
        client_max_size=1024**2,
    )
    assert app.router is not None
    key = web.AppKey("name", str)
    app[key] = "v"
    assert app[key] == "v"
    with pytest.warns(DeprecationWarning, match="debug argument"):
        web.Application(debug=False)
    web.normalize_path_middleware(
        append_slash=True, remove_slash=False, merge_slashes=True, redirect_class=web.HTTPFound
    )
