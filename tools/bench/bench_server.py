"""Benchmark aioweb's low-level server against aiohttp's and a raw asyncio protocol.

Each server runs as its own subprocess pinned to CPU 0; wrk runs pinned to CPU 1. For each
server and workload: requests/s and p99 latency (wrk --latency), the server's peak RSS
(VmHWM) after the load, and, in a fresh process, the RSS cost of idle keep-alive
connections. Prints markdown tables with the absolute numbers of this run and the ratios
aioweb/aiohttp and aioweb/raw. See tools/bench/README.md.

    python tools/bench/bench_server.py [--quick] [--uvloop] [--profile] ...
"""

from __future__ import annotations

import argparse
import asyncio
import http.client
import json
import os
import pstats
import re
import resource
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

from _servers.results import ServerResult, WrkResult, machine_info, pick_runs, report

HERE = Path(__file__).resolve().parent
SERVERS_DIR = HERE / "_servers"

# name -> (script, the import the script needs: checked first to explain a skip)
SERVERS: dict[str, tuple[str, str]] = {
    "aioweb": ("serve_aioweb.py", "from aioweb.server import Server, Response, json_response"),
    "aiohttp": ("serve_aiohttp.py", "from aiohttp.web import Server"),
    "raw": ("serve_raw.py", "import asyncio"),
}


@dataclass(frozen=True)
class Workload:
    path: str
    lua: str | None
    method: str
    body: bytes
    expect_body: bytes
    expect_type: str


POST_BODY = b"x" * 4096
WORKLOADS: dict[str, Workload] = {
    "plaintext": Workload("/plaintext", None, "GET", b"", b"Hello, World!", "text/plain"),
    "json": Workload(
        "/json", None, "GET", b"", b'{"message": "Hello, World!"}', "application/json"
    ),
    "post-4k": Workload(
        "/echo", "post_4k.lua", "POST", POST_BODY, POST_BODY, "application/octet-stream"
    ),
}


class BenchError(Exception):
    """A bench step failed in a way that makes the numbers meaningless."""


# --- processes ---------------------------------------------------------------------------


