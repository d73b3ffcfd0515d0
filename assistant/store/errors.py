"""Store errors. Messages are one German sentence for the person or helper."""

from __future__ import annotations

from assistant.errors import BegleiterError


class StoreError(BegleiterError):
    """Something is wrong with the data store (German message)."""


class StoreLockedError(StoreError):
    """Another Begleiter process already uses this data folder."""

    exit_code = 3


class StoreReadOnlyError(StoreError):
    """The data folder or a data file cannot be written."""


class StoreWriteError(StoreError):
    """A write failed (disk full, device gone); nothing was half-written."""


class StoreVersionError(StoreError):
    """The data was written by a newer Begleiter than this one."""


class StoreUsageError(ValueError):
    """A programming error in how the store was called (English, for developers)."""
