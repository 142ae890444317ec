"""Static files: a prefix mapped to a directory, resolved without ever leaving it."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import html
import os
import stat
from collections.abc import Iterator, Mapping
from pathlib import Path, PurePosixPath, PureWindowsPath
from typing import Any, Final

from yarl import URL

from aioweb.exceptions import HTTPNotFound

from ._contracts import ExpectHandler, Request, StaticResponder, path_safe
from ._helpers import quote_path, unquote_path_safe
from ._match_info import UrlMappingMatchInfo
from ._resources import _EMPTY, PrefixResource, ResolveResult
from ._routes import AbstractRoute, ResourceRoute

__all__ = ("StaticResource",)

#: Suffixes of precompressed variants, by content coding.
PRECOMPRESSED_SUFFIXES: Final[Mapping[str, str]] = {"br": ".br", "gzip": ".gz", "zstd": ".zst"}


class StaticResource(PrefixResource):
    """Serve the files under *directory* at ``<prefix>/<relative path>``.

    A request is answered only for a regular file (or, with *show_index*, a
    directory) that is inside the root. ``%2F`` separates segments as ``/``
    does; ``..`` segments (also as ``%2e%2e``), backslashes, NUL bytes,
    absolute, drive (``C:``) and UNC names are refused, and so are symlinks
    that lead outside the root unless *follow_symlinks* is true (then the path
    as written must still stay inside the root, as in aiohttp). Every refusal is the same
    :class:`~aioweb.exceptions.HTTPNotFound`, whether the file exists or not.

    The response itself comes from the :class:`StaticResponder` given as
    *responder* (or later through :attr:`responder`); without one, a request
    raises ``RuntimeError``.
    """

    VERSION_KEY: Final = "v"

    def __init__(
        self,
        prefix: str,
        directory: str | os.PathLike[str],
        *,
        name: str | None = None,
        expect_handler: ExpectHandler | None = None,
        chunk_size: int = 256 * 1024,
        show_index: bool = False,
        follow_symlinks: bool = False,
        append_version: bool = False,
        responder: StaticResponder[Any] | None = None,
    ) -> None:
        super().__init__(prefix, name=name)
        try:
            root = Path(directory).expanduser().resolve(strict=True)
        except FileNotFoundError as exc:
            raise ValueError(f"'{directory}' does not exist") from exc
        if not root.is_dir():
            raise ValueError(f"'{directory}' is not a directory")
        if chunk_size < 1:
            raise ValueError("chunk_size must be positive")
        self._directory = root
        self._chunk_size = chunk_size
        self._show_index = show_index
        self._follow_symlinks = follow_symlinks
        self._append_version = append_version
        self.responder: StaticResponder[Any] | None = responder
        self._routes: dict[str, ResourceRoute] = {
            method: ResourceRoute(method, self._handle, self, expect_handler=expect_handler)
            for method in ("GET", "HEAD")
        }
        self._any_route: ResourceRoute | None = None
        self._allowed_methods = set(self._routes)

    @property
    def directory(self) -> Path:
        """The resolved static root."""
        return self._directory

    def url_for(self, *args: str, filename: str | os.PathLike[str] = "", **kwargs: Any) -> URL:
        """``<prefix>/<filename>``, with ``?v=<hash>`` if *append_version* (a keyword).

        The version is a URL-safe base64 SHA-256 of the file's content; it is
        left out when the file is missing or outside the root.
        """
        if args:
            raise TypeError("url_for() of a static resource takes filename= only")
        append_version = kwargs.pop("append_version", None)
        if kwargs:
            raise TypeError(f"unexpected arguments {sorted(kwargs)}")
        if append_version is None:
            append_version = self._append_version
        name = str(filename).lstrip("/")
        url = URL.build(path=self._prefix, encoded=True) / name
        if append_version:
            path = self._safe_path(name)
            if path is not None:
                digest = hashlib.sha256(path.read_bytes()).digest()
                url = url.with_query({self.VERSION_KEY: base64.urlsafe_b64encode(digest).decode()})
        return url

    def get_info(self) -> Mapping[str, Any]:
        """``{"directory": ..., "prefix": ..., "routes": {method: route}}``."""
        return {"directory": self._directory, "prefix": self._prefix, "routes": self._routes}

    def set_options_route(self, handler: Any) -> None:
        """Add an ``OPTIONS`` route (for CORS helpers)."""
        if "OPTIONS" in self._routes:
            raise RuntimeError("OPTIONS route was set already")
        self._routes["OPTIONS"] = ResourceRoute("OPTIONS", handler, self)
        self._allowed_methods.add("OPTIONS")

    def _match(self, path: str) -> dict[str, str] | None:
        if path.startswith(self._prefix2):
            return {"filename": unquote_path_safe(path[len(self._prefix2) :])}
        if path == self._safe_prefix:
            return {"filename": ""}
        return None

    async def resolve(self, request: Request) -> ResolveResult:
        """Match the prefix, then ``GET``/``HEAD`` (and ``OPTIONS`` if set)."""
        match_dict = self._match(path_safe(request))
        if match_dict is None:
            return None, _EMPTY
        route = self._routes.get(request.method)
        if route is None:
            return None, self._allowed_methods
        return UrlMappingMatchInfo(match_dict, route), self._allowed_methods

    def __len__(self) -> int:
        return len(self._routes)

    def __iter__(self) -> Iterator[AbstractRoute]:
        return iter(self._routes.values())

    def __repr__(self) -> str:
        name = f"'{self._name}' " if self._name is not None else ""
        return f"<StaticResource {name} {self._prefix} -> {self._directory!r}>"

    # Serving.

    async def _handle(self, request: Any) -> Any:
        responder = self.responder
        if responder is None:
            raise RuntimeError(
                "static route hit but no StaticResponder is configured: pass "
                "UrlDispatcher(static_responder=...) or set StaticResource.responder"
            )
        match = self._match(path_safe(request))
        name = "" if match is None else match["filename"]
        loop = asyncio.get_running_loop()
        kind, target = await loop.run_in_executor(None, self._lookup, name)
        if kind == "file":
            return responder.file(target, self._chunk_size)
        return responder.index(target)

    def _lookup(self, name: str) -> tuple[str, Any]:
        """``("file", path)`` or ``("index", html)``; ``HTTPNotFound`` otherwise."""
        path = self._safe_path(name, allow_dir=self._show_index)
        if path is None:
            raise HTTPNotFound()
        if path.is_dir():
            return "index", self._directory_as_html(path, "/".join(_clean_relative(name) or ()))
        return "file", path

    def _safe_path(self, name: str, *, allow_dir: bool = False) -> Path | None:
        """The file for the relative URL path *name* if it may be served, else ``None``."""
        relative = _clean_relative(name)
        if relative is None:
            return None
        # Every ".." is refused above, so the path as written is inside the root.
        return self._checked(self._directory.joinpath(*relative), allow_dir=allow_dir)

    def _checked(self, unresolved: Path, *, allow_dir: bool) -> Path | None:
        try:
            resolved = unresolved.resolve(strict=True)
            # Without follow_symlinks no link may lead out of the root.
            if not self._follow_symlinks and not resolved.is_relative_to(self._directory):
                return None
            mode = resolved.stat().st_mode
        except (OSError, RuntimeError, ValueError):
            # Missing, unreadable, a symlink loop: all answer like "missing".
            return None
        if stat.S_ISREG(mode) or (allow_dir and stat.S_ISDIR(mode)):
            return resolved
        return None

    def precompressed_variant(self, path: Path, coding: str) -> Path | None:
        """The precompressed file (``.br``, ``.gz``, ``.zst``) beside *path*, if safe.

        *path* is a file this resource handed to the responder. The variant obeys
        the same root and symlink rules as the file itself (CVE-2024-42367): a
        responder that offers precompressed files must find them through this method.
        """
        suffix = PRECOMPRESSED_SUFFIXES.get(coding)
        if suffix is None:
            return None
        return self._checked(path.with_name(path.name + suffix), allow_dir=False)

    def _directory_as_html(self, path: Path, shown: str) -> str:
        # Links are built from the URL path, not the filesystem path: with
        # follow_symlinks the directory itself may live outside the root.
        title = html.escape(f"Index of /{shown}")
        base = f"/{shown}/" if shown else "/"
        items = []
        for entry in sorted(path.iterdir()):
            # The prefix is already percent-encoded; only the names need quoting.
            href = html.escape(self._prefix + quote_path(base + entry.name), quote=True)
            label = entry.name + ("/" if entry.is_dir() else "")
            items.append(f'<li><a href="{href}">{html.escape(label)}</a></li>')
        listing = "\n".join(items)
        return (
            f"<html>\n<head>\n<title>{title}</title>\n</head>\n<body>\n<h1>{title}</h1>\n"
            f"<ul>\n{listing}\n</ul>\n</body>\n</html>"
        )


def _clean_relative(name: str) -> tuple[str, ...] | None:
    """The segments of the URL path *name*, or ``None`` if it could escape the root."""
    if "\x00" in name or "\\" in name:
        return None
    if PurePosixPath(name).is_absolute() or PureWindowsPath(name).drive:
        return None
    segments = tuple(seg for seg in name.split("/") if seg not in ("", "."))
    if any(seg == ".." or (":" in seg and PureWindowsPath(seg).drive) for seg in segments):
        return None
    return segments
