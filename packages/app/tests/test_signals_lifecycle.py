"""Signals, cleanup_ctx and the startup/shutdown/cleanup order."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import pytest

from aioweb.app import Application, CleanupError, FrozenList, Signal


async def test_signal_sends_in_order_and_freezes() -> None:
    calls: list[tuple[str, int]] = []
    sig: Signal[[int]] = Signal(owner=None)

    async def first(x: int) -> None:
        calls.append(("first", x))

    async def second(x: int) -> None:
        calls.append(("second", x))

    sig.append(first)
    sig.append(second)
    with pytest.raises(RuntimeError, match="not frozen"):
        await sig.send(1)
    sig.freeze()
    await sig.send(7)
    assert calls == [("first", 7), ("second", 7)]
    with pytest.raises(RuntimeError, match="frozen"):
        sig.append(first)
    assert "Signal" in repr(sig)


def test_frozen_list_refuses_every_change() -> None:
    items = FrozenList([1, 2, 3])
    items.append(4)
    items[0] = 0
    assert list(items) == [0, 2, 3, 4]
    assert items == [0, 2, 3, 4]
    items.freeze()
    for change in (
        lambda: items.append(5),
        lambda: items.insert(0, 5),
        lambda: items.__setitem__(0, 5),
        lambda: items.__delitem__(0),
        lambda: items.extend([5]),
        lambda: items.pop(),
        lambda: items.remove(2),
        lambda: items.clear(),
    ):
        with pytest.raises(RuntimeError, match="frozen"):
            change()
    assert list(items) == [0, 2, 3, 4]
    assert items.frozen


async def _run_lifecycle(app: Application) -> None:
    app.on_startup.freeze()
    await app.startup()
    app.freeze()
    await app.shutdown()
    await app.cleanup()


async def test_lifecycle_order_with_cleanup_ctx_and_subapp() -> None:
    log: list[str] = []
    app = Application()
    sub = Application()

    def ctx(name: str):  # type: ignore[no-untyped-def]
        async def gen(a: Application) -> AsyncIterator[None]:
            log.append(f"{name}:enter")
            yield
            log.append(f"{name}:exit")

        return gen

    def cb(name: str):  # type: ignore[no-untyped-def]
        async def receiver(a: Application) -> None:
            log.append(f"{name}:{'sub' if a is sub else 'main'}")

        return receiver

    app.cleanup_ctx.append(ctx("c1"))
    app.cleanup_ctx.append(ctx("c2"))
    app.on_startup.append(cb("startup"))
    app.on_shutdown.append(cb("shutdown"))
    app.on_cleanup.append(cb("cleanup"))
    sub.cleanup_ctx.append(ctx("s1"))
    sub.on_startup.append(cb("startup"))
    sub.on_shutdown.append(cb("shutdown"))
    sub.on_cleanup.append(cb("cleanup"))
    app.add_subapp("/sub", sub)
    await _run_lifecycle(app)
    assert log == [
        "c1:enter",
        "c2:enter",
        "startup:main",
        "s1:enter",
        "startup:sub",
        "shutdown:main",
        "shutdown:sub",
        "c2:exit",
        "c1:exit",
        "cleanup:main",
        "s1:exit",
        "cleanup:sub",
    ]


async def test_cleanup_ctx_accepts_async_context_managers() -> None:
    log: list[str] = []

    @asynccontextmanager
    async def resource(app: Application) -> AsyncIterator[None]:
        log.append("open")
        yield
        log.append("close")

    app = Application()
    app.cleanup_ctx.append(resource)
    await _run_lifecycle(app)
    assert log == ["open", "close"]


async def test_every_cleanup_runs_and_failures_are_aggregated() -> None:
    log: list[str] = []

    def failing(name: str):  # type: ignore[no-untyped-def]
        async def gen(a: Application) -> AsyncIterator[None]:
            yield
            log.append(name)
            raise ValueError(name)

        return gen

    async def ok(a: Application) -> AsyncIterator[None]:
        yield
        log.append("ok")

    async def bad_receiver(a: Application) -> None:
        log.append("bad_receiver")
        raise KeyError("receiver")

    async def good_receiver(a: Application) -> None:
        log.append("good_receiver")

    app = Application()
    app.cleanup_ctx.append(failing("one"))
    app.cleanup_ctx.append(ok)
    app.cleanup_ctx.append(failing("three"))
    app.on_cleanup.append(bad_receiver)
    app.on_cleanup.append(good_receiver)
    app.on_startup.freeze()
    await app.startup()
    app.freeze()
    with pytest.raises(CleanupError) as info:
        await app.cleanup()
    assert log == ["three", "ok", "one", "bad_receiver", "good_receiver"]
    errors = info.value.exceptions
    assert [type(e) for e in errors] == [ValueError, ValueError, KeyError]
    assert [str(e) for e in errors[:2]] == ["three", "one"]


async def test_single_cleanup_failure_is_raised_as_is() -> None:
    async def gen(a: Application) -> AsyncIterator[None]:
        yield
        raise ValueError("only")

    app = Application()
    app.cleanup_ctx.append(gen)
    app.on_startup.freeze()
    await app.startup()
    app.freeze()
    with pytest.raises(ValueError, match="only"):
        await app.cleanup()


async def test_sub_application_cleanup_errors_join_the_parent_ones() -> None:
    async def boom(a: Application) -> None:
        raise ValueError("main")

    async def sub_boom(a: Application) -> None:
        raise ValueError("sub")

    app, sub = Application(), Application()
    app.on_cleanup.append(boom)
    sub.on_cleanup.append(sub_boom)
    app.add_subapp("/s", sub)
    app.on_startup.freeze()
    await app.startup()
    app.freeze()
    with pytest.raises(CleanupError) as info:
        await app.cleanup()
    assert [str(e) for e in info.value.exceptions] == ["main", "sub"]


async def test_failed_startup_only_unwinds_what_was_entered() -> None:
    log: list[str] = []

    async def first(a: Application) -> AsyncIterator[None]:
        log.append("first:enter")
        yield
        log.append("first:exit")

    async def broken(a: Application) -> AsyncIterator[None]:
        raise OSError("db down")
        yield  # pragma: no cover

    async def receiver(a: Application) -> None:  # pragma: no cover - must not run
        log.append("on_cleanup")

    app = Application()
    app.cleanup_ctx.append(first)
    app.cleanup_ctx.append(broken)
    app.on_cleanup.append(receiver)
    app.on_startup.freeze()
    with pytest.raises(OSError, match="db down"):
        await app.startup()
    await app.cleanup()
    assert log == ["first:enter", "first:exit"]


async def test_cleanup_ctx_generator_misuse() -> None:
    async def two_yields(a: Application) -> AsyncIterator[None]:
        yield
        yield

    async def no_yield(a: Application) -> AsyncIterator[None]:
        if False:  # pragma: no cover
            yield

    def not_a_context(a: Application) -> int:
        return 1

    app = Application()
    app.cleanup_ctx.append(two_yields)
    app.on_startup.freeze()
    await app.startup()
    app.freeze()
    with pytest.raises(RuntimeError, match="more than one 'yield'"):
        await app.cleanup()

    app2 = Application()
    app2.cleanup_ctx.append(no_yield)
    app2.on_startup.freeze()
    with pytest.raises(RuntimeError, match="did not yield"):
        await app2.startup()

    app3 = Application()
    app3.cleanup_ctx.append(not_a_context)  # type: ignore[arg-type]
    app3.on_startup.freeze()
    with pytest.raises(TypeError, match="async generator"):
        await app3.startup()


async def test_startup_freezes_on_startup_itself() -> None:
    app = Application()

    async def receiver(a: Application) -> None:
        pass

    await app.startup()
    with pytest.raises(RuntimeError):
        app.on_startup.append(receiver)
