"""The low-level server seed (lowlevel-server.rst / .txt) run as written, aiohttp -> aioweb."""

from __future__ import annotations

import asyncio
import os

import aiohttp
import httpx

IMPL = os.environ.get("AIOWEB_IMPL", "aioweb")


def seed_program(seed_text, blocks) -> str:
    (code,) = [b for b in blocks(seed_text("lowlevel-server.rst")) if "web.Server" in b]
    return code


async def test_rst_example_runs_and_serves(
    seed_text, blocks, run_script, patch, rename, wire, curl
):
    code = seed_program(seed_text, blocks)
    port = wire.free_port()
    # The seed listens on the fixed port 8080; the test moves it to a port that was free.
    code = patch(code, '"127.0.0.1", 8080', f'"127.0.0.1", {port}')
    code = patch(code, "http://127.0.0.1:8080/", f"http://127.0.0.1:{port}/")
    if IMPL == "aioweb":
        code = rename(code)
        assert "aiohttp" not in code
        assert "from aioweb import web" in code
    script = await run_script(code, "Serving on")
    url = f"http://127.0.0.1:{port}"

    async with httpx.AsyncClient(timeout=10) as client:
        for method, path in [("GET", "/"), ("POST", "/any/path?x=1"), ("PUT", "/deep/er")]:
            resp = await client.request(method, url + path, content=b"ignored body")
            assert resp.status_code == 200
            assert resp.text == "OK"
            assert resp.headers["content-type"] == "text/plain; charset=utf-8"
        head = await client.head(url + "/")
        assert head.status_code == 200
        assert head.content == b""
        assert head.headers["content-length"] == "2"

    async with (
        aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10)) as session,
        session.get(url + "/x") as resp,
    ):
        assert await resp.text() == "OK"

    proc = await asyncio.create_subprocess_exec(
        curl, "-sS", "--max-time", "5", url, stdout=asyncio.subprocess.PIPE
    )
    out, _ = await asyncio.wait_for(proc.communicate(), 10)
    assert out == b"OK"
    assert script.proc.returncode is None  # still serving


async def test_rst_example_stops_on_ctrl_c(seed_text, blocks, run_script, patch, rename, wire):
    code = seed_program(seed_text, blocks)
    port = wire.free_port()
    code = patch(code, '"127.0.0.1", 8080', f'"127.0.0.1", {port}')
    if IMPL == "aioweb":
        code = rename(code)
    script = await run_script(code, "Serving on")
    script.proc.send_signal(2)  # SIGINT: the seed catches KeyboardInterrupt and closes the loop
    assert await asyncio.wait_for(script.proc.wait(), 10) == 0
    assert not any("Traceback" in line for line in script.output), "".join(script.output)


def test_txt_rendering_is_the_same_program(seed_text, blocks):
    """lowlevel-server.txt is a lossy text rendering of the .rst: same code, no new behaviour.

    It drops the ``try:``/``loop.run_until_complete`` lines and the URL in the banner and
    listens on "" (every interface); running it as written is a SyntaxError, so the
    runnable .rst version above is what runs. This test pins that the .txt contains no
    code the .rst lacks.
    """
    rst_code = seed_program(seed_text, blocks)
    txt = seed_text("lowlevel-server.txt")
    start = txt.index("import asyncio")
    end = txt.index("except KeyboardInterrupt:") + len("except KeyboardInterrupt:")
    txt_lines = [line.strip() for line in txt[start:end].splitlines() if line.strip()]
    rst_lines = {line.strip() for line in rst_code.splitlines() if line.strip()}
    known_renderings = {
        'await loop.create_server(server, "", 8080)': (
            'await loop.create_server(server, "127.0.0.1", 8080)'
        ),
        'print("======= Serving on ======")': (
            'print("======= Serving on http://127.0.0.1:8080/ ======")'
        ),
    }
    for line in txt_lines:
        assert known_renderings.get(line, line) in rst_lines, line
