"""What the repositories need from the store: its tables (a seam below ``database.py``).

:class:`~assistant.store.database.Store` provides it; the repositories in ``current.py`` and
``history.py`` depend only on this, so no import runs from them back up to the store.
"""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from tinydb import TinyDB
from tinydb.table import Table


class Tables(Protocol):
    """The current-state file and the monthly history files."""

    core: TinyDB
    """Settings, reminders and the safety plan."""

    def history_table(self, name: str, period: str) -> Table:
        """The table ``name`` in the history file of ``period`` (``YYYY-MM``)."""
        ...

    def periods(self) -> list[str]:
        """The months that have a history file, oldest first."""
        ...

    def periods_since(self, since: datetime | None) -> list[str]:
        """The months that may hold records at or after ``since`` (all when None)."""
        ...
