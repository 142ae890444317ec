"""The router stands alone: importing it loads no other aioweb package but exceptions."""

from __future__ import annotations

import subprocess
import sys


def test_import_loads_only_allowed_aioweb_packages() -> None:
    code = (
        "import sys, aioweb.router\n"
        "print(sorted({m.split('.')[1] for m in sys.modules"
        " if m.startswith('aioweb.') and m.count('.') >= 1}))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    ).stdout
    assert out.strip() == "['exceptions', 'router']"