class ServerProcess:
    """A server under test, started by us and ended by its pid."""

    def __init__(self, name: str, *, pin: str | None, uvloop: bool, profile: str | None) -> None:
        script = SERVERS_DIR / SERVERS[name][0]
        cmd = [sys.executable, str(script)]
        if uvloop:
            cmd.append("--uvloop")
        if profile:
            cmd += ["--profile", profile]
        if pin is not None:
            # taskset execs the command, so the pid we get is the Python process itself.
            cmd = ["taskset", "-c", pin, *cmd]
        self.name = name
        self._stderr = tempfile.TemporaryFile()  # noqa: SIM115 (closed by stop())
        self.proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=self._stderr)
        self.pid = self.proc.pid
        self.port = self._wait_ready(timeout=20.0)

    def _wait_ready(self, timeout: float) -> int:
        assert self.proc.stdout is not None
        deadline = time.monotonic() + timeout
        line = b""
        while not line.endswith(b"\n"):
            left = deadline - time.monotonic()
            if left <= 0 or self.proc.poll() is not None:
                tail = self.stderr_tail()
                self.stop()
                raise BenchError(f"{self.name} server did not start:\n{tail}")
            ready, _, _ = select.select([self.proc.stdout], [], [], left)
            if ready:
                chunk = os.read(self.proc.stdout.fileno(), 1)
                if not chunk:
                    continue
                line += chunk
        parts = line.split()
        if len(parts) != 3 or parts[0] != b"READY" or int(parts[2]) != self.pid:
            self.stop()
            raise BenchError(f"{self.name} server said {line!r}, expected 'READY <port> <pid>'")
        return int(parts[1])

    def status_kib(self, key: str) -> int:
        """A ``kB`` field (VmRSS, VmHWM) of /proc/<pid>/status."""
        with open(f"/proc/{self.pid}/status") as f:
            for line in f:
                if line.startswith(key + ":"):
                    return int(line.split()[1])
        raise BenchError(f"no {key} in /proc/{self.pid}/status")

    def stderr_tail(self, limit: int = 3000) -> str:
        self._stderr.seek(0)
        return self._stderr.read().decode(errors="replace")[-limit:]

    def stop(self, timeout: float = 10.0) -> None:
        if self.proc.poll() is None:
            os.kill(self.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                os.kill(self.pid, signal.SIGKILL)
                self.proc.wait()
        if self.proc.stdout is not None:
            self.proc.stdout.close()
        self._stderr.close()

    def __enter__(self) -> ServerProcess:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def import_problem(statement: str) -> str | None:
    """None if the import ``statement`` runs in a fresh interpreter, else its error."""
    proc = subprocess.run(
        [sys.executable, "-c", statement], capture_output=True, text=True, timeout=60
    )
    if proc.returncode == 0:
        return None
    lines = proc.stderr.strip().splitlines()
    return lines[-1] if lines else f"exit status {proc.returncode}"


# --- checks ------------------------------------------------------------------------------


def verify(port: int, workload: Workload) -> http.client.HTTPResponse:
    """One request; refuse to benchmark a server that answers wrongly (else its response)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        headers = {"Content-Type": "application/octet-stream"} if workload.body else {}
        conn.request(workload.method, workload.path, body=workload.body or None, headers=headers)
        resp = conn.getresponse()
        body = resp.read()
    finally:
        conn.close()
    content_type = resp.getheader("Content-Type", "")
    if resp.status != 200 or body != workload.expect_body:
        raise BenchError(
            f"{workload.method} {workload.path}: status {resp.status}, body {body[:80]!r}"
        )
    if not content_type.startswith(workload.expect_type):
        raise BenchError(f"{workload.path}: Content-Type {content_type!r}")
    return resp


# --- wrk ---------------------------------------------------------------------------------

_UNITS_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}


def parse_wrk(output: str) -> WrkResult:
    rps = re.search(r"^Requests/sec:\s+([\d.]+)", output, re.M)
    p99 = re.search(r"^\s+99(?:\.000)?%\s+([\d.]+)(us|ms|s|m)\s*$", output, re.M)
    total = re.search(r"^\s+(\d+) requests in", output, re.M)
    if rps is None or p99 is None or total is None:
        raise BenchError(f"cannot parse wrk output:\n{output}")
    errors = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output
    )
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    return WrkResult(
        rps=float(rps.group(1)),
        p99_ms=float(p99.group(1)) * _UNITS_MS[p99.group(2)],
        requests=int(total.group(1)),
        errors=sum(int(n) for n in errors.groups()) if errors else 0,
        non_2xx=int(non_2xx.group(1)) if non_2xx else 0,
    )


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (/proc/<pid>/stat fields 14 and 15)."""
    with open(f"/proc/{pid}/stat") as f:
        stat = f.read()
    fields = stat[stat.rindex(")") + 2 :].split()  # the name may hold spaces; skip it
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _start_perf(pid: int, out: str) -> subprocess.Popen[bytes]:
    """``perf stat`` counting a process's user and kernel instructions until SIGINT."""
    cmd = ["perf", "stat", "-x,", "-e", "instructions:u,instructions:k", "-p", str(pid), "-o", out]
    return subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def _stop_perf(proc: subprocess.Popen[bytes], out: str) -> dict[str, float]:
    """Stop ``perf stat`` and read its counts by event name."""
    proc.send_signal(signal.SIGINT)
    proc.wait(timeout=10)
    counts: dict[str, float] = {}
    with open(out) as f:
        for line in f:
            fields = line.strip().split(",")
            if len(fields) > 2 and fields[0].isdigit():
                counts[fields[2]] = float(fields[0])
    return counts


def run_wrk(
    server: ServerProcess,
    workload: Workload,
    *,
    duration: int,
    connections: int,
    pin: str | None,
    perf: bool = False,
) -> WrkResult:
    """One wrk run; with ``perf``, also the server's instructions per request."""
    cmd = ["wrk", "-t1", f"-c{connections}", f"-d{duration}s", "--latency", "--timeout", "5s"]
    if workload.lua:
        cmd += ["-s", str(HERE / workload.lua)]
    cmd.append(f"http://127.0.0.1:{server.port}{workload.path}")
    if pin is not None:
        cmd = ["taskset", "-c", pin, *cmd]
    with tempfile.NamedTemporaryFile(suffix=".perf") as perf_out:
        # The counter runs a little longer than wrk: the idle server adds next to nothing.
        counter = _start_perf(server.pid, perf_out.name) if perf else None
        cpu_before, wall_before = cpu_seconds(server.pid), time.monotonic()
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=duration + 60)
        wall, cpu = time.monotonic() - wall_before, cpu_seconds(server.pid) - cpu_before
        counts = _stop_perf(counter, perf_out.name) if counter is not None else {}
    if proc.returncode != 0:
        raise BenchError(f"wrk failed ({proc.returncode}):\n{proc.stdout}{proc.stderr}")
    result = parse_wrk(proc.stdout)
    result.wall_s, result.cpu_s = wall, cpu
    if counts and result.requests:
        result.instr_user = counts.get("instructions:u", 0.0) / result.requests
        result.instr_kernel = counts.get("instructions:k", 0.0) / result.requests
    return result


