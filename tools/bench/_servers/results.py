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
    """One wrk run against one server, with the server's CPU time during it."""

    rps: float
    p99_ms: float
    requests: int
    errors: int
    non_2xx: int
    wall_s: float = 0.0
    cpu_s: float = 0.0  # user + system time of the server process during the run
    # Instructions the server executed per request, in user and kernel mode (--perf):
    # unlike req/s, nearly unmoved by other load or by a slow spell of the machine.
    instr_user: float | None = None
    instr_kernel: float | None = None

    @property
    def instr_total(self) -> float | None:
        """User plus kernel instructions per request (None without --perf)."""
        if self.instr_user is None or self.instr_kernel is None:
            return None
        return self.instr_user + self.instr_kernel

    @property
    def per_cpu_s(self) -> float | None:
        """Requests per second of server CPU: unlike req/s, barely moved by other load."""
        return self.requests / self.cpu_s if self.cpu_s > 0 else None

    @property
    def cpu_use(self) -> float | None:
        """Share of one CPU the server used; well under 1 means it was starved or idle."""
        return self.cpu_s / self.wall_s if self.wall_s > 0 else None


@dataclass
class ServerResult:
    name: str
    runs: dict[str, WrkResult] = field(default_factory=dict)  # the run shown per workload
    samples: dict[str, list[WrkResult]] = field(default_factory=dict)  # every round
    peak_rss_kib: int | None = None
    idle_base_kib: int | None = None
    idle_kib_per_conn: float | None = None
    skipped: str | None = None  # nothing measured, and why
    problems: list[str] = field(default_factory=list)  # a part not measured, and why


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
    pick = "best" if args.pick == "best" else "median"
    return [
        f"- machine: {os.cpu_count()} CPUs, {model}; {platform.system()} {platform.release()}",
        f"- Python {platform.python_version()} ({platform.python_implementation()}), "
        f"event loop: {'uvloop' if args.uvloop else 'asyncio default'}",
        f"- load: {wrk.split(' [')[0].strip() or 'wrk'}, 1 thread, {args.connections} "
        f"connections, {args.duration} s per run, {args.rounds} interleaved round(s) of fresh "
        f"server processes (1 s of warm-up each), the {pick} run by req/s shown; "
        + (
            f"server on CPU {args.server_cpu}, wrk on CPU {args.client_cpu}"
            if args.pin
            else "no CPU pinning"
        ),
        (
            f"- idle: {args.idle} keep-alive connections, each after one request"
            if args.idle
            else "- idle: not measured (--idle 0)"
        ),
        "- load average (1, 5, 15 min) when the report was written: "
        + ", ".join(f"{v:.2f}" for v in os.getloadavg())
        + " (other work on the machine makes req/s noisier; req per CPU-s much less so)",
    ]


def pick_runs(res: ServerResult, how: str) -> None:
    """Choose the run shown for each workload: the best or the median by req/s.

    Other work on the machine only ever slows a run down, so on a shared machine the best
    of a few interleaved runs is the closer estimate of what the server can do.
    """
    for wl, runs in res.samples.items():
        ordered = sorted(runs, key=lambda r: r.rps)
        res.runs[wl] = ordered[-1] if how == "best" else ordered[(len(ordered) - 1) // 2]


def _ratio(a: float | None, b: float | None) -> str:
    if a is None or b is None or b == 0:
        return "n/a"
    return f"{a / b:.2f}x"


def _fmt(value: float | None, spec: str) -> str:
    return "n/a" if value is None else format(value, spec)


def _run_value(workload: str, name: str) -> Callable[[ServerResult], float | None]:
    def get(res: ServerResult) -> float | None:
        run = res.runs.get(workload)
        value = None if run is None else getattr(run, name)
        return None if value is None else float(value)

    return get


def _throughput_table(results: dict[str, ServerResult], workloads: Sequence[str]) -> list[str]:
    out = [
        "| workload | server | req/s | req per server CPU-s | server CPU use | spread "
        "| p99 latency (ms) | errors |",
        "|---|---|---:|---:|---:|---:|---:|---:|",
    ]
    for wl in workloads:
        for res in results.values():
            run = res.runs.get(wl)
            if run is None:
                continue
            rates = [r.rps for r in res.samples.get(wl, [run])]
            spread = f"{(max(rates) - min(rates)) / run.rps:.0%}" if len(rates) > 1 else "-"
            cpu_use = "n/a" if run.cpu_use is None else f"{run.cpu_use:.0%}"
            out.append(
                f"| {wl} | {res.name} | {run.rps:,.0f} | {_fmt(run.per_cpu_s, ',.0f')} "
                f"| {cpu_use} | {spread} | {run.p99_ms:.2f} | {run.errors + run.non_2xx} |"
            )
    return out


def _memory_table(results: dict[str, ServerResult]) -> list[str]:
    out = [
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
    return out


def report(results: dict[str, ServerResult], workloads: Sequence[str]) -> list[str]:
    out = ["", *_throughput_table(results, workloads), "", *_memory_table(results)]
    aioweb, aiohttp, raw = (results.get(n) for n in ("aioweb", "aiohttp", "raw"))
    if aioweb is None or aioweb.skipped:
        return out
    others = [None if o is None or o.skipped else o for o in (aiohttp, raw)]

    def row(label: str, get: Callable[[ServerResult], float | None]) -> str:
        mine = get(aioweb)
        theirs = [None if o is None else get(o) for o in others]
        return f"| {label} | {_ratio(mine, theirs[0])} | {_ratio(mine, theirs[1])} |"

    out += ["", "| ratio | aioweb/aiohttp | aioweb/raw |", "|---|---:|---:|"]
    for wl in workloads:
        if wl in aioweb.runs:
            out.append(row(f"{wl} req/s", _run_value(wl, "rps")))
            out.append(row(f"{wl} req per CPU-s", _run_value(wl, "per_cpu_s")))
            out.append(row(f"{wl} p99 latency", _run_value(wl, "p99_ms")))
            if aioweb.runs[wl].instr_total is not None:
                out.append(row(f"{wl} instructions per request", _run_value(wl, "instr_total")))
                out.append(row(f"{wl} user instructions per request", _run_value(wl, "instr_user")))
    out.append(row("peak RSS", lambda r: r.peak_rss_kib))
    out.append(row("memory per idle conn", lambda r: r.idle_kib_per_conn))
    if others[0] is not None:
        out += ["", *goal_lines(aioweb, others[0], workloads)]
    return out


def goal_lines(aioweb: ServerResult, aiohttp: ServerResult, workloads: Sequence[str]) -> list[str]:
    lines = []
    for label, attr in (("req/s", "rps"), ("req per CPU-s", "per_cpu_s")):
        ratios = []
        for wl in workloads:
            mine, theirs = _run_value(wl, attr)(aioweb), _run_value(wl, attr)(aiohttp)
            if mine is not None and theirs:
                ratios.append(mine / theirs)
        if ratios:
            met = "met" if min(ratios) >= 1.3 else "NOT met"
            lines.append(
                f"- goal {label} >= 1.3x aiohttp on every workload: {met} "
                f"(lowest {min(ratios):.2f}x)"
            )
    if aioweb.idle_kib_per_conn is not None and aiohttp.idle_kib_per_conn:
        share = aioweb.idle_kib_per_conn / aiohttp.idle_kib_per_conn
        met = "met" if share <= 0.5 else "NOT met"
        lines.append(f"- goal memory per idle connection <= 0.5x aiohttp: {met} ({share:.2f}x)")
    return lines
