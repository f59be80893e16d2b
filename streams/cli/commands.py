"""The `warta` command group and every command registered on it."""

from __future__ import annotations

import logging
import sys

import click
from pydantic import ValidationError

from streams import __version__
from streams.cli import eval as eval_cmd
from streams.cli import io, ops, serve
from streams.cli.common import UserError


class WartaGroup(click.Group):
    """Turns user mistakes into one readable line with a hint, not a traceback."""

    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except UserError as exc:
            click.secho(f"error: {exc}", fg="red", err=True)
            if exc.hint:
                click.echo(f"hint: {exc.hint}", err=True)
            sys.exit(2)
        except ValidationError as exc:
            click.secho(f"error: invalid setting: {exc}", fg="red", err=True)
            click.echo("hint: check the WARTA_* environment variables (see README)", err=True)
            sys.exit(2)


@click.group(cls=WartaGroup)
@click.version_option(__version__, prog_name="warta")
@click.option("-v", "--verbose", is_flag=True, help="Log more.")
def main(verbose: bool) -> None:
    """warta: clean, enrich, tag, de-duplicate and store news articles on Kafka."""
    logging.basicConfig(
        level=logging.DEBUG if verbose else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )


for _command in (serve.run, serve.broker, serve.worker, io.produce, io.tail, io.process):
    main.add_command(_command)
main.add_command(eval_cmd.group)
for _command in ops.COMMANDS:
    main.add_command(_command)