def load_run(
    server: ServerProcess,
    workload: Workload,
    args: argparse.Namespace,
    pin: str | None,
    *,
    warm_up: bool,
) -> WrkResult:
    """One measured wrk run as both load benches take it (``warm_up``: 1 s of load first)."""
    if warm_up:
        run_wrk(server, workload, duration=1, connections=args.connections, pin=pin)
    return run_wrk(
        server,
        workload,
        duration=args.duration,
        connections=args.connections,
        pin=pin,
        perf=args.perf,
    )


def describe_run(run: WrkResult) -> str:
    """The numbers of one run for the progress lines."""
    text = f"{run.rps:,.0f} req/s, p99 {run.p99_ms:.2f} ms"
    if run.cpu_use is not None:
        text += f", server CPU {run.cpu_use:.0%}"
    if run.instr_total is not None:
        text += f", {run.instr_total:,.0f} instructions per request"
    if run.errors or run.non_2xx:
        text += f", {run.errors} socket errors, {run.non_2xx} non-2xx"
    return text


# --- idle keep-alive connections ---------------------------------------------------------

_IDLE_REQUEST = b"GET /plaintext HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"


async def _open_idle(port: int) -> asyncio.StreamWriter:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(_IDLE_REQUEST)
    head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 10)
    match = re.search(rb"\r\ncontent-length:\s*(\d+)", head, re.I)
    if not head.startswith(b"HTTP/1.1 200") or match is None:
        writer.close()
        raise BenchError(f"idle connection got {head[:200]!r}")
    await asyncio.wait_for(reader.readexactly(int(match.group(1))), 10)
    return writer


async def _idle_delta(server: ServerProcess, count: int, settle: float) -> tuple[int, int]:
    # Warm up first so that lazy imports and caches are not counted per connection.
    for _ in range(3):
        (await _open_idle(server.port)).close()
    await asyncio.sleep(settle)
    before = server.status_kib("VmRSS")
    writers: list[asyncio.StreamWriter] = []
    try:
        for start in range(0, count, 100):
            batch = min(100, count - start)
            writers += await asyncio.gather(*(_open_idle(server.port) for _ in range(batch)))
        await asyncio.sleep(settle)
        after = server.status_kib("VmRSS")
    finally:
        for writer in writers:
            writer.close()
        await asyncio.gather(*(w.wait_closed() for w in writers), return_exceptions=True)
    return before, after


