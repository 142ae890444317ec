"""Access logging: one line per request, in Apache-like format codes (as aiohttp).

Format codes: ``%%`` a percent sign, ``%a`` remote address, ``%t`` time the request
started, ``%P`` process id, ``%r`` request line, ``%s`` status, ``%b`` response body
size, ``%T`` seconds taken, ``%Tf`` seconds as a float, ``%D`` microseconds taken,
``%{Name}i`` a request header, ``%{Name}o`` a response header. Anything else is
copied as written. The format is compiled once; nothing is formatted when the logger
is disabled for INFO. Each record also carries the values in ``extra`` under aiohttp's
names (``remote_address``, ``response_status``, ``request_header`` (a dict), ...), for
structured log handlers.

A custom ``access_log_class`` subclasses :class:`AbstractAccessLogger`, or is any
class built as ``cls(logger, log_format)`` whose instances have a
``log(request, response, time)`` method: a logger written against
``aiohttp.abc.AbstractAccessLogger`` works unchanged. See :func:`make_access_logger`.
"""

from __future__ import annotations

import datetime
import inspect
import logging
import os
import re
import time
from abc import ABC, abstractmethod
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Final, NamedTuple, Protocol, TypeAlias, cast

if TYPE_CHECKING:
    from .request import BaseRequest
    from .response import StreamResponse

__all__ = [
    "AbstractAccessLogger",
    "AccessLogWriter",
    "AccessLogger",
    "AccessLoggerClass",
    "access_logger",
    "make_access_logger",
]

#: The default access logger ("aioweb.access").
access_logger: Final = logging.getLogger("aioweb.access")

_Getter = Callable[["BaseRequest", "StreamResponse", float], "str | int"]


class _Field(NamedTuple):
    """One format code: its ``extra`` key (and header name) and how to get its value."""

    key: str
    header: str | None
    get: _Getter


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
        """Whether :meth:`log` is to be called (read before timing each request).

        True here, as in aiohttp's base class: a subclass that does not emit through
        ``self.logger`` (metrics, a file of its own) is called whatever the level of
        that logger. Override it to skip the work when nothing would be recorded, as
        :class:`AccessLogger` does (it follows the logger's level for INFO).
        """
        return True


_CODE: Final = re.compile(r"%(\{([A-Za-z0-9\-_]+)\}([io])|Tf|[atPrsbTD%])")


def _remote(request: BaseRequest, response: StreamResponse, took: float) -> str:
    return request.remote or "-"


# (second, its text): lines logged within one second share the formatting work.
_started: tuple[int, str] = (-1, "")


def _start_time(request: BaseRequest, response: StreamResponse, took: float) -> str:
    global _started
    second = int(time.time() - took)
    cached_second, text = _started
    if second != cached_second:
        # tm_gmtoff, not time.timezone: the offset in force then, daylight saving included.
        tz = datetime.timezone(datetime.timedelta(seconds=time.localtime(second).tm_gmtoff))
        text = datetime.datetime.fromtimestamp(second, tz).strftime("[%d/%b/%Y:%H:%M:%S %z]")
        _started = (second, text)
    return text


def _pid(request: BaseRequest, response: StreamResponse, took: float) -> str:
    return f"<{os.getpid()}>"


def _first_line(request: BaseRequest, response: StreamResponse, took: float) -> str:
    major, minor = request.version
    return f"{request.method} {request.path_qs} HTTP/{major}.{minor}"


def _status(request: BaseRequest, response: StreamResponse, took: float) -> int:
    return response.status


def _size(request: BaseRequest, response: StreamResponse, took: float) -> int:
    return response.body_length


def _seconds(request: BaseRequest, response: StreamResponse, took: float) -> str:
    return str(round(took))


def _seconds_float(request: BaseRequest, response: StreamResponse, took: float) -> str:
    return f"{took:06f}"


def _micros(request: BaseRequest, response: StreamResponse, took: float) -> str:
    return str(round(took * 1_000_000))


# What a log line must not carry as is: control characters (C0, DEL, C1: a terminal
# may act on them) and lone surrogates, which stand for request bytes that were not
# UTF-8 (surrogateescape) and which a UTF-8 log stream cannot write (the line would be
# lost to a logging error, as it is in aiohttp).
_UNSAFE: Final = re.compile("[\x00-\x08\x0a-\x1f\x7f-\x9f\ud800-\udfff]")


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    if 0xDC80 <= code <= 0xDCFF:
        code -= 0xDC00  # the byte that surrogateescape stands for
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


# Code -> (aiohttp's ``extra`` key, getter).
_SIMPLE: Final[dict[str, tuple[str, _Getter]]] = {
    "a": ("remote_address", _remote),
    "t": ("request_start_time", _start_time),
    "P": ("process_id", _pid),
    "r": ("first_request_line", _first_line),
    "s": ("response_status", _status),
    "b": ("response_size", _size),
    "T": ("request_time", _seconds),
    "Tf": ("request_time_frac", _seconds_float),
    "D": ("request_time_micro", _micros),
}


