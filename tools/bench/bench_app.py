"""Benchmark a whole aioweb application against the same application on aiohttp.

The application (tools/bench/_servers/app_common.py) is one ``web.Application`` with a
middleware and 200 routes, served by ``web.run_app`` on the default asyncio loop; the only
difference between the two servers is ``from aioweb import web`` versus
``from aiohttp import web``. Method as in bench_server.py: each server a subprocess pinned
to CPU 0, wrk pinned to CPU 1 (1 thread, 64 connections, 127.0.0.1), interleaved rounds,
the best round shown: req/s, p99 latency and requests per server CPU-second.
See tools/bench/README.md.

    python tools/bench/bench_app.py [--quick] [--rounds N] [--duration S] ...
"""

from __future__ import annotations

import argparse
import http.client
import json
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

from _servers.app_common import DYNAMIC_BODY, DYNAMIC_PATH
from _servers.results import ServerResult, machine_info, pick_runs
from bench_server import (
    POST_BODY,
    SERVERS_DIR,
    BenchError,
    ServerProcess,
    Workload,
    add_load_options,
    check_tools,
    finish_load_options,
    import_problem,
    load_run,
    record_peak,
    record_run,
    run_profiled,
)
from bench_server import verify as verify_server

# framework -> (script, the import it needs: checked first to explain a skip)
FRAMEWORKS: dict[str, tuple[str, str]] = {
    "aioweb": ("app_aioweb.py", "from aioweb import web"),
    "aiohttp": ("app_aiohttp.py", "from aiohttp import web"),
}

# Access-log set-ups, one server process each (see app_common.py).
LOG_MODES = ("off", "default", "info")


@dataclass(frozen=True)
class AppWorkload:
    """A bench workload and the access-log set-up of the server process it runs against."""

    load: Workload
    log: str
    label: str


def _get(path: str, body: bytes, content_type: str) -> Workload:
    return Workload(path, None, "GET", b"", body, content_type)


PLAINTEXT = _get("/plaintext", b"Hello, World!", "text/plain")
WORKLOADS: dict[str, AppWorkload] = {
    "plaintext": AppWorkload(PLAINTEXT, "off", "plaintext"),
    "json": AppWorkload(
        _get("/json", b'{"message": "Hello, World!"}', "application/json"), "off", "json"
    ),
    "dynamic": AppWorkload(
        _get(DYNAMIC_PATH, DYNAMIC_BODY, "text/plain"), "off", "dynamic (190th route)"
    ),
    "post-4k": AppWorkload(
        Workload("/echo", "post_4k.lua", "POST", POST_BODY, POST_BODY, "application/octet-stream"),
        "off",
        "post-4k",
    ),
    "plaintext-log-default": AppWorkload(
        PLAINTEXT, "default", "plaintext, access_log default, logging unconfigured"
    ),
    "plaintext-log-info": AppWorkload(
        PLAINTEXT, "info", "plaintext, access log on (INFO, file handler)"
    ),
}
MIDDLEWARE_HEADERS = {"X-Content-Type-Options": "nosniff", "X-Frame-Options": "DENY"}


class AppProcess(ServerProcess):
    """One framework's bench application in one access-log mode, ended by its pid."""

    def __init__(
        self,
        framework: str,
        log: str,
        *,
        pin: str | None,
        uvloop: bool = False,
        profile: str | None = None,
    ) -> None:
        # run_app returns on SIGTERM, so cProfile's own exit path writes the stats file.
        runner = ["-m", "cProfile", "-o", profile] if profile else []
        script = str(SERVERS_DIR / FRAMEWORKS[framework][0])
        cmd = [sys.executable, *runner, script, "--access-log", log]
        if uvloop:
            cmd.append("--uvloop")
        if pin is not None:
            cmd = ["taskset", "-c", pin, *cmd]  # taskset execs: the pid is Python's
        self.name = f"{framework} (access log {log})"
        self._stderr = tempfile.TemporaryFile()  # noqa: SIM115 (closed by stop())
        self.proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=self._stderr)
        self.pid = self.proc.pid
        self.port = self._wait_ready(timeout=30.0)


def verify(port: int, workload: Workload) -> None:
    """bench_server's check, plus the middleware's headers; BenchError if anything is off."""
    resp = verify_server(port, workload)
    for name, value in MIDDLEWARE_HEADERS.items():
        if resp.getheader(name) != value:
            raise BenchError(f"{workload.path}: the middleware's {name} header is missing")


Live = dict[tuple[str, str], AppProcess]


