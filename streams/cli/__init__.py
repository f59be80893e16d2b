"""The `warta` command line: run, broker, worker, produce, tail, process, eval (group in `commands`)."""

from __future__ import annotations

from streams.cli.commands import main

__all__ = ["main"]
