"""Access logging: one line per request, in Apache-like format codes (as aiohttp).

Format codes: ``%%`` a percent sign, ``%a`` remote address, ``%t`` time the request
started, ``%P`` process id, ``%r`` request line, ``%s`` status, ``%b`` response body
size, ``%T`` seconds taken, ``%Tf`` seconds as a float, ``%D`` microseconds taken,
``%{Name}i`` a request header, ``%{Name}o`` a response header. The format is compiled
once; nothing is formatted when the logger is disabled for INFO.
"""

from __future__ import annotations

import datetime
import logging
import os
import re
import time
from abc import ABC, abstractmethod
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Final

if TYPE_CHECKING:
    from .request import BaseRequest
    from .response import StreamResponse

__all__ = ["AbstractAccessLogger", "AccessLogger", "access_logger"]

#: The default access logger ("aioweb.access").
access_logger: Final = logging.getLogger("aioweb.access")

_Part = Callable[["BaseRequest", "StreamResponse", float], str]


class AbstractAccessLogger(ABC):
    """Base of access loggers: subclass it and implement :meth:`log`."""

    __slots__ = ("log_format", "logger")

    def __init__(self, logger: logging.Logger, log_format: str) -> None:
        self.logger = logger
        self.log_format = log_format

    @abstractmethod
    def log(self, request: BaseRequest, response: StreamResponse, time: float) -> None:
        """Log one finished request; ``time`` is the seconds it took."""

    @property
    def enabled(self) -> bool:
        """Whether logging would emit anything (checked before timing each request)."""
        return self.logger.isEnabledFor(logging.INFO)


_CODE: Final = re.compile(r"%(\{([A-Za-z0-9\-_]+)\}([io])|Tf|[atPrsbTD%])")


def _remote(request: BaseRequest, response: StreamResponse, took: float) -> str:
    return request.remote or "-"


def _start_time(request: BaseRequest, response: StreamResponse, took: float) -> str:
    tz = datetime.timezone(datetime.timedelta(seconds=-time.timezone))
    now = datetime.datetime.now(tz) - datetime.timedelta(seconds=took)
    return now.strftime("[%d/%b/%Y:%H:%M:%S %z]")


def _pid(request: BaseRequest, response: StreamResponse, took: float) -> str:
    return f"<{os.getpid()}>"


def _first_line(request: BaseRequest, response: StreamResponse, took: float) -> str:
    major, minor = request.version
    return f"{request.method} {request.path_qs} HTTP/{major}.{minor}"


def _status(request: BaseRequest, response: StreamResponse, took: float) -> str:
    return str(response.status)


def _size(request: BaseRequest, response: StreamResponse, took: float) -> str:
    return str(response.body_length)


def _seconds(request: BaseRequest, response: StreamResponse, took: float) -> str:
    return str(round(took))


def _seconds_float(request: BaseRequest, response: StreamResponse, took: float) -> str:
    return f"{took:06f}"


def _micros(request: BaseRequest, response: StreamResponse, took: float) -> str:
    return str(round(took * 1_000_000))


_SIMPLE: Final[dict[str, _Part]] = {
    "a": _remote,
    "t": _start_time,
    "P": _pid,
    "r": _first_line,
    "s": _status,
    "b": _size,
    "T": _seconds,
    "Tf": _seconds_float,
    "D": _micros,
}


def _header(name: str, side: str) -> _Part:
    if side == "i":

        def part(request: BaseRequest, response: StreamResponse, took: float) -> str:
            return request.headers.get(name, "-")

    else:

        def part(request: BaseRequest, response: StreamResponse, took: float) -> str:
            return response.headers.get(name, "-")

    return part


def compile_format(log_format: str) -> list[str | _Part]:
    """Split ``log_format`` into literal text and value getters."""
    parts: list[str | _Part] = []
    pos = 0
    for match in _CODE.finditer(log_format):
        if match.start() > pos:
            parts.append(log_format[pos : match.start()])
        code = match.group(1)
        if code == "%":
            parts.append("%")
        elif match.group(2):
            parts.append(_header(match.group(2), match.group(3)))
        else:
            parts.append(_SIMPLE[code])
        pos = match.end()
    if pos < len(log_format):
        parts.append(log_format[pos:])
    return parts


class AccessLogger(AbstractAccessLogger):
    """The default access logger: one INFO record per request, aiohttp's format codes."""

    __slots__ = ("_parts",)

    LOG_FORMAT: Final = '%a %t "%r" %s %b "%{Referer}i" "%{User-Agent}i"'

    def __init__(self, logger: logging.Logger, log_format: str = LOG_FORMAT) -> None:
        super().__init__(logger, log_format)
        self._parts = compile_format(log_format)

    def log(self, request: BaseRequest, response: StreamResponse, time: float) -> None:
        """Format and emit the access line (as an INFO record, ``%`` escaped)."""
        if not self.logger.isEnabledFor(logging.INFO):
            return
        try:
            line = "".join(
                part if isinstance(part, str) else part(request, response, time)
                for part in self._parts
            )
        except Exception:
            self.logger.exception("Error in logging")
            return
        extra: dict[str, Any] = {"remote_address": request.remote, "status": response.status}
        self.logger.info("%s", line, extra=extra)