def measure_idle(server: ServerProcess, count: int, settle: float) -> tuple[int, float]:
    """RSS before (KiB) and RSS growth per open idle keep-alive connection (KiB)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft != resource.RLIM_INFINITY and soft < count + 100:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(count + 100, hard), hard))
    before, after = asyncio.run(_idle_delta(server, count, settle))
    return before, (after - before) / count


# --- modes -------------------------------------------------------------------------------


def _start_servers(
    args: argparse.Namespace, results: dict[str, ServerResult], pin: str | None
) -> dict[str, ServerProcess]:
    live: dict[str, ServerProcess] = {}
    for name, res in results.items():
        if res.skipped:
            continue
        missing = import_problem(SERVERS[name][1])
        if missing:
            res.skipped = f"`{SERVERS[name][1]}` failed: {missing}"
            print(f"[{name}] SKIPPED: {res.skipped}", file=sys.stderr)
            continue
        try:
            server = ServerProcess(name, pin=pin, uvloop=args.uvloop, profile=None)
        except BenchError as exc:
            res.skipped = str(exc)
            print(f"[{name}] FAILED: {exc}", file=sys.stderr)
            continue
        live[name] = server
        try:
            for wl in args.workloads:
                verify(server.port, WORKLOADS[wl])
        except (BenchError, OSError, http.client.HTTPException) as exc:
            res.skipped = f"wrong answer: {exc}\n{server.stderr_tail()}"
            print(f"[{name}] FAILED: {res.skipped}", file=sys.stderr)
            live.pop(name).stop()
    return live


def _load_rounds(
    args: argparse.Namespace,
    results: dict[str, ServerResult],
    server_pin: str | None,
    client_pin: str | None,
) -> None:
    """Every workload, every server, ``args.rounds`` times, interleaved.

    Interleaving (and rotating the order each round) spreads any slow spell of a shared or
    virtual machine over all servers instead of charging it to whichever ran at that moment.
    Each round starts fresh server processes: what is particular to one process (where its
    memory landed, its hash seed) then varies between rounds for every server alike,
    instead of holding for all of one server's rounds.
    """
    for rnd in range(args.rounds):
        live = _start_servers(args, results, server_pin)
        try:
            _load_round(args, results, live, client_pin, rnd)
        finally:
            for name, server in live.items():
                record_peak(results[name], server)
                server.stop()
    for res in results.values():
        pick_runs(res, args.pick)


def record_run(res: ServerResult, wl: str, run: WrkResult, rnd: int, rounds: int) -> None:
    """Keep one measured run, and say so on stderr."""
    res.samples.setdefault(wl, []).append(run)
    print(f"[round {rnd + 1}/{rounds}] {res.name} {wl}: {describe_run(run)}", file=sys.stderr)


def record_peak(res: ServerResult, server: ServerProcess) -> None:
    """Keep the highest peak RSS of the server's processes (one per round)."""
    try:
        peak = server.status_kib("VmHWM")
    except (BenchError, OSError):
        return
    res.peak_rss_kib = max(res.peak_rss_kib or 0, peak)


def _load_round(
    args: argparse.Namespace,
    results: dict[str, ServerResult],
    live: dict[str, ServerProcess],
    pin: str | None,
    rnd: int,
) -> None:
    warmed: set[str] = set()
    for wl in args.workloads:
        names = list(live)
        names = names[rnd % len(names) :] + names[: rnd % len(names)] if names else []
        for name in names:
            server, workload, res = live[name], WORKLOADS[wl], results[name]
            try:
                # a fresh process: 1 s of load before its first measured run
                run = load_run(server, workload, args, pin, warm_up=name not in warmed)
            except BenchError as exc:
                res.problems.append(f"load runs stopped at {wl}: {exc}")
                print(f"[{name}] FAILED: {exc}\n{server.stderr_tail()}", file=sys.stderr)
                record_peak(res, server)
                live.pop(name).stop()
                continue
            warmed.add(name)
            record_run(res, wl, run, rnd, args.rounds)


