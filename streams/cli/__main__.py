"""`python -m streams.cli` runs the `warta` command."""

from streams.cli import main

main()
