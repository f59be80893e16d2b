"""Shared helpers of every stage, free of Kafka: decode, ids, fingerprints, limits, dead letters."""
