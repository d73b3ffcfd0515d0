"""The store: one core file plus one history file per month, in ``DATA_DIR/store``.

``core.json`` holds what is small and changes in place (settings, reminders,
safety plan); ``history-YYYY-MM.json`` holds what grows every day (check-ins,
steps, journal, prompt history, safety events, WHO-5), filed under the local
month of the record's time. A write rewrites only one of these files, so its
cost stays bounded by one month of data however long Begleiter is used.
"""

from __future__ import annotations

import errno
import logging
import os
import re
import stat
from collections import OrderedDict
from datetime import datetime, timedelta
from pathlib import Path

from tinydb import TinyDB
from tinydb.table import Table

from assistant.store.atomic import AtomicJSONStorage, Recovery, fsync_dir, load_with_recovery
from assistant.store.errors import StoreReadOnlyError, StoreUsageError
from assistant.store.current import Reminders, SafetyPlans, SettingsRepository
from assistant.store.history import (CheckIns, Journal, PromptHistory, SafetyEvents, Steps, Who5,
                                     PERIOD, period_of)
from assistant.store.lock import LOCK_NAME, FolderLock

LOG = logging.getLogger("assistant.store")
STORE_DIR = "store"
CORE_FILE = "core.json"
HISTORY_PATTERN = re.compile(r"^history-(\d{4}-\d{2})\.json$")
MAX_OPEN_MONTHS = 13
"""Month files kept in memory (least recently used ones are dropped)."""
NOTICE_RESTORED = "system.store_recovered"
NOTICE_LOST = "system.store_lost"


def history_name(period: str) -> str:
    return f"history-{period}.json"


def ensure_folder(folder: Path) -> Path:
    """Create ``folder`` with mode 0700; take group/other rights from an existing one.

    Owner rights are never widened: a folder its owner made read-only stays so
    and gives a clear error rather than being silently made writable.
    """
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        mode = stat.S_IMODE(folder.stat().st_mode)
        if mode & 0o077:
            os.chmod(folder, mode & 0o700)
    except OSError as error:
        if error.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
            raise StoreReadOnlyError(f"Der Datenordner {folder} ist schreibgeschützt "
                                     f"({error.strerror}).") from None
        raise StoreReadOnlyError(f"Den Datenordner {folder} kann ich nicht anlegen "
                                 f"({error.strerror}).") from None
    return folder


