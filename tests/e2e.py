"""Compatibility names for tests not yet importing `streams.runtime.harness`, where they live.

New tests import the harness directly; this module goes once the last importer has moved.
"""

from __future__ import annotations

from streams.runtime.harness import produce, run, wait_for, worker, worker_env

__all__ = ["produce", "run", "wait_for", "worker", "worker_env"]
