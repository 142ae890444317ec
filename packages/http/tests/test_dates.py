"""HTTP date formatting, the cached Date value, and parsing of the three date forms."""

from __future__ import annotations

import email.utils
import locale
from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from aioweb.http import dates
from aioweb.http.dates import format_http_date, http_date, parse_http_date

_RFC_EXAMPLE = datetime(1994, 11, 6, 8, 49, 37, tzinfo=UTC)


# -- format_http_date ------------------------------------------------------------------


def test_format_rfc_example() -> None:
    assert format_http_date(_RFC_EXAMPLE) == "Sun, 06 Nov 1994 08:49:37 GMT"
    assert format_http_date(784111777) == "Sun, 06 Nov 1994 08:49:37 GMT"
    assert format_http_date(784111777.999) == "Sun, 06 Nov 1994 08:49:37 GMT"


def test_format_epoch_and_negative() -> None:
    assert format_http_date(0) == "Thu, 01 Jan 1970 00:00:00 GMT"
    assert format_http_date(-1) == "Wed, 31 Dec 1969 23:59:59 GMT"
    assert format_http_date(-0.5) == "Wed, 31 Dec 1969 23:59:59 GMT"  # floor, not truncate


def test_format_naive_datetime_is_utc() -> None:
    assert format_http_date(datetime(1994, 11, 6, 8, 49, 37)) == "Sun, 06 Nov 1994 08:49:37 GMT"


def test_format_aware_datetime_converted() -> None:
    cet = timezone(timedelta(hours=1))
    value = datetime(1994, 11, 6, 9, 49, 37, 999999, tzinfo=cet)
    assert format_http_date(value) == "Sun, 06 Nov 1994 08:49:37 GMT"


def test_format_small_year_has_four_digits() -> None:
    assert format_http_date(datetime(5, 1, 1)) == "Sat, 01 Jan 0005 00:00:00 GMT"


@pytest.mark.parametrize("value", [float("nan"), float("inf"), -float("inf"), 1e20, -1e20])
def test_format_rejects_unrepresentable(value: float) -> None:
    with pytest.raises(ValueError):
        format_http_date(value)


@pytest.mark.parametrize("value", ["0", None, True, b"1"])
def test_format_rejects_other_types(value: object) -> None:
    with pytest.raises(ValueError):
        format_http_date(value)  # type: ignore[arg-type]


def test_format_matches_email_utils() -> None:
    for t in (0, 1, 951782400, 1700000000, 2000000000, 4102444800):
        assert format_http_date(t) == email.utils.formatdate(t, usegmt=True)


def test_format_ignores_locale() -> None:
    saved = locale.setlocale(locale.LC_TIME)
    try:
        for name in ("de_DE.UTF-8", "fr_FR.UTF-8", "C.UTF-8"):
            try:
                locale.setlocale(locale.LC_TIME, name)
            except locale.Error:
                continue
            assert format_http_date(_RFC_EXAMPLE) == "Sun, 06 Nov 1994 08:49:37 GMT"
    finally:
        locale.setlocale(locale.LC_TIME, saved)


# -- http_date -------------------------------------------------------------------------


def test_http_date_is_now() -> None:
    parsed = parse_http_date(http_date())
    assert parsed is not None
    assert abs((datetime.now(UTC) - parsed).total_seconds()) < 2


def test_http_date_cached_per_second(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[int] = []
    real = dates._format_timestamp

    def counting(seconds: int) -> str:
        calls.append(seconds)
        return real(seconds)

    now = [784111777.1]
    monkeypatch.setattr(dates, "_format_timestamp", counting)
    monkeypatch.setattr(dates.time, "time", lambda: now[0])
    monkeypatch.setattr(dates, "_cached_second", -1)
    assert http_date() == "Sun, 06 Nov 1994 08:49:37 GMT"
    now[0] = 784111777.9
    assert http_date() == "Sun, 06 Nov 1994 08:49:37 GMT"
    assert calls == [784111777]
    now[0] = 784111778.0
    assert http_date() == "Sun, 06 Nov 1994 08:49:38 GMT"
    assert calls == [784111777, 784111778]
    now[0] = 784111700.0  # the clock stepped back: still correct
    assert http_date() == "Sun, 06 Nov 1994 08:48:20 GMT"


# -- parse_http_date -------------------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    [
        "Sun, 06 Nov 1994 08:49:37 GMT",
        "Sunday, 06-Nov-94 08:49:37 GMT",
        "Sun Nov  6 08:49:37 1994",
        "  Sun, 06 Nov 1994 08:49:37 GMT\t",
        "Mon, 06 Nov 1994 08:49:37 GMT",  # a wrong day name is not checked
    ],
)
def test_parse_three_forms(value: str) -> None:
    assert parse_http_date(value) == _RFC_EXAMPLE


def test_parse_result_is_aware_utc() -> None:
    parsed = parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT")
    assert parsed is not None
    assert parsed.tzinfo is UTC