def _idle_rounds(
    args: argparse.Namespace, results: dict[str, ServerResult], pin: str | None
) -> None:
    """A fresh process per server and round, so that load-test memory is not reused."""
    samples: dict[str, list[tuple[int, float]]] = {}
    for rnd in range(args.rounds):
        for name, res in results.items():
            if res.skipped:
                continue
            try:
                with ServerProcess(name, pin=pin, uvloop=args.uvloop, profile=None) as server:
                    try:
                        base, per_conn = measure_idle(server, args.idle, args.settle)
                    except (BenchError, OSError) as exc:
                        res.problems.append(f"idle connections: {exc}")
                        print(f"[{name}] FAILED: {exc}\n{server.stderr_tail()}", file=sys.stderr)
                        continue
            except BenchError as exc:
                res.problems.append(f"idle connections: {exc}")
                print(f"[{name}] FAILED: {exc}", file=sys.stderr)
                continue
            samples.setdefault(name, []).append((base, per_conn))
            print(
                f"[round {rnd + 1}/{args.rounds}] {name} idle: {per_conn:.2f} KiB per connection",
                file=sys.stderr,
            )
    for name, values in samples.items():
        values.sort(key=lambda v: v[1])
        results[name].idle_base_kib, results[name].idle_kib_per_conn = values[
            (len(values) - 1) // 2
        ]


def bench(args: argparse.Namespace) -> int:
    server_pin, client_pin = (args.server_cpu, args.client_cpu) if args.pin else (None, None)
    results = {name: ServerResult(name) for name in args.servers}
    _load_rounds(args, results, server_pin, client_pin)
    if args.idle:
        _idle_rounds(args, results, server_pin)
    lines = ["## Low-level server bench", "", *machine_info(args)]
    lines += report(results, args.workloads)
    for res in results.values():
        if res.skipped:
            lines.append(f"\n{res.name}: not measured — {res.skipped.splitlines()[0]}")
        for problem in dict.fromkeys(res.problems):
            lines.append(f"\n{res.name}: partly measured — {problem.splitlines()[0]}")
    print("\n".join(lines))
    if args.json:
        data = {
            "machine": machine_info(args),
            "results": {n: asdict(r) for n, r in results.items()},
        }
        Path(args.json).write_text(json.dumps(data, indent=2) + "\n")
    return 1 if any(res.skipped or res.problems for res in results.values()) else 0


def profile(args: argparse.Namespace) -> int:
    """Run the first of --servers (aioweb by default) under cProfile for one workload."""
    name, wl = args.servers[0], args.workloads[0]
    missing = import_problem(SERVERS[name][1])
    if missing:
        print(f"cannot profile {name}: {missing}", file=sys.stderr)
        return 1
    return run_profiled(
        args,
        name,
        wl,
        WORKLOADS[wl],
        lambda pin, stats_file: ServerProcess(
            name, pin=pin, uvloop=args.uvloop, profile=stats_file
        ),
        verify,
    )


def run_profiled(
    args: argparse.Namespace,
    name: str,
    workload_name: str,
    workload: Workload,
    start: Callable[[str | None, str], ServerProcess],
    check: Callable[[int, Workload], object],
) -> int:
    """Load one server started by ``start(pin, stats_file)`` under cProfile; print its top."""
    pins = (args.server_cpu, args.client_cpu) if args.pin else (None, None)
    with tempfile.TemporaryDirectory() as tmp:
        stats_file = args.profile_out or str(Path(tmp) / f"{name}.prof")
        server = start(pins[0], stats_file)
        try:
            check(server.port, workload)
            run = run_wrk(
                server,
                workload,
                duration=args.duration,
                connections=args.connections,
                pin=pins[1],
            )
        except BenchError as exc:
            print(f"{name} FAILED: {exc}\n{server.stderr_tail()}", file=sys.stderr)
            return 1
        finally:
            server.stop(timeout=60)
        if not Path(stats_file).exists():
            print(f"the {name} server wrote no profile", file=sys.stderr)
            return 1
        print(
            f"{name} under cProfile, {workload_name}, {args.duration} s: {run.rps:,.0f} req/s "
            "(slowed by the profiler: compare nothing with this number)"
        )
        stats = pstats.Stats(stats_file, stream=sys.stdout)
        stats.strip_dirs().sort_stats("tottime").print_stats(args.top)
    return 0


