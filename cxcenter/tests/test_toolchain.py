"""The Makefile and the Procfile use the same uv, which need not be on PATH."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_every_procfile_process_runs_the_uv_the_makefile_passes() -> None:
    lines = [line for line in (ROOT / "Procfile").read_text().splitlines() if line.strip()]
    commands = dict(line.split(":", 1) for line in lines)
    assert set(commands) == {"web", "worker", "beat"}
    assert {name for name, cmd in commands.items() if not cmd.strip().startswith("${UV:-uv} ")} == (
        set()
    )


def test_the_makefile_exports_its_uv_to_the_processes() -> None:
    makefile = (ROOT / "Makefile").read_text()
    assert re.search(r"^export UV$", makefile, re.MULTILINE)
    assert re.search(r"^UV := .*\$\(TOOLS\)/bin/uv", makefile, re.MULTILINE)
