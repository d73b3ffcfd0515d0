"""SIGTERM as a clean shutdown.

systemd stops the service with SIGTERM (``KillSignal=SIGTERM``). Python's
default is to die on the spot, skipping every ``finally`` and ``with`` block,
so the store would not be closed. :func:`install_sigterm_handler` turns the
signal into a :class:`Shutdown` exception raised in the main thread (a
``KeyboardInterrupt`` subclass, so code that already cleans up on Ctrl+C
cleans up on SIGTERM too) and sets :data:`shutdown_requested` for threads
that poll an event instead.

A write that must not be interrupted half-way runs inside :func:`deferred`:
a SIGTERM arriving inside is remembered and raised when the block ends.
"""

from __future__ import annotations

import signal
import threading
from contextlib import contextmanager
from types import FrameType
from typing import Iterator

EXIT_CODE = 128 + signal.SIGTERM
"""The conventional exit code after SIGTERM (143); the unit lists it in SuccessExitStatus."""

shutdown_requested = threading.Event()
"""Set as soon as SIGTERM arrived; worker threads (voice loop) poll it."""

_state = {"depth": 0, "pending": False}


class Shutdown(KeyboardInterrupt):
    """Raised in the main thread when SIGTERM asks the program to stop."""

    exit_code = EXIT_CODE


def _handle(signum: int, frame: FrameType | None) -> None:
    shutdown_requested.set()
    if _state["depth"] > 0:
        _state["pending"] = True
        return
    raise Shutdown()


def install_sigterm_handler() -> None:
    """Make SIGTERM raise :class:`Shutdown` (main thread only; elsewhere a no-op)."""
    if threading.current_thread() is not threading.main_thread():
        return
    shutdown_requested.clear()
    _state.update(depth=0, pending=False)
    signal.signal(signal.SIGTERM, _handle)


@contextmanager
def deferred() -> Iterator[None]:
    """Hold back a SIGTERM until the block is done (for store writes); nests."""
    _state["depth"] += 1
    try:
        yield
    finally:
        _state["depth"] -= 1
        if _state["depth"] == 0 and _state["pending"]:
            _state["pending"] = False
            raise Shutdown()
