"""aioweb's request parser against llhttp's request test vectors.

The vectors (llhttp 9.4.2, the parser inside Node.js) live outside this repository, in
``<repo>/../shared/conformance/llhttp/request-cases.json`` (or ``$AIOWEB_SHARED``); see
that folder's README. Every strict (``request``) case must agree with llhttp: the same
messages where llhttp accepts, an error where it rejects, fed whole and one byte at a
time. The cases where aioweb is deliberately stricter or different are listed in
``DELIBERATE_DIFFERENCES`` and checked for the behaviour aioweb intends.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from aioweb.http import EndOfMessage, HttpProcessingError, RequestHead
from aioweb.http.parser import RequestParser

REPO_ROOT = Path(__file__).resolve().parents[2]
SHARED = Path(os.environ.get("AIOWEB_SHARED") or REPO_ROOT.parent / "shared")
CASES_FILE = SHARED / "conformance" / "llhttp" / "request-cases.json"

if not CASES_FILE.is_file():
    pytest.skip(
        f"llhttp vectors not found at {CASES_FILE} (they live beside the repository, "
        "in ../shared; set AIOWEB_SHARED to point elsewhere)",
        allow_module_level=True,
    )

ALL_CASES: list[dict[str, Any]] = json.loads(CASES_FILE.read_text(encoding="utf-8"))


def case_id(case: dict[str, Any]) -> str:
    return f"{case['file'].removesuffix('.md')}:{case['line']}"


# Not applicable (the vectors' README): pausing.md and the skipBody case test llhttp's
# own callback API (pausing, skipping a body from on_headers_complete), not HTTP.
CASES = [c for c in ALL_CASES if c["file"] != "pausing.md" and not c["meta"].get("skipBody")]
NOT_APPLICABLE = len(ALL_CASES) - len(CASES)

# llhttp's "errors" that are not errors: it pauses at a CONNECT or Upgrade request.
PAUSE_UPGRADE = 22
PAUSE_PRI = 23

# What aioweb does instead, for each deliberate difference (kinds checked below).
REJECT = "reject"  # aioweb answers an error where llhttp accepts
REJECT_WHEN_HEAD_COMPLETE = "reject-when-head-complete"
KEEP_PARSING_AFTER_CLOSE = "keep-parsing-after-close"
ANY_TOKEN_METHOD = "any-token-method"

DELIBERATE_DIFFERENCES: dict[str, str] = {
    # The parser reports should_close on the first message and keeps parsing; stopping
    # after it is the server's job (it answers, then closes). Raising here would lose
    # the valid first request.
    "connection:89": "data after an HTTP/1.0 request without keep-alive: parsed, "
    "should_close=True on the first message; the server closes after answering it",
    "connection:306": "data after Connection: close: parsed, should_close=True; the server closes",
    "connection:356": "data after Connection: close: parsed, should_close=True; the server closes",
    "connection:120": "lenient keep-alive: same as connection:89 (the parser never "
    "refuses pipelined data, should_close tells the server to stop)",
    "connection:406": "lenient keep-alive: same as connection:306",
    # llhttp checks each field as it arrives; aioweb validates the head's semantics
    # (Content-Length, version) once the line or head is complete. Same verdict, later.
    "content-length:81": "Content-Length overflow is rejected once the head is complete",
    "content-length:107": "conflicting Content-Length is rejected once the head is complete",
    "invalid:494": "HTTP/5.6 is rejected (505) once the request line is complete",
    # Methods: llhttp knows a fixed list; aioweb accepts any token by default and
    # answers 501 for methods outside RequestParser(methods=...).
    "invalid:73": "ANNOUNCE is a valid token: accepted (501 when methods= excludes it)",
    "invalid:362": "MKCOLA is a valid token: accepted (501 when methods= excludes it)",
    # Request targets: asterisk-form is only for OPTIONS (RFC 9112 3.2.4).
    "method:144": "M-SEARCH * (SSDP): asterisk-form is for OPTIONS only: 400",
    "method:466": "PRI * (the HTTP/2 preface): asterisk-form is for OPTIONS only: 400",
    # Versions: an HTTP server speaks HTTP/1.0 and HTTP/1.1 only.
    "method:379": "ICE/1.0 is not HTTP: 400",
    "method:409": "RTSP/1.0 is not HTTP: 400",
    "method:437": "RTSP/1.0 is not HTTP: 400",
    "sample:320": "HTTP/0.9 request line without a version: 400",
    # Transfer codings other than chunked are not implemented (RFC 9112 6.1: 501).
    "transfer-encoding:763": "Transfer-Encoding: deflate, chunked: 501 (only chunked exists)",
    "transfer-encoding:806": "Transfer-Encoding: deflate + chunked fields: 501",
}

_KIND: dict[str, tuple[str, int | None]] = {
    "connection:89": (KEEP_PARSING_AFTER_CLOSE, None),
    "connection:306": (KEEP_PARSING_AFTER_CLOSE, None),
    "connection:356": (KEEP_PARSING_AFTER_CLOSE, None),
    "connection:120": (KEEP_PARSING_AFTER_CLOSE, None),
    "connection:406": (KEEP_PARSING_AFTER_CLOSE, None),
    "content-length:81": (REJECT_WHEN_HEAD_COMPLETE, 400),
    "content-length:107": (REJECT_WHEN_HEAD_COMPLETE, 400),
    "invalid:494": (REJECT_WHEN_HEAD_COMPLETE, 505),
    "invalid:73": (ANY_TOKEN_METHOD, None),
    "invalid:362": (ANY_TOKEN_METHOD, None),
    "method:144": (REJECT, 400),
    "method:466": (REJECT, 400),
    "method:379": (REJECT, 400),
    "method:409": (REJECT, 400),
    "method:437": (REJECT, 400),
    "sample:320": (REJECT, 400),
    "transfer-encoding:763": (REJECT, 501),
    "transfer-encoding:806": (REJECT, 501),
}

_STANDARD_METHODS = {"GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH"}


@dataclass
class Outcome:
    messages: list[dict[str, Any]] = field(default_factory=list)
    tunnel: bytes = b""
    error: HttpProcessingError | None = None
    upgraded: bool = False
    heads: list[RequestHead] = field(default_factory=list)


def _text(raw: bytes) -> str:
    # llhttp's JSON holds header, URL and body text decoded as UTF-8
    return raw.decode("utf-8", "replace")


def run(data: bytes, *, bytewise: bool, eof: bool = False, **kwargs: Any) -> Outcome:
    parser = RequestParser(**kwargs)
    events: list[RequestHead | bytes | EndOfMessage] = []
    out = Outcome()
    try:
        if bytewise:
            for i in range(len(data)):
                events += parser.feed(data[i : i + 1])
        else:
            events += parser.feed(data)
        if eof:
            events += parser.feed_eof()
    except HttpProcessingError as exc:
        out.error = exc
    if out.error is None:
        out.error = parser.error  # found after the events of the same feed()
    out.upgraded = parser.upgraded
    current: dict[str, Any] | None = None
    body = b""
    for event in events:
        if isinstance(event, RequestHead):
            out.heads.append(event)
            v = event.version
            current = {
                "method": event.method,
                "url": event.target,
                "version": f"{v.major}.{v.minor}",
                "headers": [[_text(n), _text(v)] for n, v in event.raw_headers],
            }
            body = b""
        elif isinstance(event, EndOfMessage):
            assert current is not None
            # llhttp reports trailer fields as more headers
            current["headers"] += [[n, v] for n, v in event.trailers.items()]
            current["body"] = _text(body)
            out.messages.append(current)
            current = None
        elif current is not None:
            body += event
        else:
            out.tunnel += event
    return out


def expected_messages(case: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        {
            "method": m["method"],
            "url": m["url"],
            "version": m["version"],
            # compare values without trailing SP/HTAB (the vectors' README)
            "headers": [[n, v.rstrip(" \t")] for n, v in m["headers"]],
            "body": m["body"],
        }
        for m in case["messages"]
        if m["complete"]
    ]


def data_of(case: dict[str, Any]) -> bytes:
    return bytes.fromhex(case["input_hex"])


def _by_type(kind: str) -> list[Any]:
    selected = [c for c in CASES if c["type"] == kind and case_id(c) not in DELIBERATE_DIFFERENCES]
    return [pytest.param(c, id=case_id(c)) for c in selected]


STRICT = _by_type("request")
FINISH = _by_type("request-finish")
LENIENT = [
    pytest.param(c, id=f"{c['type']}:{case_id(c)}")
    for c in CASES
    if c["type"].startswith("request-lenient-") and case_id(c) not in DELIBERATE_DIFFERENCES
]
DIFFERENT = [pytest.param(c, id=case_id(c)) for c in CASES if case_id(c) in DELIBERATE_DIFFERENCES]


def test_case_inventory() -> None:
    """Every case is accounted for; the report counts come from here."""
    assert len(ALL_CASES) == 166
    assert NOT_APPLICABLE == 14  # 13 in pausing.md, 1 skipBody
    assert len(STRICT) + len(FINISH) + len(LENIENT) + len(DIFFERENT) == len(CASES)
    assert set(DELIBERATE_DIFFERENCES) == set(_KIND)
    assert {case_id(c) for c in CASES} >= set(DELIBERATE_DIFFERENCES)


@pytest.mark.parametrize("bytewise", [False, True], ids=["whole", "bytewise"])
@pytest.mark.parametrize("case", STRICT)
def test_strict_case_agrees(case: dict[str, Any], bytewise: bool) -> None:
    data = data_of(case)
    got = run(data, bytewise=bytewise)
    err = case["error"]
    if err is not None and err["code"] not in (PAUSE_UPGRADE, PAUSE_PRI):
        assert got.error is not None, f"llhttp rejects ({err['reason']}), aioweb accepts"
        return
    assert got.error is None, f"llhttp accepts, aioweb raises {got.error!r}"
    assert got.messages == expected_messages(case)
    if err is not None:  # llhttp paused for CONNECT / Upgrade: the rest is the tunnel's
        assert got.upgraded
        assert got.tunnel == data[err["offset"] :]
    else:
        assert not got.upgraded
    assert run(data, bytewise=not bytewise).messages == got.messages


@pytest.mark.parametrize("bytewise", [False, True], ids=["whole", "bytewise"])
@pytest.mark.parametrize("case", FINISH)
def test_finish_case_agrees(case: dict[str, Any], bytewise: bool) -> None:
    got = run(data_of(case), bytewise=bytewise, eof=True)
    unsafe = any(e == "finish=2" for e in case["raw_events"])
    if unsafe:
        assert got.error is not None
        assert got.error.status == 400
    else:
        assert got.error is None
        assert got.messages == expected_messages(case)


@pytest.mark.parametrize("bytewise", [False, True], ids=["whole", "bytewise"])
@pytest.mark.parametrize("case", LENIENT)
def test_lenient_case_rejected(case: dict[str, Any], bytewise: bool) -> None:
    """What llhttp accepts only with a leniency flag, a strict parser rejects."""
    data = data_of(case)
    twins = [c for c in CASES if c["type"] == "request" and c["input_hex"] == case["input_hex"]]
    got = run(data, bytewise=bytewise)
    if twins and twins[0]["error"] is None:  # pragma: no cover - no such case today
        assert got.messages == expected_messages(twins[0])
    else:
        assert got.error is not None, "aioweb accepts what only lenient llhttp accepts"


@pytest.mark.parametrize("bytewise", [False, True], ids=["whole", "bytewise"])
@pytest.mark.parametrize("case", DIFFERENT)
def test_deliberate_difference(case: dict[str, Any], bytewise: bool) -> None:
    cid = case_id(case)
    kind, status = _KIND[cid]
    data = data_of(case)
    got = run(data, bytewise=bytewise)
    if kind == REJECT:
        assert got.error is not None
        assert got.error.status == status
        assert not got.messages
    elif kind == REJECT_WHEN_HEAD_COMPLETE:
        assert got.error is None
        assert not got.heads
        completed = run(data + b"\r\n\r\n", bytewise=bytewise)
        assert completed.error is not None
        assert completed.error.status == status
    elif kind == KEEP_PARSING_AFTER_CLOSE:
        assert got.error is None
        assert got.heads[0].should_close
        expected = expected_messages(case)
        assert got.messages[: len(expected)] == expected  # and what follows is not refused
    else:
        assert kind == ANY_TOKEN_METHOD
        assert got.error is None
        [message] = got.messages
        assert message["method"] == data.partition(b" ")[0].decode()
        limited = run(data, bytewise=bytewise, methods=_STANDARD_METHODS)
        assert limited.error is not None
        assert limited.error.status == 501
