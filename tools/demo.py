"""Serve a small demo Application with run_app (the README's "serve" command).

    hatch run demo [--host 127.0.0.1] [--port 8080]

Routes: ``/`` (HTML index), ``/json`` (JSON), ``/hello/{name}`` (a path
variable), ``/form`` (GET: an HTML form, POST: echoes the fields), ``/old``
(redirects to ``/``) and a sub-application under ``/admin/``. Ctrl-C stops
(graceful shutdown).
"""

from __future__ import annotations

import argparse
from html import escape

from aioweb import web

routes = web.RouteTableDef()

PAGE = """<!doctype html>
<html><head><meta charset="utf-8"><title>aioweb demo</title></head>
<body><h1>aioweb demo</h1>
<ul>
<li><a href="/json">/json</a> (JSON)</li>
<li><a href="/hello/world">/hello/world</a> (a path variable)</li>
<li><a href="/form">/form</a> (a form)</li>
<li><a href="/old">/old</a> (redirects here)</li>
<li><a href="/admin/">/admin/</a> (a sub-application)</li>
</ul></body></html>
"""

FORM = """<!doctype html>
<html><head><meta charset="utf-8"><title>form</title></head>
<body><form method="post" action="/form">
<label>Name <input name="name"></label>
<label>Colour <input name="colour"></label>
<button>Send</button></form></body></html>
"""


def html(body: str) -> web.Response:
    return web.Response(text=body, content_type="text/html")


@routes.get("/")
async def index(request: web.Request) -> web.Response:
    return html(PAGE)


@routes.get("/json")
async def as_json(request: web.Request) -> web.Response:
    return web.json_response({"hello": "world", "method": request.method})


@routes.get("/hello/{name}")
async def hello(request: web.Request) -> web.Response:
    return web.Response(text=f"Hello, {request.match_info['name']}!")


@routes.get("/form")
async def form(request: web.Request) -> web.Response:
    return html(FORM)


@routes.post("/form")
async def form_post(request: web.Request) -> web.Response:
    fields = await request.post()
    items = "".join(f"<li>{escape(k)} = {escape(str(v))}</li>" for k, v in fields.items())
    return html(f"<!doctype html><h1>You sent</h1><ul>{items}</ul><a href='/form'>again</a>")


@routes.get("/old")
async def old(request: web.Request) -> web.Response:
    raise web.HTTPFound("/")


async def admin_index(request: web.Request) -> web.Response:
    return web.Response(text="admin area (a sub-application mounted at /admin/)")


def make_app() -> web.Application:
    """The demo application."""
    app = web.Application()
    app.add_routes(routes)
    admin = web.Application()
    admin.router.add_get("/", admin_index)
    app.add_subapp("/admin/", admin)
    return app


def main() -> None:
    """Parse options and serve until Ctrl-C."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8080)
    args = parser.parse_args()
    web.run_app(make_app(), host=args.host, port=args.port)


if __name__ == "__main__":
    main()