def start_servers(
    args: argparse.Namespace, results: dict[str, ServerResult], pin: str | None
) -> Live:
    """Start every (framework, log mode) the chosen workloads need and check its answers.

    A framework with a server that fails to start or answers wrongly gets ``skipped`` set
    (and its servers stopped); the caller then aborts.
    """
    live: Live = {}
    modes = list(dict.fromkeys(WORKLOADS[wl].log for wl in args.workloads))
    for name, res in results.items():
        missing = import_problem(FRAMEWORKS[name][1])
        if missing:
            res.skipped = f"`{FRAMEWORKS[name][1]}` failed: {missing}"
            print(f"[{name}] SKIPPED: {res.skipped}", file=sys.stderr)
            continue
        try:
            for mode in modes:
                server = AppProcess(name, mode, pin=pin, uvloop=args.uvloop)
                live[name, mode] = server
                for wl in args.workloads:
                    if WORKLOADS[wl].log == mode:
                        verify(server.port, WORKLOADS[wl].load)
        except (BenchError, OSError, http.client.HTTPException) as exc:
            tail = server.stderr_tail() if (name, mode) in live else ""
            res.skipped = f"{exc}\n{tail}".strip()
            print(f"[{name}] FAILED: {res.skipped}", file=sys.stderr)
            for mode in modes:
                if (name, mode) in live:
                    live.pop((name, mode)).stop()
    return live


def load_round(
    args: argparse.Namespace,
    results: dict[str, ServerResult],
    live: Live,
    pin: str | None,
    rnd: int,
) -> None:
    """Every workload on every framework once, in an order rotated each round.

    ``live`` are this round's fresh server processes (see bench_server._load_rounds): each
    gets 1 s of load before its first measured run.
    """
    warmed: set[tuple[str, str]] = set()
    for wl in args.workloads:
        workload = WORKLOADS[wl]
        names = [n for n in results if (n, workload.log) in live]
        names = names[rnd % len(names) :] + names[: rnd % len(names)] if names else []
        for name in names:
            key = (name, workload.log)
            server, res = live[key], results[name]
            try:
                run = load_run(server, workload.load, args, pin, warm_up=key not in warmed)
            except BenchError as exc:
                res.problems.append(f"{wl}: {exc}")
                print(f"[{name}] FAILED: {exc}\n{server.stderr_tail()}", file=sys.stderr)
                continue
            warmed.add(key)
            record_run(res, wl, run, rnd, args.rounds)
    for (name, mode), server in live.items():
        if mode == "off":
            record_peak(results[name], server)


# --- report ------------------------------------------------------------------------------


def _ratio(a: float | None, b: float | None) -> str:
    return "n/a" if a is None or b is None or b == 0 else f"{a / b:.2f}x"


def _num(value: float | None, spec: str) -> str:
    return "n/a" if value is None else format(value, spec)


