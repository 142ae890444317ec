"""An HTTP/1.1 server made of the standard library's sockets and threads and aioweb.http.

aioweb.http does no I/O: this file reads the socket, feeds the parser, decides what to
answer and writes the bytes. Each connection gets a thread (socketserver) that answers
its requests in order, as long as the client keeps the connection alive.

    python standalone_threads.py   # then: curl -i http://127.0.0.1:8080/hello
"""

from __future__ import annotations

import contextlib
import socket
import socketserver
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

from aioweb.http import (
    SUPPORTED_DECODINGS,
    ChunkedEncoder,
    ContentDecoder,
    ContentEncoder,
    EndOfMessage,
    Event,
    HttpProcessingError,
    HttpVersion11,
    RequestHead,
    RequestParser,
    build_head,
    http_date,
    is_valid_host,
    negotiate_encoding,
    status_allows_body,
)

MAX_BODY = 1 << 20  # bytes, checked on the wire (parser) and after decompression (decoder)


@dataclass
class Response:
    status: int
    body: bytes | Iterable[bytes] = b""  # an iterable is sent as it comes, chunked
    headers: list[tuple[str, str]] = field(default_factory=list)


def text(status: int, message: str, *headers: tuple[str, str]) -> Response:
    content_type = ("Content-Type", "text/plain; charset=utf-8")
    return Response(status, f"{message}\n".encode(), [content_type, *headers])


def hello(head: RequestHead, body: bytes) -> Response:
    return text(200, "Hello, world!")


def echo(head: RequestHead, body: bytes) -> Response:
    if not body:
        return Response(204)  # No Content: no body and no Content-Length
    return Response(200, body, [("Content-Type", "application/octet-stream")])


def stream(head: RequestHead, body: bytes) -> Response:
    return Response(200, (f"piece {i}\n".encode() for i in range(1, 4)))


def gzipped(head: RequestHead, body: bytes) -> Response:
    data = b"".join(b"line %d: the same words over and over\n" % i for i in range(100))
    headers = [("Content-Type", "text/plain"), ("Vary", "Accept-Encoding")]
    coding = negotiate_encoding(head.headers.get("Accept-Encoding", ""), ("gzip", "deflate"))
    if coding is not None:  # None: the client accepts neither, send it as it is
        encoder = ContentEncoder(coding)
        data = encoder.compress(data) + encoder.flush()
        headers.append(("Content-Encoding", coding))
    return Response(200, data, headers)


ROUTES: dict[str, tuple[str, Callable[[RequestHead, bytes], Response]]] = {
    "/hello": ("GET", hello),
    "/echo": ("POST", echo),
    "/stream": ("GET", stream),
    "/gzip": ("GET", gzipped),
}


def refuse(head: RequestHead) -> Response | None:
    """The answer to a request that is refused before its body is read, else None."""
    host = head.headers.get("Host")  # RFC 9112 3.2; the parser leaves both checks to us
    if host is None and head.version == HttpVersion11:
        return text(400, "missing Host header")
    if host is not None and not is_valid_host(host):
        return text(400, "invalid Host header")
    route = ROUTES.get(head.url.path)  # origin-form or absolute-form, percent-decoded
    if route is None:
        return text(404, "Not Found")
    allowed = ["GET", "HEAD"] if route[0] == "GET" else [route[0]]
    if head.method not in allowed:
        return text(405, "Method Not Allowed", ("Allow", ", ".join(allowed)))
    # head.compression is None for a coding the parser does not know, as for none at all
    coding = head.headers.get("Content-Encoding")
    if coding is not None and coding.lower() not in SUPPORTED_DECODINGS:
        return text(415, f"cannot decode {coding}")
    return None


class Server(socketserver.ThreadingTCPServer):
    allow_reuse_address = True
    request_queue_size = 128  # listen backlog; with socketserver's 5, bursts wait for SYN retries
    request_timeout = 10.0  # seconds a client has to send a whole request, or to read an answer


