"""`warta eval ...`: quality measured on the public data in ../shared/data."""

from __future__ import annotations

import importlib

import click

# name -> module that defines a click command bound to `command`
EVALUATIONS = {
    "extraction": "streams.evaluate.extraction",
    "enrich": "streams.evaluate.enrich",
    "dedupe": "streams.evaluate.dedupe",
}


class _LazyGroup(click.Group):
    """Imports an evaluation only when it is run: their models are heavy."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(EVALUATIONS)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name not in EVALUATIONS:
            return None
        command: click.Command = importlib.import_module(EVALUATIONS[name]).command
        return command


@click.group("eval", cls=_LazyGroup)
def group() -> None:
    """Measure extraction, enrichment or dedupe quality on DATA_DIR (../shared/data)."""
