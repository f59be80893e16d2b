"""The pure stage logic: clean, enrich, tag and dedupe as functions, chained by `pipeline`."""
