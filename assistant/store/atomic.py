"""Crash-safe files for TinyDB: whole-document writes, backup, validation, recovery.

A write never touches the live file. It goes to ``NAME.tmp`` in the same
folder, is flushed and fsynced, the live file is hard-linked to ``NAME.bak``
(the previous good copy, no data copied), then ``os.replace`` swaps the new
file in and the folder is fsynced. At every instant the live file is either
the old or the new complete document.

On load the file is validated (UTF-8, JSON, the table shape, a ``meta``
table). A bad file is moved aside as ``NAME.corrupt-YYYYMMDDTHHMMSSZ`` (0600)
and the backup restored; the :class:`Recovery` is reported to the store, which
tells the person. Only when there is no good copy at all does the file start
empty, and that too is reported, never silent.
"""

from __future__ import annotations

import errno
import json
import logging
import os
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from tinydb.storages import Storage

from assistant.clock import SystemClock
from assistant.store.errors import StoreReadOnlyError, StoreWriteError
from assistant.store.migrations import SCHEMA_VERSION, migrate

LOG = logging.getLogger("assistant.store")
FILE_MODE = 0o600
Document = dict[str, dict[str, Any]]


class InvalidDocument(ValueError):
    """A database file that cannot be used as it is (reason in the message)."""


@dataclass(frozen=True)
class Recovery:
    """What happened to one damaged file at start-up."""

    path: Path
    reason: str
    moved_to: Path | None
    """Where the damaged file now lies (None if there was none or read-only)."""
    restored_from: Path | None
    """The backup that was restored; None means nothing good was left."""


def backup_path(path: Path) -> Path:
    return path.with_name(path.name + ".bak")


def temp_path(path: Path) -> Path:
    return path.with_name(path.name + ".tmp")


def backup_staging_path(path: Path) -> Path:
    return path.with_name(path.name + ".bak.tmp")


def remove_leftovers(path: Path) -> None:
    """Delete temporary files of an interrupted write (never acknowledged)."""
    for leftover in (temp_path(path), backup_staging_path(path)):
        try:
            leftover.unlink(missing_ok=True)
        except OSError:
            pass


def fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _write_error(path: Path, error: OSError) -> Exception:
    if error.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
        return StoreReadOnlyError(f"Ich kann {path.parent} nicht beschreiben, der Ordner ist "
                                  f"schreibgeschützt ({error.strerror}).")
    return StoreWriteError(f"Speichern in {path} ist fehlgeschlagen ({error.strerror}); "
                           f"die bisherigen Daten sind unverändert.")


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


def _link_backup(path: Path) -> None:
    """Make ``NAME.bak`` the current live file (hard link, copy as fallback)."""
    staging = backup_staging_path(path)
    staging.unlink(missing_ok=True)
    try:
        os.link(path, staging)
    except OSError:  # file systems without hard links
        write_bytes_synced(staging, path.read_bytes())
    os.replace(staging, backup_path(path))


