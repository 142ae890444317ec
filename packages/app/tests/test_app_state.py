"""Application state (AppKey, NotAppKeyWarning), freezing and deprecated arguments."""

from __future__ import annotations

import asyncio
import logging

import pytest

from aioweb.app import AppKey, Application, NotAppKeyWarning, middleware
from aioweb.router import UrlDispatcher
from aioweb.server import Response


async def handler(request: object) -> Response:
    return Response(text="ok")


def test_app_key_state_is_typed_and_warning_free() -> None:
    counter = AppKey("counter", int)
    name = AppKey("name", str)
    app = Application()
    app[counter] = 1
    app[name] = "x"
    value: int = app[counter]
    assert value == 1
    assert app.get(name) == "x"
    assert app.get(AppKey("missing", int)) is None
    assert app.get(AppKey("missing", int), 5) == 5
    assert len(app) == 2
    assert set(app) == {counter, name}
    del app[name]
    assert name not in app
    assert repr(counter) == "<AppKey(counter, type=int)>"
    assert repr(AppKey("anything")) == "<AppKey(anything, type=<<unknown>>)>"


def test_app_keys_with_the_same_name_do_not_clash() -> None:
    a, b = AppKey("db", str), AppKey("db", str)
    app = Application()
    app[a] = "one"
    app[b] = "two"
    assert (app[a], app[b]) == ("one", "two")
    assert sorted([a, b, AppKey("aa", str)], key=lambda k: k)[0].__name__ == "aa"


def test_str_key_warns_not_app_key_warning() -> None:
    app = Application()
    with pytest.warns(NotAppKeyWarning, match="AppKey"):
        app["plain"] = 1
    assert app["plain"] == 1
    assert issubclass(NotAppKeyWarning, UserWarning)


def test_state_change_after_freeze_warns() -> None:
    key = AppKey("k", int)
    app = Application()
    app[key] = 1
    app.freeze()
    with pytest.warns(DeprecationWarning, match="after it started"):
        app[key] = 2
    with pytest.warns(DeprecationWarning, match="after it started"):
        del app[key]


def test_structure_cannot_change_after_freeze() -> None:
    @middleware
    async def mw(request: object, handler: object) -> object:  # pragma: no cover
        raise AssertionError

    async def receiver(app: Application) -> None:  # pragma: no cover
        pass

    app = Application()
    app.freeze()
    assert app.frozen
    assert app.pre_frozen
    with pytest.raises(RuntimeError):
        app.router.add_get("/late", handler)
    with pytest.raises(RuntimeError, match="frozen"):
        app.middlewares.append(mw)
    for signal in (app.on_startup, app.on_shutdown, app.on_cleanup):
        with pytest.raises(RuntimeError, match="frozen"):
            signal.append(receiver)
    with pytest.raises(RuntimeError, match="frozen"):
        app.cleanup_ctx.append(receiver)  # type: ignore[arg-type]
    with pytest.raises(RuntimeError, match="frozen application"):
        app.add_subapp("/sub", Application())
    app.freeze()  # idempotent


def test_frozen_app_cannot_become_a_sub_application() -> None:
    sub = Application()
    sub.freeze()
    with pytest.raises(RuntimeError, match="frozen application as a sub-application"):
        Application().add_subapp("/s", sub)


def test_add_subapp_validates_arguments() -> None:
    app = Application()
    with pytest.raises(TypeError):
        app.add_subapp(1, Application())  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="empty"):
        app.add_subapp("/", Application())
    with pytest.raises(ValueError, match="own sub-application"):
        app.add_subapp("/me", app)
    with pytest.raises(TypeError):
        app.add_domain(1, Application())  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        app.add_domain("http://x.com", Application())


def test_adding_a_sub_application_pre_freezes_it() -> None:
    app, sub = Application(), Application()
    app.add_subapp("/s", sub)
    assert sub.pre_frozen
    assert not sub.frozen
    with pytest.raises(RuntimeError):
        sub.router.add_get("/x", handler)
    app.freeze()
    assert sub.frozen


def test_mapping_identity_and_call() -> None:
    a, b = Application(), Application()
    assert a != b
    assert a == a
    assert bool(a) is True  # empty state, still truthy
    assert len({a, b}) == 2
    assert a() is a
    assert repr(a).startswith("<Application 0x")


def test_deprecated_constructor_arguments() -> None:
    with pytest.warns(DeprecationWarning, match="router argument"):
        app = Application(router=UrlDispatcher())
    assert app.router.static_responder is not None
    with pytest.warns(DeprecationWarning, match="debug argument"):
        app = Application(debug=True)
    with pytest.warns(DeprecationWarning, match="debug property"):
        assert app.debug is True
    with pytest.raises(TypeError), pytest.warns(DeprecationWarning, match="router argument"):
        Application(router=object())  # type: ignore[arg-type]


def test_constructor_settings() -> None:
    logger = logging.getLogger("custom")
    app = Application(logger=logger, client_max_size=10, handler_args={"x": 1})
    assert app.logger is logger
    assert app._client_max_size == 10
    assert Application().logger.name == "aioweb.web"


async def test_loop_property_is_deprecated() -> None:
    app = Application()
    with pytest.warns(DeprecationWarning, match="loop property"):
        assert app.loop is asyncio.get_running_loop()


def test_subclassing_is_discouraged() -> None:
    with pytest.warns(DeprecationWarning, match="discouraged"):

        class MyApp(Application):
            pass


def test_add_routes() -> None:
    from aioweb.router import get

    app = Application()
    routes = app.add_routes([get("/a", handler)])
    assert [r.method for r in routes] == ["GET"]
    assert {r.method for r in app.router.routes()} == {"GET", "HEAD"}
