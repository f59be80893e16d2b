"""Each worker claims its own state directory (RocksDB allows one process per database)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

# A process that claims a state directory (streams.runtime.state_dir.claim_state_dir) and holds it.
HOLD = """
import sys
from pathlib import Path
from streams.runtime.state_dir import claim_state_dir
print(claim_state_dir(Path(sys.argv[1])).name, flush=True)
sys.stdin.read()
"""


def hold(root: Path) -> tuple[subprocess.Popen[str], str]:
    """A process that claims a directory under `root` and keeps it until its stdin closes."""
    proc = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(root)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    return proc, proc.stdout.readline().strip()


def test_a_second_worker_gets_the_next_directory_and_a_restart_gets_the_first_back(
    tmp_path: Path,
) -> None:
    first, name = hold(tmp_path)
    second, other = hold(tmp_path)
    try:
        assert (name, other) == ("worker-0", "worker-1")
        assert (tmp_path / "worker-0").is_dir()
    finally:
        second.kill()  # SIGKILL: the lock goes with the process
        second.communicate()
    assert hold_and_release(tmp_path) == "worker-1"
    first.communicate("")
    assert hold_and_release(tmp_path) == "worker-0"


def hold_and_release(root: Path) -> str:
    proc, name = hold(root)
    proc.communicate("")
    return name
