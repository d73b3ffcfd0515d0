"""Real devices: a private PulseAudio server gives PortAudio a default microphone (fed from
WAV files) and a default speaker (a null sink recorded through its monitor).

Everything runs in child processes that get the server's environment, so
PortAudio starts fresh and sees exactly this server.
"""

from __future__ import annotations

import array
import queue
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Iterator

import pytest

from tests.conftest import ROOT
from tests.helpers_audio import (NO_MODEL_REASON, PulseServer, espeak_wav, pulse_fixture, rms,
                                 start_pulse, vosk_test_model)

pytestmark = pytest.mark.slow

@pytest.fixture(scope="module")
def pulse(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PulseServer]:
    yield from pulse_fixture(tmp_path_factory)


def _python(pulse: PulseServer, code: str, **kwargs) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-c", code], env=pulse.env, cwd=ROOT, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, **kwargs)


MIC_PROBE = """
import array, logging, sys, time
logging.basicConfig(level=logging.INFO, stream=sys.stderr)
from assistant.speech.audio import Microphone
mic = Microphone("PULSE", on_notice=lambda key: print("notice", key, flush=True))  # by name part
mic.start()

def blocks(wanted, seconds, loud=False):
    got, end = 0, time.monotonic() + seconds
    while got < wanted and time.monotonic() < end:
        block = mic.read(0.1)
        if block is not None and (not loud or max(map(abs, array.array("h", block))) > 1000):
            got += 1
    return got

print("rate", mic.rate, "flowing", blocks(5, 10), flush=True)
print("speech", blocks(5, 10, loud=True), flush=True)
sys.stdin.readline()   # the test has stopped the sound server
mic.drain()
print("back", blocks(5, 20), flush=True)
mic.close()
"""


def test_microphone_hears_speech_and_is_reopened_when_it_disappears(tmp_path: Path) -> None:
    """The long-lived input stream at 16 kHz reads the virtual source; when the sound
    server dies (an unplugged USB microphone) it waits, says so once, and re-opens."""
    try:
        server = start_pulse(tmp_path / "pulse")
    except (RuntimeError, OSError, subprocess.SubprocessError) as error:
        pytest.skip(f"no PulseAudio server for device tests: {error}")
    speech = espeak_wav("Hallo Mikrofon, eins zwei drei.", tmp_path / "mic.wav")
    probe = _python(server, MIC_PROBE, stdin=subprocess.PIPE)
    try:
        assert probe.stdout.readline().split() == ["rate", "16000", "flowing", "5"]
        server.feed_mic(speech).wait(timeout=10)
        assert probe.stdout.readline().split() == ["speech", "5"]     # speech blocks arrived
        server.stop()                                                 # the device is gone ...
        probe.stdin.write("gone\n")
        probe.stdin.flush()
        assert probe.stdout.readline().split() == ["notice", "speech.mic_lost"]
        server = start_pulse(tmp_path / "pulse")                      # ... and comes back
        out, err = probe.communicate(timeout=30)
    finally:
        server.stop()
        if probe.poll() is None:
            probe.kill()
    assert out.split() == ["back", "5"], err
    assert err.count("microphone not available") == 1                # one notice, not one per retry
    assert err.count("microphone is back") == 1


