"""Logging set-up: the journal under systemd, a rotating file otherwise.

- Under systemd (``INVOCATION_ID`` or ``JOURNAL_STREAM`` set) records go to
  stderr without timestamps (the journal adds them), each prefixed with its
  syslog priority (``<3>``) so ``journalctl -p err`` filters correctly.
- Otherwise they go to ``<data dir>/begleiter.log`` (rotated at 512 kB, three
  old files kept), created with mode 0600 like every file of the person.
- What the person said or wrote never reaches a log unless debugging was
  switched on explicitly (``setup_logging(..., debug=True)`` or
  ``BEGLEITER_DEBUG=1``): every module logs such text through :func:`redact`.
"""

from __future__ import annotations

import logging
import logging.handlers
import os
import sys
from pathlib import Path
from typing import Any

from assistant.config import Settings

LOG_FILE = "begleiter.log"
MAX_BYTES = 512 * 1024
BACKUP_COUNT = 3
FILE_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
JOURNAL_FORMAT = "%(priority_prefix)s%(name)s: %(message)s"
_SYSLOG_PRIORITY = {logging.DEBUG: 7, logging.INFO: 6, logging.WARNING: 4,
                    logging.ERROR: 3, logging.CRITICAL: 2}
_HANDLER_TAG = "_begleiter_handler"
_debug = {"on": False}


def debug_enabled() -> bool:
    """True when content may be logged: set by :func:`setup_logging` or ``BEGLEITER_DEBUG=1``."""
    return _debug["on"] or os.environ.get("BEGLEITER_DEBUG", "") == "1"


def redact(text: Any) -> str:
    """``text`` itself in debug mode, else only its length (utterances, journal entries)."""
    value = str(text)
    if debug_enabled():
        return value
    return f"<redacted: {len(value)} chars>" if value else "<empty>"


def under_systemd() -> bool:
    """True when stderr is connected to the journal by systemd."""
    return bool(os.environ.get("INVOCATION_ID") or os.environ.get("JOURNAL_STREAM"))


class _PriorityFilter(logging.Filter):
    """Adds ``priority_prefix`` (``<N>``) so journald assigns the right level."""

    def filter(self, record: logging.LogRecord) -> bool:
        level = max((lvl for lvl in _SYSLOG_PRIORITY if lvl <= record.levelno), default=logging.DEBUG)
        record.priority_prefix = f"<{_SYSLOG_PRIORITY[level]}>"
        return True


class PrivateRotatingFileHandler(logging.handlers.RotatingFileHandler):
    """A rotating log file whose every generation is created with mode 0600."""

    def _open(self):  # type: ignore[no-untyped-def]
        descriptor = os.open(self.baseFilename, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        os.chmod(self.baseFilename, 0o600)
        return os.fdopen(descriptor, self.mode.replace("w", "a"), encoding=self.encoding,
                         errors=self.errors)


def _journal_handler() -> logging.Handler:
    handler = logging.StreamHandler(sys.stderr)
    handler.addFilter(_PriorityFilter())
    handler.setFormatter(logging.Formatter(JOURNAL_FORMAT))
    return handler


def _file_handler(data_dir: Path) -> logging.Handler:
    data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    handler = PrivateRotatingFileHandler(data_dir / LOG_FILE, maxBytes=MAX_BYTES,
                                         backupCount=BACKUP_COUNT, encoding="utf-8")
    handler.setFormatter(logging.Formatter(FILE_FORMAT))
    return handler


def setup_logging(settings: Settings, debug: bool = False) -> logging.Handler:
    """Configure the root logger once per process (a second call replaces our handler).

    Returns the handler in use. ``debug`` lowers the level to DEBUG and lets
    :func:`redact` pass content through.
    """
    _debug["on"] = debug or os.environ.get("BEGLEITER_DEBUG", "") == "1"
    root = logging.getLogger()
    for old in [h for h in root.handlers if getattr(h, _HANDLER_TAG, False)]:
        root.removeHandler(old)
        old.close()
    try:
        handler = _journal_handler() if under_systemd() else _file_handler(settings.data_dir)
    except OSError:
        handler = logging.NullHandler()  # an unwritable data dir is reported elsewhere
    setattr(handler, _HANDLER_TAG, True)
    root.addHandler(handler)
    root.setLevel(logging.DEBUG if _debug["on"] else logging.INFO)
    return handler
