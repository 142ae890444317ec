"""The command line: ``python -m aioweb.web [-H HOST] [-P PORT] [-U PATH] module:factory [args]``.

*factory* is called with the arguments the CLI did not recognise (a list of
strings) and returns an :class:`Application` (or a coroutine producing one);
it is then served with :func:`run_app` until SIGINT/SIGTERM.
"""

from __future__ import annotations

import logging
import socket
from argparse import ArgumentParser
from collections.abc import Sequence
from importlib import import_module

from ._run_app import run_app

__all__ = ["main"]


def _parser() -> ArgumentParser:
    parser = ArgumentParser(
        prog="python -m aioweb.web",
        description="Serve an aioweb Application returned by a factory function.",
        epilog="Arguments after module:factory that are not options above are passed to "
        "the factory as a list of strings.",
    )
    parser.add_argument(
        "entry_func",
        metavar="module:factory",
        help="callable returning the Application, e.g. myproject.app:make_app",
    )
    parser.add_argument(
        "-H", "--hostname", default=None, help="TCP/IP hostname to serve on (default: localhost)"
    )
    parser.add_argument(
        "-P", "--port", type=int, default=None, help="TCP/IP port to serve on (default: 8080)"
    )
    parser.add_argument(
        "-U",
        "--path",
        default=None,
        help="Unix file system path to serve on; with -H, TCP too (without -H, -P is ignored)",
    )
    return parser


def main(argv: Sequence[str] | None = None) -> None:
    """Parse *argv* (default ``sys.argv[1:]``), import the factory and run the app."""
    parser = _parser()
    args, extra_argv = parser.parse_known_args(argv)
    mod_name, _, func_name = args.entry_func.partition(":")
    if not mod_name or not func_name:
        parser.error("'module:factory' is not in the 'module:function' syntax")
    if mod_name.startswith("."):
        parser.error("relative module names are not supported")
    try:
        module = import_module(mod_name)
    except ImportError as exc:
        parser.error(f"unable to import {mod_name}: {exc}")
    try:
        factory = getattr(module, func_name)
    except AttributeError:
        parser.error(f"module {mod_name!r} has no attribute {func_name!r}")
    if args.path is not None and not hasattr(socket, "AF_UNIX"):
        parser.error("file system paths are not supported on this platform")

    host: str | None = args.hostname
    port: int | None = args.port
    if args.path is not None and host is None:
        # As aiohttp's CLI: a path without -H serves that Unix socket only, -P ignored
        # (scripts pass one -P to several -U workers; a TCP site each would collide).
        port = None
    else:
        host = host or "localhost"
        port = port if port is not None else 8080

    logging.basicConfig(level=logging.DEBUG)
    run_app(factory(extra_argv), host=host, port=port, path=args.path)
    parser.exit(message="Stopped\n")