def _header(name: str, side: str) -> _Field:
    if side == "i":

        def incoming(request: BaseRequest, response: StreamResponse, took: float) -> str:
            return request.headers.get(name, "-")

        return _Field("request_header", name, incoming)

    def outgoing(request: BaseRequest, response: StreamResponse, took: float) -> str:
        return response.headers.get(name, "-")

    return _Field("response_header", name, outgoing)


def compile_format(log_format: str) -> list[str | _Field]:
    """Split ``log_format`` into literal text and the fields to fill in."""
    parts: list[str | _Field] = []
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
            key, get = _SIMPLE[code]
            parts.append(_Field(key, None, get))
        pos = match.end()
    if pos < len(log_format):
        parts.append(log_format[pos:])
    return parts


class AccessLogger(AbstractAccessLogger):
    """The default access logger: one INFO record per request, aiohttp's format codes."""

    __slots__ = ("_parts",)

    LOG_FORMAT: Final = '%a %t "%r" %s %b "%{Referer}i" "%{User-Agent}i"'

    def __init__(self, logger: logging.Logger, log_format: str = LOG_FORMAT) -> None:
        if not isinstance(log_format, str):
            raise TypeError(f"access_log_format must be a str, got {log_format!r}")
        super().__init__(logger, log_format)
        self._parts = compile_format(log_format)

    @property
    def enabled(self) -> bool:
        """Whether the logger records INFO: nothing is timed or formatted otherwise."""
        return self.logger.isEnabledFor(logging.INFO)

    def log(self, request: BaseRequest, response: StreamResponse, time: float) -> None:
        """Format and emit the access line (as an INFO record, ``%`` escaped)."""
        if not self.logger.isEnabledFor(logging.INFO):
            return
        out: list[str] = []
        extra: dict[str, Any] = {}
        try:
            for part in self._parts:
                if isinstance(part, str):
                    out.append(part)
                    continue
                key, header, get = part
                value = get(request, response, time)
                out.append(str(value))
                if header is None:
                    extra[key] = value
                else:
                    extra.setdefault(key, {})[header] = value
        except Exception:
            self.logger.exception("Error in logging")
            return
        line = "".join(out)
        if not line.isascii():
            line = _UNSAFE.sub(_escape, line)
        self.logger.info("%s", line, extra=extra)


class AccessLogWriter(Protocol):
    """What an access logger must have: ``log(request, response, time)``.

    ``request`` is the :class:`~aioweb.server.request.BaseRequest`, ``response`` the
    :class:`~aioweb.server.response.StreamResponse` sent, ``time`` the seconds taken.
    They are typed ``Any`` here so that loggers annotated with aiohttp's types (written
    against ``aiohttp.abc.AbstractAccessLogger``) type-check too. An optional
    ``enabled`` property, read before each request is timed, can turn logging off;
    without one the logger is always enabled (as aiohttp's base class is).
    """

    def log(self, request: Any, response: Any, time: float) -> None: ...


class _ServerAccessLog(AccessLogWriter, Protocol):
    """What the server uses: :meth:`log` and ``enabled``."""

    @property
    def enabled(self) -> bool: ...


#: The type of ``access_log_class``: a class called as ``cls(logger, log_format)``.
AccessLoggerClass: TypeAlias = Callable[[logging.Logger, str], AccessLogWriter]


class _AlwaysEnabled:
    """A logger without ``enabled`` seen through the server's contract: always enabled."""

    __slots__ = ("log",)

    log: Callable[[Any, Any, float], None]

    def __init__(self, writer: AccessLogWriter) -> None:
        self.log = writer.log  # the bound method itself: no extra call per request

    @property
    def enabled(self) -> bool:
        return True


def _required(access_log_class: object) -> TypeError:
    return TypeError(
        "access_log_class must be a subclass of aioweb.server.AbstractAccessLogger, or a "
        "class taking (logger, log_format) whose instances have a "
        "log(request, response, time) method (aiohttp.abc.AbstractAccessLogger "
        f"subclasses qualify), got {access_log_class!r}"
    )


def make_access_logger(
    access_log_class: AccessLoggerClass, logger: logging.Logger, log_format: str
) -> _ServerAccessLog:
    """Build the server's access logger: ``access_log_class(logger, log_format)``.

    Accepts a subclass of :class:`AbstractAccessLogger` or, by duck typing, any class
    whose instances have a callable ``log`` taking ``(request, response, time)``;
    anything else raises :class:`TypeError` saying what is required. An instance
    without ``enabled`` is treated as always enabled.
    """
    if not isinstance(access_log_class, type) or not (
        issubclass(access_log_class, AbstractAccessLogger)
        or callable(getattr(access_log_class, "log", None))
    ):
        raise _required(access_log_class)
    access = access_log_class(logger, log_format)
    log = getattr(access, "log", None)
    if not callable(log):
        raise _required(access_log_class)
    try:
        signature = inspect.signature(log)
    except (TypeError, ValueError):  # pragma: no cover - builtins without a signature
        signature = None
    if signature is not None:
        try:
            signature.bind(None, None, 0.0)
        except TypeError:
            raise TypeError(
                f"{access_log_class.__qualname__}.log must take (request, response, time), "
                f"its signature is {signature}"
            ) from None
    if hasattr(access, "enabled"):
        return cast("_ServerAccessLog", access)
    return _AlwaysEnabled(access)
