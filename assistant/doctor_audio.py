"""Microphone and speaker checks of ``begleiter doctor`` (real devices, PortAudio).

The microphone check records one second and reports its level in plain
words; the speaker check plays a short, soft tone. Both use the devices the
voice loop would use (``speech.input_device`` / ``speech.output_device``).
"""

from __future__ import annotations

import array
import math
from dataclasses import dataclass
from typing import Any

from assistant.config import Settings
from assistant.doctor_checks import CheckResult, Texts

RECORD_SECONDS = 1.0
TONE_SECONDS = 0.4
TONE_HZ = 660.0
TONE_AMPLITUDE = 0.25
SILENT_DBFS = -60.0
QUIET_DBFS = -42.0
CLIPPING_PEAK = 32000


@dataclass(frozen=True)
class Level:
    """The loudness of a recording."""

    rms_dbfs: float
    """Root mean square level in dB relative to full scale (-inf .. 0)."""
    peak: int
    """Largest absolute sample (0 .. 32768)."""

    @property
    def words_key(self) -> str:
        """The ``doctor.level.*`` key describing it in plain words."""
        if self.peak >= CLIPPING_PEAK:
            return "loud"
        if self.rms_dbfs < SILENT_DBFS:
            return "silent"
        if self.rms_dbfs < QUIET_DBFS:
            return "quiet"
        return "good"


def measure_level(pcm: bytes) -> Level:
    """RMS (dBFS) and peak of 16-bit mono PCM."""
    samples = array.array("h", pcm[: len(pcm) // 2 * 2])
    if not samples:
        return Level(float("-inf"), 0)
    power = sum(s * s for s in samples) / len(samples)
    rms = math.sqrt(power)
    dbfs = 20 * math.log10(rms / 32768) if rms > 0 else float("-inf")
    return Level(dbfs, max(abs(s) for s in samples))


def tone(rate: int, seconds: float = TONE_SECONDS, hz: float = TONE_HZ) -> bytes:
    """A soft sine tone with short fades (16-bit mono PCM)."""
    count = int(rate * seconds)
    fade = max(1, int(rate * 0.02))
    samples = array.array("h", bytes(2 * count))
    for i in range(count):
        envelope = min(1.0, i / fade, (count - 1 - i) / fade)
        samples[i] = int(32767 * TONE_AMPLITUDE * envelope * math.sin(2 * math.pi * hz * i / rate))
    return samples.tobytes()


def _sounddevice() -> Any | None:
    try:
        import sounddevice
    except OSError:  # libportaudio2 missing
        return None
    return sounddevice


def _device(sd: Any, name_part: str, kind: str) -> tuple[int | None, str]:
    """``(index, name)`` of the device to use; raises LookupError when none fits."""
    channels = "max_input_channels" if kind == "input" else "max_output_channels"
    devices = list(sd.query_devices())
    if not any(d[channels] > 0 for d in devices):
        raise LookupError("none")
    if name_part:
        for index, device in enumerate(devices):
            if device[channels] > 0 and name_part.lower() in device["name"].lower():
                return index, device["name"]
        raise LookupError("not_found")
    try:
        return None, sd.query_devices(kind=kind)["name"]
    except Exception:  # no default device although devices exist
        raise LookupError("none") from None


def check_microphone(settings: Settings, texts: Texts, seconds: float = RECORD_SECONDS) -> CheckResult:
    """Record ``seconds`` from the microphone and describe the level."""
    sd = _sounddevice()
    if sd is None:
        return texts.result("microphone", True, "no_portaudio")
    name = settings.speech.input_device
    try:
        index, device_name = _device(sd, name, "input")
    except LookupError as missing:
        return texts.result("microphone", True, str(missing), name=name)
    try:
        rate = int(sd.query_devices(index, "input")["default_samplerate"])
        with sd.RawInputStream(samplerate=rate, device=index, channels=1, dtype="int16") as stream:
            pcm, _overflowed = stream.read(int(rate * seconds))
    except Exception as error:  # PortAudioError and friends
        return texts.result("microphone", True, "failed", error=str(error).splitlines()[0][:80])
    level = measure_level(bytes(pcm))
    return texts.result("microphone", True, "ok", ok=True, device=device_name,
                        level=texts(f"level.{level.words_key}"),
                        data={"rms_dbfs": level.rms_dbfs, "peak": level.peak, "rate": rate})


def check_speaker(settings: Settings, texts: Texts) -> CheckResult:
    """Play a short tone on the speaker."""
    sd = _sounddevice()
    if sd is None:
        return texts.result("speaker", True, "no_portaudio")
    name = settings.speech.output_device
    try:
        index, device_name = _device(sd, name, "output")
    except LookupError as missing:
        return texts.result("speaker", True, str(missing), name=name)
    try:
        rate = int(sd.query_devices(index, "output")["default_samplerate"])
        with sd.RawOutputStream(samplerate=rate, device=index, channels=1, dtype="int16") as stream:
            stream.write(tone(rate))
    except Exception as error:  # PortAudioError and friends
        return texts.result("speaker", True, "failed", error=str(error).splitlines()[0][:80])
    return texts.result("speaker", True, "ok", ok=True, device=device_name, data={"rate": rate})
