"""Evaluation commands on the public data in ../shared/data (skipped cleanly when absent)."""
