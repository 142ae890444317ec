"""Results of the server bench and their markdown report (tables, ratios, goals)."""

from __future__ import annotations

import argparse
import os
import platform
import subprocess
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field


@dataclass
class WrkResult:
    rps: float
    p99_ms: float
    requests: int
    errors: int
    non_2xx: int


@dataclass
class ServerResult:
    name: str
    runs: dict[str, WrkResult] = field(default_factory=dict)  # the median run per workload
    rps_samples: dict[str, list[float]] = field(default_factory=dict)
    peak_rss_kib: int | None = None
    idle_base_kib: int | None = None
    idle_kib_per_conn: float | None = None
    skipped: str | None = None


def machine_info(args: argparse.Namespace) -> list[str]:
    model = "unknown"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    wrk = subprocess.run(["wrk", "--version"], capture_output=True, text=True).stdout
    return [
        f"- machine: {os.cpu_count()} CPUs, {model}; {platform.system()} {platform.release()}",
        f"- Python {platform.python_version()} ({platform.python_implementation()}), "
        f"event loop: {'uvloop' if args.uvloop else 'asyncio default'}",
        f"- load: {wrk.split(' [')[0].strip() or 'wrk'}, 1 thread, {args.connections} "
        f"connections, {args.duration} s per run after a 1 s warm-up, {args.rounds} "
        "interleaved round(s), median run shown; "
        + (
            f"server on CPU {args.server_cpu}, wrk on CPU {args.client_cpu}"
            if args.pin
            else "no CPU pinning"
        ),
        f"- idle: {args.idle} keep-alive connections, each after one request",
        "- load average (1, 5, 15 min) when the report was written: "
        + ", ".join(f"{v:.2f}" for v in os.getloadavg())
        + " (other work on the machine makes every number noisier)",
    ]


def _ratio(a: float | None, b: float | None) -> str:
    if a is None or b is None or b == 0:
        return "n/a"
    return f"{a / b:.2f}x"


def _fmt(value: float | None, spec: str) -> str:
    return "n/a" if value is None else format(value, spec)


def _run_field(workload: str, name: str) -> Callable[[ServerResult], float | None]:
    def get(res: ServerResult) -> float | None:
        run = res.runs.get(workload)
        return None if run is None else float(getattr(run, name))

    return get


def report(results: dict[str, ServerResult], workloads: Sequence[str]) -> list[str]:
    out = [
        "",
        "| workload | server | req/s | spread | p99 latency (ms) | errors |",
        "|---|---|---:|---:|---:|---:|",
    ]
    for wl in workloads:
        for res in results.values():
            run = res.runs.get(wl)
            if run is None:
                continue
            bad = run.errors + run.non_2xx
            rates = res.rps_samples.get(wl, [run.rps])
            spread = f"{(max(rates) - min(rates)) / run.rps:.0%}" if len(rates) > 1 else "-"
            out.append(
                f"| {wl} | {res.name} | {run.rps:,.0f} | {spread} | {run.p99_ms:.2f} | {bad} |"
            )
    out += [
        "",
        "| server | peak RSS under load (MiB) | RSS before idle conns (MiB) "
        "| KiB per idle keep-alive conn |",
        "|---|---:|---:|---:|",
    ]
    for res in results.values():
        if res.skipped:
            continue
        peak = None if res.peak_rss_kib is None else res.peak_rss_kib / 1024
        base = None if res.idle_base_kib is None else res.idle_base_kib / 1024
        out.append(
            f"| {res.name} | {_fmt(peak, '.1f')} | {_fmt(base, '.1f')} "
            f"| {_fmt(res.idle_kib_per_conn, '.2f')} |"
        )
    aioweb, aiohttp, raw = (results.get(n) for n in ("aioweb", "aiohttp", "raw"))
    if aioweb is None or aioweb.skipped:
        return out
    out += [
        "",
        "| ratio | aioweb/aiohttp | aioweb/raw |",
        "|---|---:|---:|",
    ]

    def row(label: str, get: Callable[[ServerResult], float | None]) -> str:
        mine = get(aioweb)
        theirs = [None if o is None or o.skipped else get(o) for o in (aiohttp, raw)]
        return f"| {label} | {_ratio(mine, theirs[0])} | {_ratio(mine, theirs[1])} |"

    for wl in workloads:
        if wl in aioweb.runs:
            out.append(row(f"{wl} req/s", _run_field(wl, "rps")))
            out.append(row(f"{wl} p99 latency", _run_field(wl, "p99_ms")))
    out.append(row("peak RSS", lambda r: r.peak_rss_kib))
    out.append(row("memory per idle conn", lambda r: r.idle_kib_per_conn))
    if aiohttp is not None and not aiohttp.skipped:
        out += ["", *goal_lines(aioweb, aiohttp, workloads)]
    return out


def goal_lines(aioweb: ServerResult, aiohttp: ServerResult, workloads: Sequence[str]) -> list[str]:
    lines = []
    speed = [
        aioweb.runs[wl].rps / aiohttp.runs[wl].rps
        for wl in workloads
        if wl in aioweb.runs and wl in aiohttp.runs and aiohttp.runs[wl].rps
    ]
    if speed:
        met = "met" if min(speed) >= 1.3 else "NOT met"
        lines.append(f"Goal req/s >= 1.3x aiohttp on every workload: {met} (min {min(speed):.2f}x)")
    if aioweb.idle_kib_per_conn is not None and aiohttp.idle_kib_per_conn:
        share = aioweb.idle_kib_per_conn / aiohttp.idle_kib_per_conn
        met = "met" if share <= 0.5 else "NOT met"
        lines.append(f"Goal memory per idle connection <= 0.5x aiohttp: {met} ({share:.2f}x)")
    return lines
