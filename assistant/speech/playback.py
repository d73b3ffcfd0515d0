"""Audio out: one long-lived output stream that plays queued PCM through its callback,
so we know exactly when the first sample leaves and can stop within one block.

A speaker that disappears is re-opened (at most once a second, one logged notice);
meanwhile nothing waits for audio that cannot play.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass
from typing import Any, Callable

from assistant.speech.audio import REOPEN_WAIT_S, AudioError, _sd, find_device, output_rate, resample

log = logging.getLogger(__name__)


@dataclass
class _Clip:
    """One buffer to play, and whom to tell when its first sample leaves."""

    pcm: bytes
    on_start: Callable[[float], None] | None
    position: int = 0


class Playback:
    """One output stream that plays queued 16-bit mono buffers; stoppable at once."""

    def __init__(self, rate: int, device_name: str = "") -> None:
        self.device = find_device(device_name, "output")
        self.source_rate = rate
        self.rate = output_rate(self.device, rate)
        self._clips: list[_Clip] = []
        self._lock = threading.Lock()
        self._idle = threading.Event()
        self._idle.set()
        self._lost = False
        self._retry_at = 0.0
        try:
            self._stream = self._open()
        except Exception as error:  # PortAudioError: device busy, missing or broken
            raise AudioError(f"Der Lautsprecher lässt sich nicht öffnen ({error}).") from None
        self.latency = float(self._stream.latency)

    def _open(self) -> Any:
        stream = _sd().RawOutputStream(samplerate=self.rate, blocksize=int(self.rate * 0.02),
                                       device=self.device, channels=1, dtype="int16",
                                       callback=self._callback, latency="low")
        stream.start()
        return stream

    def _usable(self) -> bool:
        """True when the stream runs; otherwise drop what is queued (nothing can play it)
        and try to re-open it, at most once a second, with one logged notice."""
        if self._stream is not None and self._stream.active:
            return True
        self.stop()
        if not self._lost:
            self._lost = True
            log.warning("speaker lost, waiting for it to come back")
        if time.monotonic() >= self._retry_at:
            self._retry_at = time.monotonic() + REOPEN_WAIT_S
            if self._stream is not None:
                self._stream.close(ignore_errors=True)
                self._stream = None
            try:
                self._stream = self._open()
            except Exception:
                return False
            log.warning("speaker is back")
            self._lost = False
            return True
        return False

    def _callback(self, outdata: Any, frames: int, timing: Any, status: Any) -> None:
        needed = len(outdata)
        filled = 0
        with self._lock:
            while filled < needed and self._clips:
                clip = self._clips[0]
                if clip.position == 0 and clip.on_start:
                    clip.on_start(time.monotonic() + self.latency)
                chunk = clip.pcm[clip.position:clip.position + needed - filled]
                outdata[filled:filled + len(chunk)] = chunk
                filled += len(chunk)
                clip.position += len(chunk)
                if clip.position >= len(clip.pcm):
                    self._clips.pop(0)
            if filled < needed:
                outdata[filled:needed] = bytes(needed - filled)
            if not self._clips:
                self._idle.set()

    def play(self, pcm: bytes, on_start: Callable[[float], None] | None = None) -> None:
        """Queue a buffer (at the synthesiser's rate); ``on_start`` gets the time its first
        sample reaches the speaker (``time.monotonic`` plus the stream's output latency)."""
        if not self._usable():
            return
        pcm = resample(pcm, self.source_rate, self.rate)
        with self._lock:
            self._clips.append(_Clip(pcm, on_start))
            self._idle.clear()

    def stop(self) -> None:
        """Drop everything queued; silence follows within one block (20 ms)."""
        with self._lock:
            self._clips.clear()
            self._idle.set()

    @property
    def playing(self) -> bool:
        return not self._idle.is_set()

    def wait(self, timeout: float | None = None) -> bool:
        """Wait until everything queued has been played (or can never be); False on timeout."""
        if self._idle.wait(timeout):
            return True
        return not self._usable()

    def close(self) -> None:
        """Let the samples already handed to the device play out, then close."""
        self.stop()
        if self._stream is not None:
            try:
                self._stream.stop(ignore_errors=True)  # waits for the device's buffers
                self._stream.close(ignore_errors=True)
            except Exception:
                pass