class Connection(socketserver.BaseRequestHandler):
    """One client connection, in its own thread: its requests, one after another."""

    server: Server

    def setup(self) -> None:
        self.sock: socket.socket = self.request

    def handle(self) -> None:
        events = self.read_events(RequestParser(max_body_size=MAX_BODY))
        # Too slow or gone, at any point: there is nobody left to answer.
        with contextlib.suppress(TimeoutError, ConnectionError):
            try:
                while True:
                    # One deadline per request: an idle client, or one that trickles a
                    # byte at a time, loses its connection after request_timeout seconds.
                    self.deadline = time.monotonic() + self.server.request_timeout
                    head = next(events, None)
                    if head is None:
                        return  # the client closed between requests (or in a head)
                    assert isinstance(head, RequestHead)  # bodies are read with their head
                    if not self.serve(head, events):
                        return
            except HttpProcessingError as exc:  # the parser's or the decoder's
                # What follows a bad request cannot be parsed: answer why, then close.
                self.respond(None, text(exc.status, exc.reason), close=True)

    def read_events(self, parser: RequestParser) -> Iterator[Event]:
        """The parser's events as the bytes arrive; ends at EOF, raises on a protocol error."""
        while True:
            left = self.deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError
            self.sock.settimeout(left)
            data = self.sock.recv(65536)
            if not data:
                return  # EOF: inside a request too, since nobody would read our answer
            yield from parser.feed(data)  # one read may hold several requests (pipelining)
            if parser.error is not None:
                raise parser.error  # bad bytes after complete requests, answered first

    def serve(self, head: RequestHead, events: Iterator[Event]) -> bool:
        """Answer one request; return whether the connection may carry another."""
        # HTTP/1.0 keep-alive is not worth it; after an upgrade request or CONNECT the
        # parser passes the bytes raw, and we speak no other protocol.
        close = head.should_close or head.version != HttpVersion11
        close = close or head.upgrade or head.method == "CONNECT"
        expect = head.headers.get("Expect", "").lower() == "100-continue"
        waiting = expect and head.has_body and head.version == HttpVersion11
        response = refuse(head)
        if response is not None and waiting:
            close = True  # the body is held back until we ask for it; we never will
        else:
            if waiting:
                self.send(b"HTTP/1.1 100 Continue\r\n\r\n")
            # A refused request's body is read too, to reach the next request.
            body = self.read_body(head, events, decode=response is None)
            if body is None:
                return False  # the client left half-way through its body
            if response is None:
                response = ROUTES[head.url.path][1](head, body)
        self.respond(head, response, close)
        return not close

    def read_body(self, head: RequestHead, events: Iterator[Event], decode: bool) -> bytes | None:
        """The body (de-chunked by the parser, decompressed here), or None at EOF."""
        decoder = None
        if decode and head.compression is not None:
            decoder = ContentDecoder(head.compression, max_size=MAX_BODY)  # zip bombs: 413
        pieces = []
        for event in events:
            if isinstance(event, EndOfMessage):
                if decoder is not None:
                    pieces.append(decoder.flush())  # raises if the stream was cut short
                return b"".join(pieces)
            assert isinstance(event, bytes)
            pieces.append(decoder.decompress(event) if decoder is not None else event)
        return None

    def respond(self, head: RequestHead | None, response: Response, close: bool) -> None:
        status, body = response.status, response.body
        fields = [("Date", http_date()), *response.headers]
        if head is not None and head.version != HttpVersion11 and not isinstance(body, bytes):
            body = b"".join(body)  # HTTP/1.0 knows no chunked framing
        if not status_allows_body(status):
            body = b""
        elif isinstance(body, bytes):
            fields.append(("Content-Length", str(len(body))))
        else:
            fields.append(("Transfer-Encoding", "chunked"))
        if close:
            fields.append(("Connection", "close"))
        start = build_head(status, None, fields)
        if head is not None and head.method == "HEAD":
            self.send(start)  # the same fields as for GET, never the body
        elif isinstance(body, bytes):
            self.send(start + body)
        else:
            self.send(start)
            chunker = ChunkedEncoder()
            for piece in body:
                self.send(chunker.encode(piece))
            self.send(chunker.end())

    def send(self, data: bytes) -> None:
        self.sock.settimeout(self.server.request_timeout)  # for the whole sendall
        self.sock.sendall(data)

    def finish(self) -> None:
        # Close gracefully: close() with unread bytes in the kernel sends a reset, which
        # can destroy an answer the client has not read yet. Send our FIN, then discard
        # what the client still sends until it closes too, for a second at most.
        with contextlib.suppress(OSError):
            self.sock.shutdown(socket.SHUT_WR)
            self.sock.settimeout(0.5)
            until = time.monotonic() + 1.0
            while self.sock.recv(65536) and time.monotonic() < until:
                pass


def start(
    host: str = "127.0.0.1", port: int = 0, request_timeout: float = 10.0
) -> tuple[Server, threading.Thread]:
    """Serve in a background thread; stop with server.shutdown() and server.server_close()."""
    server = Server((host, port), Connection)
    server.request_timeout = request_timeout
    thread = threading.Thread(target=server.serve_forever, name="http-server")
    thread.start()
    return server, thread


if __name__ == "__main__":
    with Server(("127.0.0.1", 8080), Connection) as server:
        print("serving on http://127.0.0.1:8080")
        server.serve_forever()