def write_bytes_synced(path: Path, data: bytes) -> None:
    """Create/overwrite ``path`` (0600) with ``data`` and fsync it."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, FILE_MODE)
    try:
        os.fchmod(fd, FILE_MODE)
        _write_all(fd, data)
        os.fsync(fd)
    finally:
        os.close(fd)


def write_atomic(path: Path, data: bytes, keep_backup: bool = True) -> None:
    """Replace ``path`` with ``data`` atomically and durably (see module doc)."""
    temp = temp_path(path)
    try:
        write_bytes_synced(temp, data)
        if keep_backup and path.exists():
            _link_backup(path)
        os.replace(temp, path)
        fsync_dir(path.parent)
    except OSError as error:
        remove_leftovers(path)
        raise _write_error(path, error) from None


def encode(document: Document) -> bytes:
    return json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def parse(data: bytes, kind: str) -> Document:
    """Decode and validate one database file; raise InvalidDocument."""
    if not data.strip():
        raise InvalidDocument("empty file")
    try:
        document = json.loads(data.decode("utf-8"))
    except UnicodeDecodeError as error:
        raise InvalidDocument(f"not UTF-8 ({error.reason} at byte {error.start})") from None
    except json.JSONDecodeError as error:
        raise InvalidDocument(f"not JSON ({error.msg} at line {error.lineno})") from None
    if not isinstance(document, dict) or not document:
        raise InvalidDocument("not a table document")
    for name, table in document.items():
        if not isinstance(table, dict) or not all(isinstance(d, dict) for d in table.values()):
            raise InvalidDocument(f"table {name!r} is malformed")
    try:
        return migrate(document, kind)
    except (ValueError, TypeError, AttributeError) as error:
        raise InvalidDocument(f"bad meta table ({error})") from None


def read_document(path: Path, kind: str) -> Document:
    try:
        data = path.read_bytes()
    except OSError as error:
        raise InvalidDocument(f"unreadable ({error.strerror})") from None
    return parse(data, kind)


def new_document(kind: str) -> Document:
    return {"meta": {"1": {"schema": SCHEMA_VERSION, "kind": kind}}}


def move_aside(path: Path, stamp: datetime) -> Path:
    """Rename a damaged file to ``NAME.corrupt-YYYYMMDDTHHMMSSZ`` (UTC, 0600); return the new path."""
    target = path.with_name(f"{path.name}.corrupt-{stamp:%Y%m%dT%H%M%SZ}")
    counter = 1
    while target.exists():
        target = path.with_name(f"{path.name}.corrupt-{stamp:%Y%m%dT%H%M%SZ}-{counter}")
        counter += 1
    os.chmod(path, FILE_MODE)
    os.replace(path, target)
    return target


def load_with_recovery(path: Path, kind: str, read_only: bool = False,
                       ) -> tuple[Document | None, Recovery | None]:
    """Load ``path``; on damage restore the backup. Returns (document, recovery).

    The document is None when neither file nor backup exists (a new file).
    """
    backup = backup_path(path)
    if not read_only:
        remove_leftovers(path)
    reason = "missing, but a backup exists"
    if path.exists():
        try:
            return read_document(path, kind), None
        except InvalidDocument as error:
            reason = str(error)
    elif not backup.exists():
        return None, None
    return _recover(path, kind, reason, read_only)


def _recover(path: Path, kind: str, reason: str, read_only: bool,
             ) -> tuple[Document | None, Recovery]:
    backup = backup_path(path)
    try:
        document: Document | None = read_document(backup, kind)
        restored: Path | None = backup
    except InvalidDocument as error:
        LOG.error("backup %s is unusable too: %s", backup, error)
        document, restored = None, None
    moved = None
    if not read_only:
        stamp = SystemClock(timezone.utc).now()  # real time of discovery, for the file name
        if path.exists():
            moved = move_aside(path, stamp)
        if document is None and backup.exists():
            move_aside(backup, stamp)
        if document is not None:
            write_atomic(path, encode(document), keep_backup=False)
        fsync_dir(path.parent)
    recovery = Recovery(path, reason, moved, restored)
    LOG.error("damaged database file %s (%s): moved to %s, restored from %s",
              path, reason, moved, restored)
    return document, recovery


class AtomicJSONStorage(Storage):
    """TinyDB storage over one file, written with :func:`write_atomic`.

    The parsed document is kept in memory (the store holds an exclusive lock,
    so nobody else changes the file); ``read`` costs nothing. If a write fails,
    the in-memory copy is reloaded from disk so it never differs from the file.
    """

    def __init__(self, path: Path, kind: str, document: Document | None,
                 read_only: bool = False) -> None:
        super().__init__()
        self.path = path
        self.kind = kind
        self.read_only = read_only
        self._document: Document = document if document is not None else new_document(kind)

    def read(self) -> Document:
        return self._document

    def write(self, data: Document) -> None:
        if self.read_only:
            raise StoreReadOnlyError("Die Daten sind nur zum Lesen geöffnet.")
        try:
            write_atomic(self.path, encode(data))
        except Exception:
            self._reload()
            raise
        self._document = data

    def _reload(self) -> None:
        if not self.path.exists():
            self._document = new_document(self.kind)
            return
        try:
            self._document = read_document(self.path, self.kind)
        except InvalidDocument:
            LOG.exception("could not reload %s after a failed write", self.path)

    def close(self) -> None:
        pass
