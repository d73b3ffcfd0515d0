"""Audio in and out through PortAudio (sounddevice).

:class:`Microphone` keeps one long-lived 16-bit mono ``RawInputStream`` open; its
callback only copies each block into a queue. When 16 kHz is not supported the
device's native rate is used (Vosk's recogniser accepts any rate). A device
that disappears is waited for and re-opened, with one logged notice.

Playback lives in :mod:`assistant.speech.playback`.
"""

from __future__ import annotations

import array
import logging
import queue
import time
from typing import Any, Callable

from assistant.errors import BegleiterError

log = logging.getLogger(__name__)

STT_RATE = 16000
BLOCK_SECONDS = 0.05
REOPEN_WAIT_S = 1.0


class AudioError(BegleiterError):
    """No usable microphone or speaker."""


def _sd() -> Any:
    """Import sounddevice lazily: PortAudio may be missing on a text-only machine."""
    try:
        import sounddevice
    except OSError as error:  # libportaudio2 missing
        raise AudioError(f"Die Audio-Bibliothek PortAudio fehlt ({error}).") from None
    return sounddevice


def find_device(name_part: str, kind: str) -> int | None:
    """The index of the first ``kind`` (``input``/``output``) device whose name contains
    ``name_part`` (case-insensitive); ``None`` (system default) when ``name_part`` is empty."""
    if not name_part:
        return None
    channels = "max_input_channels" if kind == "input" else "max_output_channels"
    for index, device in enumerate(_sd().query_devices()):
        if device[channels] > 0 and name_part.lower() in device["name"].lower():
            return index
    what = "Mikrofon" if kind == "input" else "Lautsprecher"
    raise AudioError(f"Ich finde kein {what}, dessen Name „{name_part}“ enthält.")


def has_input_device() -> bool:
    """True when PortAudio reports at least one input device."""
    try:
        return any(device["max_input_channels"] > 0 for device in _sd().query_devices())
    except Exception:  # no PortAudio, no audio system: no microphone
        return False


def native_rate(device: int | None, kind: str) -> int:
    """The device's own sample rate; German error when there is no such device."""
    try:
        return int(_sd().query_devices(device, kind)["default_samplerate"])
    except Exception:  # PortAudioError: no default device at all
        what = "kein Mikrofon" if kind == "input" else "keinen Lautsprecher"
        raise AudioError(f"Ich finde {what}.") from None


def input_rate(device: int | None) -> int:
    """16 kHz when the device supports it, otherwise its native rate."""
    native = native_rate(device, "input")
    try:
        _sd().check_input_settings(device=device, channels=1, dtype="int16", samplerate=STT_RATE)
        return STT_RATE
    except Exception:
        log.info("microphone does not support %d Hz, recording at %d Hz", STT_RATE, native)
        return native


def output_rate(device: int | None, wanted: int) -> int:
    """``wanted`` when the device plays it, otherwise the device's native rate."""
    native = native_rate(device, "output")
    try:
        _sd().check_output_settings(device=device, channels=1, dtype="int16", samplerate=wanted)
        return wanted
    except Exception:
        return native


def resample(pcm: bytes, source_rate: int, target_rate: int) -> bytes:
    """Linear-interpolation resampling of 16-bit mono PCM (fallback for odd speakers)."""
    if source_rate == target_rate or not pcm:
        return pcm
    samples = array.array("h", pcm)
    count = max(1, len(samples) * target_rate // source_rate)
    step = (len(samples) - 1) / max(1, count - 1)
    out = array.array("h", bytes(2 * count))
    for i in range(count):
        position = i * step
        left = int(position)
        right = min(left + 1, len(samples) - 1)
        fraction = position - left
        out[i] = int(samples[left] * (1 - fraction) + samples[right] * fraction)
    return out.tobytes()


class Microphone:
    """A long-lived input stream whose blocks are read from a queue."""

    def __init__(self, device_name: str = "", on_notice: Callable[[str], None] | None = None) -> None:
        self.device = find_device(device_name, "input")
        self.rate = input_rate(self.device)
        self.overflows = 0
        self._logged_overflows = 0
        self._queue: queue.Queue[bytes] = queue.Queue(maxsize=400)
        self._stream: Any = None
        self._lost = False
        self._on_notice = on_notice
        self._closed = False
        self._retry_at = 0.0

    def _callback(self, indata: Any, frames: int, timing: Any, status: Any) -> None:
        if status.input_overflow:
            self.overflows += 1
        try:
            self._queue.put_nowait(bytes(indata))
        except queue.Full:  # nobody is reading (push-to-talk idle): keep the newest audio
            try:
                self._queue.get_nowait()
            except queue.Empty:
                pass
            self._queue.put_nowait(bytes(indata))

    def open(self) -> None:
        sd = _sd()
        self._stream = sd.RawInputStream(samplerate=self.rate, blocksize=int(self.rate * BLOCK_SECONDS),
                                         device=self.device, channels=1, dtype="int16",
                                         callback=self._callback, latency="low")
        self._stream.start()

    def read(self, timeout: float) -> bytes | None:
        """The next block of audio, or ``None`` when none came within ``timeout``."""
        if self._stream is None or not self._stream.active:
            if time.monotonic() >= self._retry_at:
                self._recover()
            if self._stream is None:
                time.sleep(max(0.0, min(timeout, self._retry_at - time.monotonic())))
                return None
        try:
            block = self._queue.get(timeout=timeout)
        except queue.Empty:
            return None
        if self.overflows != self._logged_overflows:
            self._logged_overflows = self.overflows
            log.warning("microphone overflow (%d blocks lost so far)", self.overflows)
        return block

    def drain(self) -> None:
        """Throw away everything recorded so far (used after our own playback)."""
        while True:
            try:
                self._queue.get_nowait()
            except queue.Empty:
                return

    def start(self) -> None:
        """Open the stream; when the device cannot be used now, :meth:`read` keeps trying."""
        try:
            self.open()
        except Exception as error:  # PortAudioError and friends: wait for the device
            self._stream = None
            self._retry_at = time.monotonic() + REOPEN_WAIT_S
            self._announce_lost(error)

    def _announce_lost(self, error: object = "stream stopped") -> None:
        if not self._lost:
            self._lost = True
            log.warning("microphone not available (%s), waiting for it", error)
            if self._on_notice:
                self._on_notice("speech.mic_lost")

    def _recover(self) -> None:
        if self._closed:
            return
        self._announce_lost()
        self._close_stream()
        try:
            self.open()
        except Exception:
            self._stream = None
            self._retry_at = time.monotonic() + REOPEN_WAIT_S
            return
        log.warning("microphone is back")
        self._lost = False

    def _close_stream(self) -> None:
        if self._stream is not None:
            try:
                self._stream.close(ignore_errors=True)
            except Exception:
                pass
            self._stream = None

    def close(self) -> None:
        self._closed = True
        self._close_stream()