def add_load_options(parser: argparse.ArgumentParser, first: str) -> None:
    """The options both benches share (``first`` names who --profile runs)."""
    parser.add_argument("--quick", action="store_true", help="one round of 3 s runs")
    parser.add_argument("--duration", type=int, help="seconds per wrk run (default 10)")
    parser.add_argument("--rounds", type=int, help="interleaved rounds (default 3)")
    parser.add_argument(
        "--pick",
        choices=("best", "median"),
        default="best",
        help="which round to show per workload, by req/s (default best)",
    )
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument(
        "--perf",
        action="store_true",
        help="also count the server's instructions per request (user and kernel) with\n"
        "perf stat: steadier than req/s when the machine is shared or noisy",
    )
    parser.add_argument("--no-pin", dest="pin", action="store_false", help="no taskset")
    parser.add_argument("--server-cpu", default="0")
    parser.add_argument("--client-cpu", default="1")
    parser.add_argument("--json", metavar="FILE", help="also write the results as JSON")
    parser.add_argument(
        "--profile",
        action="store_true",
        help=f"run {first} under cProfile for the first workload\n"
        "(plaintext) and print the top functions by tottime",
    )
    parser.add_argument("--top", type=int, default=25, help="functions shown by --profile")
    parser.add_argument("--profile-out", metavar="FILE", help="keep --profile's pstats file")


def finish_load_options(args: argparse.Namespace) -> None:
    """Defaults that depend on --quick."""
    if args.duration is None:
        args.duration = 3 if args.quick else 10
    if args.rounds is None:
        args.rounds = 1 if args.quick else 3


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="bench_server", description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    add_load_options(parser, "the first of --servers (aioweb)")
    parser.add_argument("--idle", type=int, help="idle connections to open (default 1000; 0 skips)")
    parser.add_argument("--settle", type=float, default=1.0, help="seconds before reading RSS")
    parser.add_argument("--servers", default="aioweb,aiohttp,raw", help="comma-separated subset")
    parser.add_argument("--workloads", default="plaintext,json,post-4k")
    parser.add_argument("--uvloop", action="store_true", help="run every server on uvloop")
    args = parser.parse_args(argv)
    finish_load_options(args)
    if args.idle is None:
        args.idle = 1000
    args.servers = [s for s in args.servers.split(",") if s]
    args.workloads = [w for w in args.workloads.split(",") if w]
    for s in args.servers:
        if s not in SERVERS:
            parser.error(f"unknown server {s!r}; known: {', '.join(SERVERS)}")
    for w in args.workloads:
        if w not in WORKLOADS:
            parser.error(f"unknown workload {w!r}; known: {', '.join(WORKLOADS)}")
    return args


def check_tools(args: argparse.Namespace) -> str | None:
    if shutil.which("wrk") is None:
        return (
            "wrk is not installed; the server bench needs it as its load generator.\n"
            "Install it with: apt-get update && apt-get install -y wrk  (see tools/bench/README.md)"
        )
    if args.pin:
        if shutil.which("taskset") is None:
            return "taskset is missing (util-linux); install it or pass --no-pin"
        cpus = os.sched_getaffinity(0)
        for cpu in (args.server_cpu, args.client_cpu):
            if int(cpu) not in cpus:
                return f"CPU {cpu} is not available here ({sorted(cpus)}); pass --no-pin"
    if args.uvloop and import_problem("import uvloop"):
        return "--uvloop given but uvloop is not installed in this environment"
    if args.perf and shutil.which("perf") is None:
        return "--perf given but perf is not installed (Debian: linux-perf)"
    return None


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    problem = check_tools(args)
    if problem:
        print(problem, file=sys.stderr)
        return 2
    return profile(args) if args.profile else bench(args)


if __name__ == "__main__":
    sys.exit(main())
