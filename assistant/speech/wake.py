"""Activation: a wake phrase heard through a grammar-restricted recogniser, or
push-to-talk (Enter in the terminal)."""

from __future__ import annotations

import os
import select
import sys
import threading
from typing import BinaryIO

from assistant.nlu.normalize import fold
from assistant.speech.stt import UNKNOWN


class WakePhrase:
    """The wake phrase, its recogniser grammar and the test whether it was said."""

    def __init__(self, phrase: str) -> None:
        self.phrase = " ".join(phrase.lower().split())
        self._words = fold(self.phrase).split()

    @property
    def grammar(self) -> list[str]:
        """Only the wake phrase and ``[unk]``: everything else becomes ``[unk]``."""
        return [self.phrase, UNKNOWN]

    def heard_in(self, text: str) -> bool:
        """True when every word of the phrase occurs, in order, in ``text``."""
        words = iter(fold(text).split())
        return bool(self._words) and all(word in words for word in self._words)


class PushToTalk:
    """Reads stdin on a thread; each Enter is one activation, end of input closes it.

    It reads the raw file descriptor with ``select`` and ``os.read`` (never the buffered
    ``sys.stdin``), so a pending read cannot block the interpreter's shutdown.
    """

    def __init__(self, source: BinaryIO | None = None) -> None:
        self._source = source or sys.stdin.buffer  # kept open as long as we read it
        self._fd = self._source.fileno()
        self._pressed = threading.Event()
        self.closed = threading.Event()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._read, name="push-to-talk", daemon=True)
        self._thread.start()

    def _read(self) -> None:
        while not self._stop.is_set():
            ready, _, _ = select.select([self._fd], [], [], 0.2)
            if not ready:
                continue
            data = os.read(self._fd, 1024)
            if not data:
                self.closed.set()
                self._pressed.set()
                return
            if b"\n" in data:
                self._pressed.set()

    def wait(self, timeout: float) -> bool:
        """True when Enter was pressed within ``timeout`` seconds (consumes the press)."""
        if self._pressed.wait(timeout) and not self.closed.is_set():
            self._pressed.clear()
            return True
        return False

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=1)
