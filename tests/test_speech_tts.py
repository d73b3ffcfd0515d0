"""Speech out: real espeak-ng synthesis through pyttsx3, sentence splitting, `say --wav`."""

from __future__ import annotations

import array
import threading
import time
import unicodedata
from pathlib import Path

import pytest

from assistant.speech.tts import TTS_RATE, Speaker, Synthesizer, normalise, split_sentences
from tests.conftest import run_cli
from tests.helpers_audio import IdlePlayer, read_wav, rms


@pytest.fixture(scope="module")
def synthesizer() -> Synthesizer:
    return Synthesizer(rate=165, volume=0.9)


def test_split_sentences_keeps_each_sentence_whole() -> None:
    assert split_sentences("Hallo. Wie geht es dir? Gut!  Schön…  ja") == \
        ["Hallo.", "Wie geht es dir?", "Gut!", "Schön…", "ja"]
    assert split_sentences("   ") == []


def test_text_is_nfc_normalised_before_synthesis(synthesizer: Synthesizer,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    composed = "Grüße aus München, schöne Übungen für ängstliche Tage."
    decomposed = unicodedata.normalize("NFD", composed)
    assert decomposed != composed and normalise(decomposed) == composed
    handed: list[str] = []
    engine = synthesizer._engine
    real_save = engine.save_to_file
    monkeypatch.setattr(engine, "save_to_file", lambda text, path: (handed.append(text), real_save(text, path)))
    pcm = synthesizer.synthesize(decomposed + "\x01" + "999S")    # control characters are dropped too
    assert composed in handed[0] and handed[0].count("\x01") == 2   # only our rate and volume
    assert rms(array.array("h", pcm)) > 300


def test_rate_and_volume_apply_to_every_synthesis(synthesizer: Synthesizer) -> None:
    text = "Heute ist ein ruhiger Tag."
    measured = []
    for rate, volume in ((120, 1.0), (240, 1.0), (120, 0.3), (240, 0.3)):
        synthesizer.set_rate(rate)
        synthesizer.set_volume(volume)
        pcm = synthesizer.synthesize(text)
        measured.append((len(pcm), rms(array.array("h", pcm))))
    synthesizer.set_rate(165)
    synthesizer.set_volume(0.9)
    (slow_loud, _), (fast_loud, loud), (slow_quiet, quiet), (fast_quiet, _) = measured
    assert slow_loud > 1.5 * fast_loud and slow_quiet > 1.5 * fast_quiet   # rate changes both ways
    assert loud > 2 * quiet                                                # and so does volume


def test_say_wav_writes_real_german_speech(tmp_path: Path) -> None:
    short, long = tmp_path / "short.wav", tmp_path / "long.wav"
    proc = run_cli("say", "Hallo.", "--wav", str(short))
    assert proc.returncode == 0, proc.stderr
    proc = run_cli("say", "Schön, dass du da bist. Wie geht es dir heute? Ich höre dir gern zu.",
                   "--wav", str(long))
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == ""                         # pyttsx3's "Audio saved" print is silenced
    rate, samples = read_wav(long)
    assert rate == TTS_RATE
    seconds = len(samples) / rate
    assert 2.5 < seconds < 12
    assert rms(samples) > 300                        # speech, not silence
    assert len(read_wav(short)[1]) * 3 < len(samples)


def test_say_reports_bad_input_in_german(tmp_path: Path) -> None:
    proc = run_cli("say", "Hallo", "--wav", str(tmp_path / "fehlt" / "x.wav"))
    assert proc.returncode == 2
    assert "gibt es nicht" in proc.stderr and "Traceback" not in proc.stderr


class CollectingPlayer(IdlePlayer):
    """Records what would be played; plays each clip in 0.2 s (the device edge)."""

    def __init__(self) -> None:
        super().__init__()
        self.clips: list[tuple[float, int]] = []
        self.stopped = 0

    def play(self, pcm: bytes, on_start=None) -> None:
        self.clips.append((time.monotonic(), len(pcm)))
        if on_start:
            on_start(time.monotonic())
        self._idle.clear()
        threading.Timer(0.2 * len(self.clips), self._idle.set).start()

    def stop(self) -> None:
        self.stopped += 1
        self._idle.set()


def test_speaker_plays_sentence_by_sentence_and_stops() -> None:
    player = CollectingPlayer()
    speaker = Speaker(player)
    try:
        job = speaker.say("Erster Satz. Zweiter Satz! Dritter Satz?")
        assert job.done.wait(10)
        assert len(player.clips) == 3                # one clip per sentence
        assert job.first_sample_at is not None and not job.stopped
        assert job.first_sample_at - job.asked_at < 0.5
        long = speaker.say(" ".join(f"Satz Nummer {n}." for n in range(40)))
        time.sleep(0.15)
        speaker.stop()
        assert long.done.wait(2) and long.stopped
        assert len(player.clips) < 3 + 40
    finally:
        speaker.close()


def test_resampling_for_speakers_without_22050_hz() -> None:
    from assistant.speech.audio import resample
    ramp = array.array("h", range(0, 2000, 10))                   # 200 samples
    doubled = array.array("h", resample(ramp.tobytes(), 22050, 44100))
    assert len(doubled) == 400
    assert doubled[0] == 0 and doubled[-1] == 1990 and list(doubled) == sorted(doubled)
    assert resample(ramp.tobytes(), 22050, 22050) == ramp.tobytes()


def test_no_sentence_comes_out_empty_back_to_back(synthesizer: Synthesizer) -> None:
    """pyttsx3's espeak driver sometimes cancels a sentence that follows another at once;
    the synthesizer must notice and synthesise it again (this once lost whole sentences)."""
    lengths = [len(synthesizer.synthesize(f"Das ist Satz Nummer {n}.")) for n in range(40)]
    assert min(lengths) > TTS_RATE * 2 * 0.5                          # every one at least 0.5 s
