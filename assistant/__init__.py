"""Begleiter: an offline German voice companion (import package ``assistant``)."""

__version__ = "0.1.0"
