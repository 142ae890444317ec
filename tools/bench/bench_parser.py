"""Request parsing benchmark: aioweb's RequestParser vs httptools vs h11, and response heads.

Run: ``hatch run python tools/bench/bench_parser.py [--quick]``. Everything runs in this
one process, in one run: each (parser, workload) figure is the best of several short
timed runs (0.2 s; 0.05 s with ``--quick``), interleaved across the candidates so that
load from elsewhere on the machine hits all of them alike. Prints Markdown tables: requests
parsed per second and the ratios aioweb/h11 and aioweb/httptools; then nanoseconds per
response head for ``build_head`` and for alternatives.

Workloads:

* ``browser GET``: one request line and 10 header fields as a browser sends them, fed as
  one ``bytes`` per request to a parser that lives across requests (a keep-alive
  connection);
* ``16 pipelined GETs``: 16 small GET requests in one buffer, fed at once.

What each parser does per request, and how only parsing is counted:

* aioweb: ``RequestParser.feed`` returns a ``RequestHead`` (method and target as str,
  a ``CIMultiDictProxy`` of decoded headers, the raw headers, framing checked) and an
  ``EndOfMessage``.
* httptools: ``HttpRequestParser.feed_data`` with callbacks that record what a server
  needs: the URL bytes, the header (name, value) byte pairs in a list, body pieces, and a
  completed-message record (method, version, keep-alive). It builds no multidict, so it
  does less than aioweb does per request.
* h11: one ``h11.Connection(h11.SERVER)`` per connection; ``receive_data`` then
  ``next_event`` until ``NEED_DATA``/``PAUSED``. h11 will not parse the next request
  until the server has answered this one, so after each request the loop sends a minimal
  ``Response`` and ``EndOfMessage`` and calls ``start_next_cycle()``. Those calls are
  excluded: the clock runs only around ``receive_data`` and ``next_event``, and the cost
  of one clock reading (measured at start, the least of 2,000 tries) is subtracted from
  each timed segment.

The clock is the CPU time of this thread (``--clock cpu``, the default), so time spent
preempted by other processes on a busy machine does not count; ``--clock wall`` uses
``perf_counter_ns`` instead.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from typing import Any

from aioweb.http.parser import RequestParser
from aioweb.http.serializer import build_head

BROWSER_GET = (
    b"GET /articles/2026/11/http-parsing?page=2&sort=new HTTP/1.1\r\n"
    b"Host: www.example.com\r\n"
    b"User-Agent: Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0\r\n"
    b"Accept: text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8\r\n"
    b"Accept-Language: en-US,en;q=0.5\r\n"
    b"Accept-Encoding: gzip, deflate, br, zstd\r\n"
    b"Referer: https://www.example.com/articles/2026/11/\r\n"
    b"Connection: keep-alive\r\n"
    b"Cookie: session=3f6a9c1e2b7d4e8f; theme=dark; _ga=GA1.2.1234567890.1700000000\r\n"
    b"Upgrade-Insecure-Requests: 1\r\n"
    b"Sec-Fetch-Dest: document\r\n"
    b"\r\n"
)
SMALL_GET = b"GET /ping HTTP/1.1\r\nHost: localhost\r\nUser-Agent: bench\r\n\r\n"
PIPELINE = 16
PIPELINED = SMALL_GET * PIPELINE

# Each bench returns (requests parsed, nanoseconds spent parsing) for `rounds` rounds.
Bench = Callable[[int], tuple[int, int]]

# The clock every bench reads; main() may switch it to wall time (--clock wall). CPU time
# of this thread is the default: on a shared machine, time spent preempted is not ours.
CLOCKS: dict[str, Callable[[], int]] = {"cpu": time.thread_time_ns, "wall": time.perf_counter_ns}
clock: Callable[[], int] = time.thread_time_ns


def clock_overhead() -> int:
    """What one reading of ``clock`` adds to an interval (the least of many tries)."""
    now = clock
    return min(later - earlier for earlier, later in ((now(), now()) for _ in range(2000)))


# -- aioweb ------------------------------------------------------------------------------


def aioweb_bench(buffer: bytes, per_buffer: int) -> Bench:
    def run(rounds: int) -> tuple[int, int]:
        parser = RequestParser()
        feed = parser.feed
        t0 = clock()
        for _ in range(rounds):
            events = feed(buffer)
        elapsed = clock() - t0
        if len(events) != 2 * per_buffer:
            raise AssertionError(f"aioweb: expected {2 * per_buffer} events, got {events!r}")
        return rounds * per_buffer, elapsed

    return run


# -- httptools ---------------------------------------------------------------------------


class _HttptoolsCollector:
    """The callbacks a server needs; records one tuple per completed request."""

    __slots__ = ("body", "headers", "messages", "parser", "url")

    def __init__(self) -> None:
        self.url = b""
        self.headers: list[tuple[bytes, bytes]] = []
        self.body: list[bytes] = []
        self.messages: list[tuple[Any, ...]] = []
        self.parser: Any = None

    def on_message_begin(self) -> None:
        self.url = b""
        self.headers = []
        self.body = []

    def on_url(self, url: bytes) -> None:
        self.url += url

    def on_header(self, name: bytes, value: bytes) -> None:
        self.headers.append((name, value))

    def on_body(self, body: bytes) -> None:
        self.body.append(body)

    def on_message_complete(self) -> None:
        p = self.parser
        self.messages.append(
            (
                p.get_method(),
                self.url,
                p.get_http_version(),
                self.headers,
                self.body,
                p.should_keep_alive(),
            )
        )


def httptools_bench(buffer: bytes, per_buffer: int) -> Bench | None:
    try:
        import httptools
    except ImportError:
        return None

    def run(rounds: int) -> tuple[int, int]:
        collector = _HttptoolsCollector()
        parser = httptools.HttpRequestParser(collector)
        collector.parser = parser
        feed = parser.feed_data
        messages = collector.messages
        t0 = clock()
        for _ in range(rounds):
            feed(buffer)
            messages.clear()  # a server hands each request off; do not grow a list
        elapsed = clock() - t0
        feed(buffer)
        if len(messages) != per_buffer or len(messages[0][3]) < 2:
            raise AssertionError(f"httptools: expected {per_buffer} requests, got {messages!r}")
        return rounds * per_buffer, elapsed

    return run


# -- h11 ---------------------------------------------------------------------------------


def h11_bench(buffer: bytes, per_buffer: int) -> Bench | None:
    try:
        import h11
    except ImportError:
        return None
    response = h11.Response(status_code=200, headers=[("Content-Length", "0")])
    end_of_message = h11.EndOfMessage()

    def run(rounds: int) -> tuple[int, int]:
        conn = h11.Connection(h11.SERVER)
        receive_data, next_event = conn.receive_data, conn.next_event
        request_cls, eom_cls = h11.Request, h11.EndOfMessage
        need_data, paused = h11.NEED_DATA, h11.PAUSED
        now = clock
        overhead = clock_overhead()
        parsing = 0
        count = 0
        for _ in range(rounds):
            t0 = now()
            receive_data(buffer)
            while True:
                event = next_event()
                if type(event) is eom_cls:
                    parsing += now() - t0 - overhead
                    count += 1
                    # Answer the request so that h11 parses the next one (not timed).
                    conn.send(response)
                    conn.send(end_of_message)
                    conn.start_next_cycle()
                    t0 = now()
                elif event is need_data or event is paused:
                    break
                elif type(event) is not request_cls:
                    raise AssertionError(f"h11: unexpected event {event!r}")
            parsing += now() - t0 - overhead
        if count != rounds * per_buffer:
            raise AssertionError(f"h11: expected {rounds * per_buffer} requests, got {count}")
        return count, parsing

    return run


# -- timing ------------------------------------------------------------------------------


def _calibrate(bench: Bench, seconds: float) -> int:
    """How many rounds of ``bench`` last about ``seconds``."""
    rounds = 1
    while True:
        _, ns = bench(rounds)
        if ns > 10_000_000 or rounds >= 1 << 24:
            break
        rounds *= 4
    return max(1, int(rounds * seconds * 1e9 / max(ns, 1)))


def best_rates(benches: dict[str, Bench], seconds: float, repeats: int) -> dict[str, float]:
    """Operations per second for each bench: the best of ``repeats`` short runs.

    The runs are interleaved (a, b, c, a, b, c, ...) so that a burst of load from
    elsewhere on the machine hits every candidate alike; the best run is the least
    disturbed one.
    """
    rounds = {key: _calibrate(bench, seconds) for key, bench in benches.items()}
    best = dict.fromkeys(benches, 0.0)
    for _ in range(repeats):
        for key, bench in benches.items():
            count, ns = bench(rounds[key])
            best[key] = max(best[key], count * 1e9 / max(ns, 1))
    return best


def _fmt_rate(value: float | None) -> str:
    return "n/a" if value is None else f"{value:,.0f}"


def _fmt_ratio(a: float | None, b: float | None) -> str:
    return "n/a" if a is None or b is None else f"{a / b:.2f}x"


def parser_table(seconds: float, repeats: int) -> str:
    workloads = {
        "browser GET (10 headers)": (BROWSER_GET, 1),
        f"{PIPELINE} pipelined GETs, one buffer": (PIPELINED, PIPELINE),
    }
    lines = [
        "| workload | aioweb req/s | httptools req/s | h11 req/s | aioweb/h11 | aioweb/httptools |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for name, (buffer, per_buffer) in workloads.items():
        candidates: dict[str, Bench | None] = {
            "aioweb": aioweb_bench(buffer, per_buffer),
            "httptools": httptools_bench(buffer, per_buffer),
            "h11": h11_bench(buffer, per_buffer),
        }
        benches = {key: bench for key, bench in candidates.items() if bench is not None}
        rates = best_rates(benches, seconds, repeats)
        a, t, h = rates["aioweb"], rates.get("httptools"), rates.get("h11")
        lines.append(
            f"| {name} | {_fmt_rate(a)} | {_fmt_rate(t)} | {_fmt_rate(h)} "
            f"| {_fmt_ratio(a, h)} | {_fmt_ratio(a, t)} |"
        )
    return "\n".join(lines)


# -- response head serialisation -----------------------------------------------------------

RESPONSE_HEADERS = [
    ("Content-Type", "text/html; charset=utf-8"),
    ("Content-Length", "1234"),
    ("Date", "Sun, 06 Nov 1994 08:49:37 GMT"),
    ("Server", "aioweb"),
    ("Set-Cookie", "session=3f6a9c1e2b7d4e8f; Path=/; HttpOnly; SameSite=Lax"),
    ("Cache-Control", "no-cache"),
]


def _fstring_head() -> bytes:
    # What a server writes without any validation: the floor for Python string building.
    text = "".join(f"{name}: {value}\r\n" for name, value in RESPONSE_HEADERS)
    return f"HTTP/1.1 200 OK\r\n{text}\r\n".encode("latin-1")


def head_table(seconds: float, repeats: int) -> str:
    candidates: dict[str, Callable[[], bytes]] = {
        "aioweb build_head (validated)": lambda: build_head(200, None, RESPONSE_HEADERS),
        "f-string join, no validation": _fstring_head,
    }
    try:
        from aiohttp.http_writer import _serialize_headers
        from multidict import CIMultiDict
    except ImportError:
        pass
    else:
        aiohttp_headers = CIMultiDict(RESPONSE_HEADERS)
        candidates["aiohttp _serialize_headers (C)"] = lambda: _serialize_headers(
            "HTTP/1.1 200 OK", aiohttp_headers
        )
    reference = _fstring_head()
    benches: dict[str, Bench] = {}
    for name, fn in candidates.items():
        if fn() != reference:
            raise AssertionError(f"{name} produced {fn()!r}")

        def bench(rounds: int, fn: Callable[[], bytes] = fn) -> tuple[int, int]:
            t0 = clock()
            for _ in range(rounds):
                fn()
            return rounds, clock() - t0

        benches[name] = bench
    rates = best_rates(benches, seconds, repeats)
    lines = ["| response head, 6 headers | ns per head |", "|---|---:|"]
    lines += [f"| {name} | {1e9 / rate:,.0f} |" for name, rate in rates.items()]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    ap.add_argument("--quick", action="store_true", help="short runs (under 20 s)")
    ap.add_argument("--clock", choices=sorted(CLOCKS), default="cpu", help="default: cpu")
    ap.add_argument("--repeats", type=int, default=None, help="timed runs per cell (best kept)")
    args = ap.parse_args(argv)
    global clock
    clock = CLOCKS[args.clock]
    seconds = 0.05 if args.quick else 0.2
    repeats = args.repeats or (5 if args.quick else 15)
    print(
        f"Python {sys.version.split()[0]}; {args.clock} clock; best of {repeats} runs of "
        f"~{seconds:g} s each; requests parsed per second (higher is better)\n"
    )
    print(parser_table(seconds, repeats))
    print()
    print(head_table(seconds, repeats))
    return 0


if __name__ == "__main__":
    sys.exit(main())
