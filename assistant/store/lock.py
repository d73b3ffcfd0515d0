"""One Begleiter process per data folder: an exclusive ``flock`` on a lock file."""

from __future__ import annotations

import fcntl
import os
from pathlib import Path

from assistant.store.errors import StoreLockedError, StoreReadOnlyError

LOCK_NAME = "begleiter.lock"


class FolderLock:
    """Holds ``LOCK_EX`` on ``folder/begleiter.lock`` until :meth:`release`.

    The kernel drops the lock when the process dies, so a crash never leaves
    a stale lock behind.
    """

    def __init__(self, folder: Path) -> None:
        self.path = folder / LOCK_NAME
        try:
            self._fd: int | None = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        except OSError as error:
            raise StoreReadOnlyError(f"Im Datenordner {folder} kann ich nichts anlegen "
                                     f"({error.strerror}).") from None
        try:
            fcntl.flock(self._fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(self._fd)
            self._fd = None
            raise StoreLockedError(f"Begleiter läuft schon mit dem Datenordner {folder}. "
                                   f"Bitte erst das andere Begleiter-Programm beenden.") from None
        os.fchmod(self._fd, 0o600)

    def release(self) -> None:
        if self._fd is not None:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None