def test_speech_ends_instead_of_hanging_when_the_speaker_disappears(tmp_path: Path) -> None:
    try:
        server = start_pulse(tmp_path / "pulse")
    except (RuntimeError, OSError, subprocess.SubprocessError) as error:
        pytest.skip(f"no PulseAudio server for device tests: {error}")
    long_text = " ".join(["Das ist ein langer Satz, der eine ganze Weile dauert."] * 8)   # about 25 s
    say = subprocess.Popen([sys.executable, "-m", "assistant", "say", long_text], env=server.env, cwd=ROOT,
                           text=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        time.sleep(1.2)
        server.stop()                                          # the speaker is unplugged
        stopped = time.monotonic()
        out, err = say.communicate(timeout=20)
    finally:
        if say.poll() is None:
            say.kill()
    assert time.monotonic() - stopped < 8, err                 # not the 25 s of the whole text
    assert say.returncode == 0, err
    assert err.count("speaker lost") == 1


def _record(pulse: PulseServer, tmp_path: Path) -> tuple[subprocess.Popen, Path]:
    raw = tmp_path / "out.raw"
    recorder = pulse.record_output(raw)
    time.sleep(0.3)
    return recorder, raw


def _stop_recording(recorder: subprocess.Popen, raw: Path) -> array.array:
    time.sleep(0.3)
    recorder.terminate()
    recorder.wait(timeout=5)
    data = raw.read_bytes()
    return array.array("h", data[:len(data) // 2 * 2])


def test_say_plays_through_the_default_speaker(pulse: PulseServer, tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text("[speech]\nrate = 300\n", encoding="utf-8")
    recorder, raw = _record(pulse, tmp_path)
    proc = subprocess.run([sys.executable, "-m", "assistant", "say", "--config", str(config),
                           "Guten Morgen, schön dass du da bist."],
                          env=pulse.env, cwd=ROOT, capture_output=True, text=True, timeout=30)
    samples = _stop_recording(recorder, raw)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == ""
    loud = [s for s in samples if abs(s) > 500]
    assert len(loud) > 16000 * 0.3                                  # at least 0.3 s of speech
    assert rms(samples) > 100


def _lines(stream) -> "queue.Queue[str]":
    lines: queue.Queue[str] = queue.Queue()
    threading.Thread(target=lambda: [lines.put(line) for line in stream], daemon=True).start()
    return lines


class SinkWatcher:
    """Follows the recording of the speaker sink, 100 ms at a time."""

    def __init__(self, raw: Path) -> None:
        self.raw = raw
        self.offset = 0
        self.chunks: list[int] = []          # loudest sample of each 100 ms

    def _update(self) -> None:
        data = self.raw.read_bytes() if self.raw.exists() else b""
        usable = (len(data) - self.offset) // 3200 * 3200
        fresh = array.array("h", data[self.offset:self.offset + usable])
        self.offset += usable
        self.chunks += [max(map(abs, fresh[i:i + 1600])) for i in range(0, len(fresh), 1600)]

    def wait_until_quiet_after_speech(self, timeout: float = 20.0) -> bool:
        """Wait for our voice, then 0.4 s of silence (it has finished speaking)."""
        start, deadline = len(self.chunks), time.monotonic() + timeout
        while time.monotonic() < deadline:
            self._update()
            recent = self.chunks[start:]
            loud = [i for i, peak in enumerate(recent) if peak > 500]
            if loud and len(recent) - loud[-1] > 4:
                time.sleep(0.2)              # the microphone hold-off after our speech
                return True
            time.sleep(0.1)
        return False

    def wait_for_speech(self, loud_seconds: float, timeout: float = 10.0) -> bool:
        """Wait until the sink has carried ``loud_seconds`` of speech in all."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.loud_seconds() >= loud_seconds:
                return True
            time.sleep(0.1)
        return False

    def loud_seconds(self) -> float:
        self._update()
        return sum(peak > 500 for peak in self.chunks) / 10


def _first_line(lines: "queue.Queue[str]", errors: Path) -> str:
    try:
        return lines.get(timeout=30)
    except queue.Empty:
        pytest.fail("run printed nothing: " + errors.read_text(encoding="utf-8")[-2000:])


def _answer_to(pulse: PulseServer, wav: Path, lines: "queue.Queue[str]", tries: int = 5) -> str:
    """Say ``wav`` into the microphone until the program says something (recognising
    espeak-ng's Korean with the Korean model does not always succeed at once)."""
    for _ in range(tries):
        pulse.feed_mic(wav).wait(timeout=10)
        try:
            return lines.get(timeout=4.0)
        except queue.Empty:
            continue
    return ""


def test_run_wakes_hears_and_answers_through_the_speaker(pulse: PulseServer, tmp_path: Path) -> None:
    """`run` with the wake phrase: the real microphone stream, the grammar-restricted wake
    recogniser, free recognition, the engine, espeak-ng and playback into the sink."""
    model = vosk_test_model()
    if model is None:
        pytest.skip(NO_MODEL_REASON)
    config = tmp_path / "config.toml"
    # The Korean test model knows no German words, so the wake phrase is a Korean one here.
    config.write_text(f'[speech]\nmodel_dir = "{model}"\nwake_phrase = "안녕하세요"\n'
                      'listen_timeout_s = 8.0\nrate = 400\n', encoding="utf-8")
    utterance = espeak_wav("안녕하세요", tmp_path / "ko.wav", voice="ko")
    errors = (tmp_path / "stderr.txt").open("w+", encoding="utf-8")
    recorder, raw = _record(pulse, tmp_path)
    sink = SinkWatcher(raw)
    run = subprocess.Popen([sys.executable, "-m", "assistant", "run", "--config", str(config),
                            "--data-dir", str(tmp_path / "data")], env=pulse.env, cwd=ROOT, text=True,
                           stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=errors)
    lines = _lines(run.stdout)
    said: list[str] = []
    try:
        said.append(_first_line(lines, tmp_path / "stderr.txt"))   # "ready"
        for _ in range(2):                   # the wake phrase, then an utterance to answer
            assert sink.wait_until_quiet_after_speech(), said
            said.append(_answer_to(pulse, utterance, lines))
        before = sink.loud_seconds()
        assert sink.wait_for_speech(before + 0.5), said           # the answer is being spoken
        run.send_signal(signal.SIGINT)                       # Ctrl+C ends the loop cleanly
        run.wait(timeout=30)
        err = (tmp_path / "stderr.txt").read_text(encoding="utf-8")
    finally:
        if run.poll() is None:
            run.kill()
        _stop_recording(recorder, raw)
    assert run.returncode == 0, err
    ready, welcome, answer = said
    assert "안녕하세요" in ready
    assert welcome.strip() and answer.strip() and answer != welcome
    log_file = tmp_path / "data" / "begleiter.log"
    logged = err + (log_file.read_text(encoding="utf-8") if log_file.exists() else "")
    assert "final -> first audio" in logged
    assert "missing from the model's vocabulary" in logged          # German words, Korean model
    assert sink.loud_seconds() > 2.0                                # our voice reached the speaker


def test_no_subcommand_chooses_the_voice_loop_when_model_and_microphone_exist(pulse: PulseServer,
                                                                               tmp_path: Path) -> None:
    """With a microphone and a model folder, `begleiter` goes the voice way (`run`), not the
    chat: here the folder only looks like a model, so loading it fails with `run`'s error."""
    fake = tmp_path / "model"
    (fake / "am").mkdir(parents=True)
    (fake / "conf").mkdir()
    config = tmp_path / "config.toml"
    config.write_text(f'[speech]\nmodel_dir = "{fake}"\n', encoding="utf-8")
    proc = subprocess.run([sys.executable, "-m", "assistant", "--config", str(config),
                           "--data-dir", str(tmp_path / "data")], env=pulse.env, cwd=ROOT, text=True,
                          input="", capture_output=True, timeout=30)
    assert proc.returncode == 2
    assert proc.stderr.strip().splitlines()[-1] == f"Das Sprachmodell in {fake} lässt sich nicht laden."
    assert proc.stdout == ""                                         # no chat started


def test_chat_speak_prints_and_speaks_the_replies(pulse: PulseServer, tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text("[speech]\nrate = 400\n", encoding="utf-8")
    recorder, raw = _record(pulse, tmp_path)
    proc = subprocess.run([sys.executable, "-m", "assistant", "chat", "--speak", "--config", str(config),
                           "--data-dir", str(tmp_path / "data"), "--seed", "1"], input="tschüss\n",
                          env=pulse.env, cwd=ROOT, capture_output=True, text=True, timeout=60)
    samples = _stop_recording(recorder, raw)
    assert proc.returncode == 0, proc.stderr
    assert len(proc.stdout.splitlines()) >= 2                        # welcome and goodbye as text
    assert len([s for s in samples if abs(s) > 500]) > 16000 * 0.15  # and spoken (goodbye to its end)
