"""Benchmarks: `python -m benchmarks DATA_DIR [--quick]` prints one table measured in one run."""