def test_parse_asctime_two_digit_day() -> None:
    assert parse_http_date("Thu Dec 31 23:59:59 1998") == datetime(
        1998, 12, 31, 23, 59, 59, tzinfo=UTC
    )


def test_parse_leap_second() -> None:
    assert parse_http_date("Wed, 31 Dec 2008 23:59:60 GMT") == datetime(
        2008, 12, 31, 23, 59, 59, tzinfo=UTC
    )


def test_parse_rfc850_two_digit_year_window() -> None:
    this_year = datetime.now(UTC).year
    near_future = (this_year + 10) % 100
    far_future = (this_year + 60) % 100
    parsed = parse_http_date(f"Sunday, 06-Nov-{near_future:02d} 08:49:37 GMT")
    assert parsed is not None
    assert parsed.year == this_year + 10
    parsed = parse_http_date(f"Sunday, 06-Nov-{far_future:02d} 08:49:37 GMT")
    assert parsed is not None
    assert parsed.year == this_year + 60 - 100


@pytest.mark.parametrize(
    "value",
    [
        "",
        "garbage",
        "Sun, 06 Nov 1994 08:49:37",
        "Sun, 06 Nov 1994 08:49:37 UTC",
        "Sun, 06 Nov 1994 08:49:37 +0000",
        "Sun, 6 Nov 1994 08:49:37 GMT",
        "sun, 06 nov 1994 08:49:37 GMT",
        "Sun, 06 Nov 94 08:49:37 GMT",
        "Sun, 32 Nov 1994 08:49:37 GMT",
        "Sun, 31 Nov 1994 08:49:37 GMT",
        "Sun, 29 Feb 1900 08:49:37 GMT",
        "Sun, 06 Nov 1994 24:00:00 GMT",
        "Sun, 06 Nov 1994 08:60:00 GMT",
        "Sun, 06 Nov 1994 08:49:61 GMT",
        "Sun, 00 Nov 1994 08:49:37 GMT",
        "Sun, 06 Nov 0000 08:49:37 GMT",
        "Sun, 06 Foo 1994 08:49:37 GMT",
        "Sun, \u0660\u0666 Nov 1994 08:49:37 GMT",  # Arabic-Indic digits
        "Sun, 06 Nov \uff11\uff19\uff19\uff14 08:49:37 GMT",  # fullwidth digits
        "Sun, 06 Nov 1994 \u0660\u0668:49:37 GMT",
        "Sun, 06 Nov 1994 08:49:37 GMT\r\nX: y",
        "Sun, 06 Nov 1994 08:49:37 GMTx",
        "Sun, 06 Nov 1994  08:49:37 GMT",
        "Sunday, 06-Nov-1994 08:49:37 GMT",
        "Sun, 06-Nov-94 08:49:37 GMT",
        "Sunday, 06-Nov-\u0669\u0664 08:49:37 GMT",
        "Sun Nov 6 08:49:37 1994",
        "Sun Nov  6 08:49:37 94",
        "Sun Nov \u0666\u0666 08:49:37 1994",
        "Sun Nov  6 08:49:37 1994 GMT",
        "Sun, 06 Nov 1994 08:49:37 GMT" * 100,
    ],
)
def test_parse_invalid_is_none(value: str) -> None:
    assert parse_http_date(value) is None


@pytest.mark.parametrize("value", [None, b"Sun, 06 Nov 1994 08:49:37 GMT", 784111777, object()])
def test_parse_non_str_is_none(value: object) -> None:
    assert parse_http_date(value) is None  # type: ignore[arg-type]


_MOMENTS = st.datetimes(
    min_value=datetime(1, 1, 1), max_value=datetime(9999, 12, 31, 23, 59, 59)
).map(lambda d: d.replace(microsecond=0, tzinfo=UTC))


@settings(max_examples=300, deadline=None)
@given(_MOMENTS)
def test_round_trip_datetime(moment: datetime) -> None:
    assert parse_http_date(format_http_date(moment)) == moment


@settings(max_examples=300, deadline=None)
@given(st.floats(min_value=-62135596800, max_value=253402300799, allow_nan=False))
def test_round_trip_timestamp_second_precision(t: float) -> None:
    parsed = parse_http_date(format_http_date(t))
    assert parsed is not None
    assert parsed.timestamp() == int(t // 1)


_DAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTH_NAMES = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


@settings(max_examples=300, deadline=None)
@given(_MOMENTS)
def test_asctime_agrees_with_imf(moment: datetime) -> None:
    asctime = (
        f"{_DAY_NAMES[moment.weekday()]} {_MONTH_NAMES[moment.month - 1]} {moment.day:>2} "
        f"{moment.hour:02d}:{moment.minute:02d}:{moment.second:02d} {moment.year:04d}"
    )
    assert parse_http_date(asctime) == moment


@settings(max_examples=500, deadline=None)
@given(st.text(max_size=40))
def test_parse_never_raises(value: str) -> None:
    result = parse_http_date(value)
    assert result is None or result.tzinfo is UTC
