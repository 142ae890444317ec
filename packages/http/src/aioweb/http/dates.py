"""HTTP dates (RFC 9110 section 5.6.7): the Date header and Last-Modified style values.

Formatting uses fixed English day and month tables, never :func:`time.strftime`, whose
``%a`` and ``%b`` follow the process locale. Parsing accepts the three forms a recipient
must accept and matches ASCII digits only.
"""

from __future__ import annotations

import math
import re
import time
from datetime import UTC, datetime, timedelta
from typing import Final

__all__ = ["format_http_date", "http_date", "parse_http_date"]

_DAYS: Final = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS: Final = (
    "Jan",
    "Feb",
    "Mar",
    "Apr",
    "May",
    "Jun",
    "Jul",
    "Aug",
    "Sep",
    "Oct",
    "Nov",
    "Dec",
)
_MONTH_NUMBER: Final = {name: number for number, name in enumerate(_MONTHS, 1)}
_EPOCH: Final = datetime(1970, 1, 1, tzinfo=UTC)

# The Date header changes once a second; computing it once per second and comparing one
# int per call is the cheap path every response takes.
_cached_second = -1
_cached_date = ""


def _imf_fixdate(weekday: int, day: int, month: int, year: int, hh: int, mm: int, ss: int) -> str:
    day_name, month_name = _DAYS[weekday], _MONTHS[month - 1]
    return f"{day_name}, {day:02d} {month_name} {year:04d} {hh:02d}:{mm:02d}:{ss:02d} GMT"


def _format_timestamp(seconds: int) -> str:
    t = time.gmtime(seconds)
    return _imf_fixdate(t.tm_wday, t.tm_mday, t.tm_mon, t.tm_year, t.tm_hour, t.tm_min, t.tm_sec)


def http_date() -> str:
    """The current time as an IMF-fixdate, e.g. ``"Sun, 06 Nov 1994 08:49:37 GMT"``.

    Cached: recomputed only when the wall clock's second changes.
    """
    global _cached_second, _cached_date
    now = int(time.time())
    if now != _cached_second:
        _cached_date = _format_timestamp(now)
        _cached_second = now
    return _cached_date


def format_http_date(value: float | datetime) -> str:
    """Format a POSIX timestamp or a datetime as an IMF-fixdate (fractions are dropped).

    A naive datetime is taken as UTC; an aware one is converted to UTC. Raises
    :class:`ValueError` for a value that has no four-digit-year IMF-fixdate (NaN,
    infinities, years outside 1..9999).
    """
    if isinstance(value, datetime):
        if value.tzinfo is not None:
            value = value.astimezone(UTC)
        return _imf_fixdate(
            value.weekday(),
            value.day,
            value.month,
            value.year,
            value.hour,
            value.minute,
            value.second,
        )
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise ValueError(f"not a finite timestamp: {value!r}")
    try:
        # Epoch arithmetic rather than gmtime: the same range on every platform (1..9999).
        moment = _EPOCH + timedelta(seconds=math.floor(value))
    except OverflowError:
        raise ValueError(f"timestamp out of range: {value!r}") from None
    return format_http_date(moment)


_DAY_NAME: Final = "(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)"
_DAY_NAME_LONG: Final = "(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)"
_MONTH: Final = "(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)"
_TIME: Final = "([0-9]{2}):([0-9]{2}):([0-9]{2})"

# IMF-fixdate = day-name "," SP date1 SP time-of-day SP GMT ; date1 = day SP month SP year
_IMF_FIXDATE: Final = re.compile(rf"{_DAY_NAME}, ([0-9]{{2}}) {_MONTH} ([0-9]{{4}}) {_TIME} GMT")
# rfc850-date = day-name-l "," SP date2 SP time-of-day SP GMT ; date2 = day "-" month "-" 2DIGIT
_RFC850: Final = re.compile(rf"{_DAY_NAME_LONG}, ([0-9]{{2}})-{_MONTH}-([0-9]{{2}}) {_TIME} GMT")
# asctime-date = day-name SP date3 SP time-of-day SP year
# date3 = month SP ( 2DIGIT / ( SP DIGIT ))
_ASCTIME: Final = re.compile(rf"{_DAY_NAME} {_MONTH} ([0-9]{{2}}| [0-9]) {_TIME} ([0-9]{{4}})")


def _two_digit_year(yy: int) -> int:
    # RFC 9110 5.6.7: a two-digit year more than 50 years in the future is the most
    # recent past year with the same last two digits.
    this_year = datetime.now(UTC).year
    year = this_year - this_year % 100 + yy
    if year > this_year + 50:
        year -= 100
    return year


def _build(year: int, month: str, day: str, hh: str, mm: str, ss: str) -> datetime | None:
    second = int(ss)
    if second == 60:
        second = 59  # a leap second (allowed by RFC 9110) that datetime cannot hold
    try:
        return datetime(year, _MONTH_NUMBER[month], int(day), int(hh), int(mm), second, tzinfo=UTC)
    except ValueError:
        return None


def parse_http_date(value: str) -> datetime | None:
    """Parse an HTTP date into an aware UTC datetime, or return ``None`` if it is invalid.

    Accepts IMF-fixdate (``Sun, 06 Nov 1994 08:49:37 GMT``), the obsolete RFC 850 form
    (``Sunday, 06-Nov-94 08:49:37 GMT``) and asctime (``Sun Nov  6 08:49:37 1994``), with
    surrounding spaces or tabs. Names are case-sensitive and the day name is not checked
    against the date, as RFC 9110 allows. Never raises.
    """
    try:
        value = value.strip(" \t")
    except (AttributeError, TypeError):  # not a str: "never raises" holds for any input
        return None
    if (m := _IMF_FIXDATE.fullmatch(value)) is not None:
        day, month, year, hh, mm, ss = m.groups()
        return _build(int(year), month, day, hh, mm, ss)
    if (m := _RFC850.fullmatch(value)) is not None:
        day, month, yy, hh, mm, ss = m.groups()
        return _build(_two_digit_year(int(yy)), month, day, hh, mm, ss)
    if (m := _ASCTIME.fullmatch(value)) is not None:
        month, day, hh, mm, ss, year = m.groups()
        return _build(int(year), month, day.lstrip(" "), hh, mm, ss)
    return None
