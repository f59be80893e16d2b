"""Where a worker keeps its tables: consumes the state root (WARTA_DATA_DIR/state), produces the
directory this process claimed, `worker-<n>`, locked until it exits.
"""

from __future__ import annotations

import atexit
import fcntl
from pathlib import Path
from typing import IO

# The lock of the state directory this process claimed: held open until the process exits.
_claimed: IO[bytes] | None = None


def claim_state_dir(root: Path) -> Path:
    """The first `root/worker-<n>` that no running worker holds, locked for this process, made.

    RocksDB allows one process per database: every worker on a machine (or on one volume, as
    `docker compose --scale worker=N` shares it) needs its own directory. A restarted worker
    takes a free one, usually the one it left, and reads the changelogs from where that state
    ends; the lock goes with the process, even on SIGKILL.
    """
    global _claimed
    root.mkdir(parents=True, exist_ok=True)
    n = 0
    while True:
        lock = (root / f"worker-{n}.lock").open("ab")
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            lock.close()
            n += 1
            continue
        if _claimed is not None:
            _claimed.close()
        _claimed = lock
        atexit.register(lock.close)  # the lock lasts as long as the process, closed tidily
        path = root / f"worker-{n}"
        path.mkdir(exist_ok=True)  # faust makes the tables' folder, not its parent
        return path
