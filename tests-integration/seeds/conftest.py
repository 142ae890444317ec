"""Fixtures for running the seed examples (../shared/seeds) as written.

``seed_text(name)`` reads a seed file (skipping, with the reason, only when the shared
folder is absent); ``literal_blocks(rst)`` extracts the reStructuredText literal
blocks (``::`` paragraphs, not directives); ``run_script(code, ready)`` runs code in
a subprocess, waits for a stdout line containing ``ready`` and always ends that one
process (SIGINT first, which the seeds handle, then SIGKILL) by its PID.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
import signal
import sys
import textwrap
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest


def _shared_dir() -> Path:
    import os

    env = os.environ.get("AIOWEB_SHARED")
    return Path(env) if env else Path(__file__).resolve().parents[2].parent / "shared"


@pytest.fixture
def seed_text() -> Callable[[str], str]:
    def read(name: str) -> str:
        folder = _shared_dir() / "seeds"
        if not folder.is_dir():
            pytest.skip(f"seed folder {folder} is absent (set AIOWEB_SHARED to the shared folder)")
        return (folder / name).read_text(encoding="utf-8")

    return read


def literal_blocks(rst: str) -> list[str]:
    """The literal blocks of a reStructuredText document, dedented, in order."""
    lines = rst.splitlines()
    blocks: list[str] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        if line.rstrip().endswith("::") and not line.lstrip().startswith(".."):
            j = i + 1
            while j < len(lines) and not lines[j].strip():
                j += 1
            if j < len(lines) and lines[j][:1] in (" ", "\t"):
                body: list[str] = []
                while j < len(lines) and (not lines[j].strip() or lines[j][:1] in (" ", "\t")):
                    body.append(lines[j])
                    j += 1
                blocks.append(textwrap.dedent("\n".join(body)).strip("\n") + "\n")
                i = j
                continue
        i += 1
    return blocks


@pytest.fixture
def blocks() -> Callable[[str], list[str]]:
    return literal_blocks


@dataclass
class Script:
    """A running seed script."""

    proc: asyncio.subprocess.Process
    output: list[str] = field(default_factory=list)
    ended: bool = False

    async def wait_output(self, needle: str, timeout: float = 5.0) -> str:
        async with asyncio.timeout(timeout):
            while True:
                for line in self.output:
                    if needle in line:
                        return line
                if self.ended:
                    raise TimeoutError(f"the script ended before printing {needle!r}")
                await asyncio.sleep(0.02)


@pytest.fixture
async def run_script(tmp_path: Path) -> AsyncIterator[Callable[..., Any]]:
    started: list[tuple[Script, asyncio.Task[None]]] = []

    async def run(code: str, ready: str, *, timeout: float = 15.0) -> Script:
        path = tmp_path / f"seed_{len(started)}.py"
        path.write_text(code, encoding="utf-8")
        proc = await asyncio.create_subprocess_exec(
            sys.executable,
            "-u",
            str(path),
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
            cwd=tmp_path,
        )
        script = Script(proc)

        async def pump() -> None:
            assert proc.stdout is not None
            while line := await proc.stdout.readline():
                script.output.append(line.decode("utf-8", "replace"))
            script.ended = True

        task = asyncio.create_task(pump())
        started.append((script, task))
        try:
            await script.wait_output(ready, timeout)
        except TimeoutError:
            await asyncio.sleep(0.2)
            pytest.fail(f"the seed script never printed {ready!r}:\n{''.join(script.output)}")
        return script

    yield run
    for script, task in started:
        proc = script.proc
        if proc.returncode is None:
            proc.send_signal(signal.SIGINT)
            try:
                await asyncio.wait_for(proc.wait(), 5)
            except TimeoutError:
                proc.kill()
                await proc.wait()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(task, 5)


def patch_port(code: str, old: str, new: str) -> str:
    """Replace the one occurrence of a listening address in a seed's code."""
    assert code.count(old) == 1, f"expected exactly one {old!r} in the seed"
    return code.replace(old, new)


@pytest.fixture
def patch() -> Callable[[str, str, str], str]:
    return patch_port


def to_aioweb(code: str) -> str:
    """``aiohttp`` replaced by ``aioweb`` (word-wise)."""
    return re.sub(r"\baiohttp\b", "aioweb", code)


@pytest.fixture
def rename() -> Callable[[str], str]:
    return to_aioweb
