"""Operator tools behind the `warta` commands: replay, dead-letter redrive, AsyncAPI export."""