class Store:
    """Open database files and the repositories working on them.

    Create it with :func:`assistant.store.open_store`.
    """

    def __init__(self, folder: Path, read_only: bool = False) -> None:
        self.folder = folder
        self.read_only = read_only
        self.recoveries: list[Recovery] = []
        self._lock = None if read_only else FolderLock(folder)
        self._history: OrderedDict[str, TinyDB] = OrderedDict()
        self._notice_told = False
        try:
            if not read_only:
                for leftover in folder.glob("*.tmp"):  # interrupted, never acknowledged writes
                    leftover.unlink()
            self.core = self._open_file(folder / CORE_FILE, "core")
            self._load_recent_history()
        except BaseException:
            self.close()
            raise
        self.checkins = CheckIns(self)
        self.steps = Steps(self)
        self.journal = Journal(self)
        self.prompt_history = PromptHistory(self)
        self.safety_events = SafetyEvents(self)
        self.who5 = Who5(self)
        self.settings = SettingsRepository(self)
        self.reminders = Reminders(self)
        self.safety_plan = SafetyPlans(self)

    # -- files -----------------------------------------------------------------

    def _open_file(self, path: Path, kind: str) -> TinyDB:
        document, recovery = load_with_recovery(path, kind, self.read_only)
        if recovery is not None:
            self.recoveries.append(recovery)
        return TinyDB(path, kind, document, self.read_only, storage=AtomicJSONStorage)

    def _load_recent_history(self) -> None:
        """Validate the two newest history files at start-up (others load on demand)."""
        for period in self.periods()[-2:]:
            self.history(period)

    def periods(self) -> list[str]:
        """All months (``YYYY-MM``) with a history file (or its backup), oldest first."""
        found = set(self._history)
        entries = os.listdir(self.folder) if self.folder.is_dir() else []
        for entry in entries:
            match = HISTORY_PATTERN.match(entry.removesuffix(".bak"))
            if match:
                found.add(match.group(1))
        return sorted(found)

    def periods_since(self, since: datetime | None) -> list[str]:
        """Months that can hold records at or after ``since``.

        One day of margin: records are filed by the month of their own zone, and
        ``since`` may come in another one.
        """
        periods = self.periods()
        if since is None:
            return periods
        first = period_of(since - timedelta(days=1))
        return [p for p in periods if p >= first]

    def history(self, period: str) -> TinyDB:
        """The history database for one month (opened, validated and cached)."""
        if not PERIOD.fullmatch(period):
            raise StoreUsageError(f"invalid history period {period!r}")
        if period in self._history:
            self._history.move_to_end(period)
        else:
            self._history[period] = self._open_file(self.folder / history_name(period), "history")
            while len(self._history) > MAX_OPEN_MONTHS:  # bound memory; files reload on demand
                self._history.popitem(last=False)[1].close()
        return self._history[period]

    def history_table(self, name: str, period: str) -> Table:
        return self.history(period).table(name)

    def files(self) -> list[Path]:
        """Every file in the store folder (for export listings and forget)."""
        if not self.folder.is_dir():
            return []
        return sorted(p for p in self.folder.iterdir() if p.is_file())

    # -- recovery notice ---------------------------------------------------------

    @property
    def recovery_notice(self) -> str | None:
        """Prompt key to say once after damaged files were repaired, else None.

        ``system.store_recovered`` when a backup was restored,
        ``system.store_lost`` when a file had no usable copy left.
        """
        if self._notice_told or not self.recoveries:
            return None
        if any(r.restored_from is None for r in self.recoveries):
            return NOTICE_LOST
        return NOTICE_RESTORED

    def recovery_told(self) -> None:
        """The dialogue has told the person; do not report it again."""
        self._notice_told = True

    def wipe(self) -> list[Path]:
        """Delete all stored data, backups and damaged copies; stay open, locked, empty.

        For a spoken "forget everything" while the assistant keeps running.
        Returns the deleted paths.
        """
        if self.read_only or self._lock is None:
            raise StoreUsageError("wipe needs a store opened for writing")
        for database in self._history.values():
            database.close()
        self._history.clear()
        deleted = []
        for path in sorted(self.folder.rglob("*"), reverse=True):
            if path == self._lock.path:
                continue
            if path.is_dir():
                path.rmdir()
            else:
                path.unlink()
                deleted.append(path)
        fsync_dir(self.folder)
        self.core.close()
        self.core = self._open_file(self.folder / CORE_FILE, "core")
        self.recoveries.clear()
        return deleted

    def destroy(self) -> list[Path]:
        """:meth:`wipe`, then remove the lock file and the store folder, and close.

        The lock is held until the data files are gone. Returns the deleted paths.
        """
        deleted = self.wipe()  # raises unless opened for writing (with the lock)
        (self.folder / LOCK_NAME).unlink(missing_ok=True)
        self.close()
        self.folder.rmdir()
        fsync_dir(self.folder.parent)
        return deleted

    def close(self) -> None:
        for database in self._history.values():
            database.close()
        self._history.clear()
        core = getattr(self, "core", None)
        if core is not None:
            core.close()
        if self._lock is not None:
            self._lock.release()
            self._lock = None

    def __enter__(self) -> "Store":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def open_store(data_dir: Path | str, read_only: bool = False) -> Store:
    """Open (creating if needed) the store in ``data_dir/store``.

    Takes the folder lock (second process: :class:`StoreLockedError`), cleans
    up interrupted writes, validates and repairs the files. ``read_only``
    (for ``export``) takes no lock and changes nothing on disk.
    """
    base = Path(data_dir)
    folder = base / STORE_DIR
    if read_only:
        return Store(folder, read_only=True)  # a missing folder reads as "nothing stored yet"
    ensure_folder(base)
    ensure_folder(folder)
    if not os.access(folder, os.W_OK | os.X_OK):
        raise StoreReadOnlyError(f"Der Datenordner {folder} ist schreibgeschützt, "
                                 f"ich darf dort nichts speichern.")
    return Store(folder)

