"""warta: an event-driven stream processor for news articles."""

__version__ = "0.1.0"
