"""Run aioweb's benchmarks by name: ``python tools/bench/run.py NAME|all``.

NAME is parser, router, server, app or inproc.

Each bench is the script ``tools/bench/bench_<name>.py``, run in its own interpreter so that
one bench's imports and memory never colour another's numbers. Arguments after the name go
to that script unchanged (``--quick`` is understood by every bench). ``all`` runs every
bench in turn with ``--quick`` if given, and no other argument. ``hatch run bench ...`` is the
same command. See tools/bench/README.md.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
BENCHES = ("parser", "router", "server", "app", "inproc")
USAGE = f"usage: run.py {{{'|'.join((*BENCHES, 'all'))}}} [--quick] [bench options...]"


def run_one(name: str, argv: list[str]) -> int:
    script = HERE / f"bench_{name}.py"
    if not script.is_file():
        print(
            f"run.py: the {name} bench is missing: {script.relative_to(HERE.parent.parent)} "
            "does not exist (not written yet?)",
            file=sys.stderr,
        )
        return 2
    print(f"== {name} bench: {script.name} {' '.join(argv)}".rstrip(), file=sys.stderr, flush=True)
    return subprocess.run([sys.executable, str(script), *argv], check=False).returncode


def main(argv: list[str]) -> int:
    if not argv or argv[0] in ("-h", "--help"):
        print(USAGE)
        print(__doc__)
        return 0 if argv else 2
    name, rest = argv[0], argv[1:]
    if name in BENCHES:
        return run_one(name, rest)
    if name != "all":
        print(f"run.py: unknown bench {name!r}\n{USAGE}", file=sys.stderr)
        return 2
    if any(arg != "--quick" for arg in rest):
        print(
            "run.py: 'all' takes only --quick; run a single bench for other options",
            file=sys.stderr,
        )
        return 2
    statuses = {bench: run_one(bench, rest) for bench in BENCHES}
    failed = [f"{bench} (exit status {rc})" for bench, rc in statuses.items() if rc]
    if failed:
        print(f"run.py: failed or missing: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
