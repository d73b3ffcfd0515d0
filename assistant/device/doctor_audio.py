"""Microphone and speaker checks of ``begleiter doctor`` (real devices, PortAudio).

The microphone check records one second and reports its level in plain
words; the speaker check plays a short, soft tone. Both use the devices the
voice loop would use (``speech.input_device`` / ``speech.output_device``), and
both run in a child process (:func:`run_probe`).
"""

from __future__ import annotations

import array
import json
import math
import subprocess
import sys
from dataclasses import dataclass
from typing import Any, Callable

from assistant.config import Settings
from assistant.device.doctor_checks import CheckResult, Texts

RECORD_SECONDS = 1.0
TONE_SECONDS = 0.4
TONE_HZ = 660.0
TONE_AMPLITUDE = 0.25
SILENT_DBFS = -60.0
QUIET_DBFS = -42.0
CLIPPING_PEAK = 32000
PROBE_TIMEOUT_S = 15.0


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


def probe(kind: str, name_part: str, seconds: float,
          emit: Callable[[dict[str, Any]], None] = lambda result: None) -> dict[str, Any]:
    """Record from (``input``) or play a tone on (``output``) a device; a plain dict result.

    ``emit`` receives the result as soon as it is known, before the stream is
    closed, so a crash while PortAudio tears down cannot hide a working device.
    """
    sd = _sounddevice()
    if sd is None:
        return {"state": "no_portaudio"}
    try:
        index, device_name = _device(sd, name_part, kind)
    except LookupError as missing:
        return {"state": str(missing)}
    try:
        rate = int(sd.query_devices(index, kind)["default_samplerate"])
        if kind == "input":
            with sd.RawInputStream(samplerate=rate, device=index, channels=1, dtype="int16") as stream:
                pcm, _overflowed = stream.read(int(rate * seconds))
                level = measure_level(bytes(pcm))
                result = {"state": "ok", "device": device_name, "rate": rate,
                          "rms_dbfs": level.rms_dbfs, "peak": level.peak}
                emit(result)
            return result
        with sd.RawOutputStream(samplerate=rate, device=index, channels=1, dtype="int16") as stream:
            stream.write(tone(rate, seconds))
            result = {"state": "ok", "device": device_name, "rate": rate}
            emit(result)
        return result
    except Exception as error:  # PortAudioError and friends
        return {"state": "failed", "error": (str(error).splitlines() or [type(error).__name__])[0][:80]}


def _probe_once(kind: str, name_part: str, seconds: float) -> dict[str, Any]:
    command = [sys.executable, "-m", "assistant.device.doctor_audio", kind, name_part, str(seconds)]
    try:
        proc = subprocess.run(command, capture_output=True, text=True, timeout=PROBE_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        return {"state": "failed", "error": f"timeout {PROBE_TIMEOUT_S:.0f} s"}
    results = [line for line in proc.stdout.splitlines() if line.startswith("{")]
    if results:  # measured; a crash afterwards (tearing down PortAudio) does not matter
        return json.loads(results[0])
    if proc.returncode < 0:
        return {"state": "crashed", "error": f"Signal {-proc.returncode}"}
    return {"state": "failed", "error": f"PortAudio exit {proc.returncode}"}


def run_probe(kind: str, name_part: str, seconds: float) -> dict[str, Any]:
    """:func:`probe` in a child process: a broken ALSA set-up can abort PortAudio, and
    must not take the doctor down with it; the child also sees the current devices.
    A crash is tried once more before it is reported (sound servers hiccup under load)."""
    found = _probe_once(kind, name_part, seconds)
    if found["state"] == "crashed":
        found = _probe_once(kind, name_part, seconds)
    return found


def check_microphone(settings: Settings, texts: Texts, seconds: float = RECORD_SECONDS) -> CheckResult:
    """Record ``seconds`` from the microphone and describe the level."""
    name = settings.speech.input_device
    found = run_probe("input", name, seconds)
    state = found.pop("state")
    if state != "ok":
        return texts.result("microphone", True, state, name=name, error=found.get("error", ""))
    level = Level(found["rms_dbfs"], found["peak"])
    return texts.result("microphone", True, "ok", ok=True, device=found["device"],
                        level=texts(f"level.{level.words_key}"), data=found)


def check_speaker(settings: Settings, texts: Texts) -> CheckResult:
    """Play a short tone on the speaker."""
    name = settings.speech.output_device
    found = run_probe("output", name, TONE_SECONDS)
    state = found.pop("state")
    if state != "ok":
        return texts.result("speaker", True, state, name=name, error=found.get("error", ""))
    return texts.result("speaker", True, "ok", ok=True, device=found["device"], data=found)


def _child_main(argv: list[str]) -> None:
    """The child process of :func:`run_probe`: print the result as one JSON line."""
    emitted: list[dict[str, Any]] = []

    def emit(result: dict[str, Any]) -> None:
        emitted.append(result)
        print(json.dumps(result), flush=True)

    outcome = probe(argv[0], argv[1], float(argv[2]), emit)
    if not emitted:
        print(json.dumps(outcome), flush=True)


if __name__ == "__main__":
    _child_main(sys.argv[1:])
