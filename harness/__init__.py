"""drill: an incident drill and chaos simulation harness."""

__version__ = "0.1.0"
