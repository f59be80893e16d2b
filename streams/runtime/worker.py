"""The worker process: every agent, table and web view registered on the app, models warmed up.

Consumes every topic of `streams.core.topics.READS` through the agents it imports; `warta worker`
runs `run()`. Importing this module is what makes a process a worker.
"""

from __future__ import annotations

import sys

from faust.worker import Worker

from streams.runtime.agents import dedupe, stages, store, stories
from streams.runtime.app import app, settings
from streams.runtime.web import register
from streams.samples import ARTICLES
from streams.stages.pipeline import warm_up

AGENTS = (stages, dedupe, stories, store)

register(app)


def run(log_level: str | None = None) -> None:
    """Warm every model up on a sample article, then run the faust worker until it is stopped."""
    warm_up(ARTICLES.read_bytes().splitlines()[0])
    runner = Worker(app, loglevel=log_level or settings.log_level, quiet=True)
    if not sys.stdout.isatty():
        runner.spinner = None  # its cursor codes would garble logs and `warta run`'s view
    runner.execute_from_commandline()
