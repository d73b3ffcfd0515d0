"""The loop's ears: microphone blocks through a Vosk transcriber into :class:`Heard` events.

This is the boundary the loop tests replace with a scripted source of text
(:class:`~assistant.loop.Ears` is the protocol both fulfil).
"""

from __future__ import annotations

import time
from typing import Sequence

from assistant.speech.audio import Microphone
from assistant.speech.stt import Heard, Transcriber


class MicEars:
    """Real ears: one long-lived microphone stream and one recogniser."""

    def __init__(self, microphone: Microphone, transcriber: Transcriber) -> None:
        self.microphone = microphone
        self.transcriber = transcriber
        self._muted = False
        self._deaf_until = 0.0

    def set_grammar(self, phrases: Sequence[str] | None) -> None:
        self.transcriber.set_grammar(phrases)

    def hear(self, timeout: float) -> Heard | None:
        """The next partial or final within ``timeout`` seconds, else ``None``."""
        deadline = time.monotonic() + timeout
        while (left := deadline - time.monotonic()) > 0:
            block = self.microphone.read(min(left, 0.1))
            if block is None or self._muted or time.monotonic() < self._deaf_until:
                continue
            heard = self.transcriber.accept(block)
            if heard is not None:
                return heard
        return None

    def mute(self) -> None:
        """Ignore the microphone (our own voice is playing and there is no echo cancellation)."""
        self._muted = True

    def unmute(self, holdoff_s: float) -> None:
        """Listen again after ``holdoff_s`` seconds; what was heard meanwhile is dropped."""
        self.microphone.drain()
        self.transcriber.reset()
        self._deaf_until = time.monotonic() + holdoff_s
        self._muted = False

    def close(self) -> None:
        self.microphone.close()