def report(args: argparse.Namespace, results: dict[str, ServerResult]) -> list[str]:
    aioweb, aiohttp = results.get("aioweb"), results.get("aiohttp")
    out = [
        "",
        "| workload | aioweb req/s | aiohttp req/s | ratio | aioweb p99 (ms) | aiohttp p99 (ms) "
        "| aioweb req per CPU-s | aiohttp req per CPU-s | ratio |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    ratios: dict[str, list[float]] = {"req/s": [], "req per CPU-s": []}
    for wl in args.workloads:
        mine = aioweb.runs.get(wl) if aioweb else None
        theirs = aiohttp.runs.get(wl) if aiohttp else None
        if mine is None and theirs is None:
            continue
        cells = [WORKLOADS[wl].label]
        for attr, spec in (("rps", ",.0f"), ("p99_ms", ".2f"), ("per_cpu_s", ",.0f")):
            a = None if mine is None else getattr(mine, attr)
            b = None if theirs is None else getattr(theirs, attr)
            cells += [_num(a, spec), _num(b, spec)]
            if attr != "p99_ms":
                cells.append(_ratio(a, b))
                if a is not None and b and WORKLOADS[wl].log == "off":
                    ratios["req/s" if attr == "rps" else "req per CPU-s"].append(a / b)
        out.append("| " + " | ".join(cells) + " |")
    out += [
        "",
        "| server | spread of req/s over rounds (per workload) | server CPU use | errors "
        "| peak RSS, access log off (MiB) |",
        "|---|---|---|---:|---:|",
    ]
    for res in results.values():
        if res.skipped:
            continue
        spreads, uses, errors = [], [], 0
        for wl in args.workloads:
            run = res.runs.get(wl)
            if run is None:
                continue
            rates = [r.rps for r in res.samples[wl]]
            spreads.append(f"{(max(rates) - min(rates)) / run.rps:.0%}" if len(rates) > 1 else "-")
            uses.append("n/a" if run.cpu_use is None else f"{run.cpu_use:.0%}")
            errors += run.errors + run.non_2xx
        peak = None if res.peak_rss_kib is None else res.peak_rss_kib / 1024
        out.append(
            f"| {res.name} | {' / '.join(spreads)} | {' / '.join(uses)} | {errors} "
            f"| {_num(peak, '.1f')} |"
        )
    out += _instructions_table(args, aioweb, aiohttp)
    out.append("")
    for label, values in ratios.items():
        if values:
            met = "met" if min(values) >= 1.3 else "NOT met"
            out.append(
                f"- goal {label} >= 1.3x aiohttp on every workload (access log off): {met} "
                f"(lowest {min(values):.2f}x)"
            )
    for res in results.values():
        off = res.runs.get("plaintext")
        if off is None:
            continue
        for wl in ("plaintext-log-default", "plaintext-log-info"):
            run = res.runs.get(wl)
            if run is not None:
                out.append(
                    f"- {res.name}, {WORKLOADS[wl].label}: "
                    f"{_ratio(run.per_cpu_s, off.per_cpu_s)} the req per CPU-s "
                    f"({_ratio(run.rps, off.rps)} the req/s) of access_log=None"
                )
    return out


def _instructions_table(
    args: argparse.Namespace, aioweb: ServerResult | None, aiohttp: ServerResult | None
) -> list[str]:
    """Instructions per request (user + kernel) of the shown runs, when --perf counted them."""
    rows = []
    for wl in args.workloads:
        mine = aioweb.runs.get(wl) if aioweb else None
        theirs = aiohttp.runs.get(wl) if aiohttp else None
        a = None if mine is None else mine.instr_total
        b = None if theirs is None else theirs.instr_total
        if a is not None or b is not None:
            rows.append(
                f"| {WORKLOADS[wl].label} | {_num(a, ',.0f')} | {_num(b, ',.0f')} "
                f"| {_ratio(b, a)} |"
            )
    if not rows:
        return []
    return [
        "",
        "| workload | aioweb instructions per request | aiohttp | aiohttp/aioweb |",
        "|---|---:|---:|---:|",
        *rows,
    ]


def bench(args: argparse.Namespace) -> int:
    server_pin, client_pin = (args.server_cpu, args.client_cpu) if args.pin else (None, None)
    results = {name: ServerResult(name) for name in args.frameworks}
    # Fresh server processes each round, as bench_server.py starts them.
    for rnd in range(args.rounds):
        live = start_servers(args, results, server_pin)
        failed = [res for res in results.values() if res.skipped]
        if failed:
            # A comparison with one side missing or wrong means nothing: stop the load.
            for server in live.values():
                server.stop()
            names = ", ".join(res.name for res in failed)
            print(f"bench_app: aborted ({names}: see above)", file=sys.stderr)
            return 1
        try:
            load_round(args, results, live, client_pin, rnd)
        finally:
            for server in live.values():
                server.stop()
    for res in results.values():
        pick_runs(res, args.pick)
    machine = [line for line in machine_info(args) if not line.startswith("- idle:")]
    lines = ["## Full-stack application bench", "", *machine]
    lines.append(
        "- application: `web.run_app`, one `@web.middleware` setting two headers, 200 routes "
        "(tools/bench/_servers/app_common.py); the same code for both, only the import differs"
    )
    lines += report(args, results)
    for res in results.values():
        if res.skipped:
            lines.append(f"\n{res.name}: not measured — {res.skipped.splitlines()[0]}")
        for problem in dict.fromkeys(res.problems):
            lines.append(f"\n{res.name}: partly measured — {problem.splitlines()[0]}")
    print("\n".join(lines))
    if args.json:
        data = {"machine": machine, "results": {n: asdict(r) for n, r in results.items()}}
        Path(args.json).write_text(json.dumps(data, indent=2) + "\n")
    return 1 if any(res.skipped or res.problems for res in results.values()) else 0


def profile(args: argparse.Namespace) -> int:
    """Run the first of --frameworks under cProfile for the first of --workloads."""
    name, wl = args.frameworks[0], args.workloads[0]
    app_workload = WORKLOADS[wl]
    return run_profiled(
        args,
        name,
        wl,
        app_workload.load,
        lambda pin, stats_file: AppProcess(
            name, app_workload.log, pin=pin, uvloop=args.uvloop, profile=stats_file
        ),
        verify,
    )


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="bench_app", description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    add_load_options(parser, "the first of --frameworks (aioweb)")
    parser.add_argument("--frameworks", default="aioweb,aiohttp", help="comma-separated subset")
    parser.add_argument("--workloads", default=",".join(WORKLOADS))
    parser.add_argument("--uvloop", action="store_true", help="run_app on uvloop, for both")
    args = parser.parse_args(argv)
    finish_load_options(args)
    args.frameworks = [s for s in args.frameworks.split(",") if s]
    args.workloads = [w for w in args.workloads.split(",") if w]
    for f in args.frameworks:
        if f not in FRAMEWORKS:
            parser.error(f"unknown framework {f!r}; known: {', '.join(FRAMEWORKS)}")
    for w in args.workloads:
        if w not in WORKLOADS:
            parser.error(f"unknown workload {w!r}; known: {', '.join(WORKLOADS)}")
    # What bench_server's helpers (check_tools, machine_info) read.
    args.idle = 0
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    problem = check_tools(args)
    if problem:
        print(problem.replace("the server bench", "the app bench"), file=sys.stderr)
        return 2
    return profile(args) if args.profile else bench(args)


if __name__ == "__main__":
    sys.exit(main())
