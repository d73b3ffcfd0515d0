"""Speech out: pyttsx3 with espeak-ng's German voice, synthesised to WAV data.

pyttsx3's own playback hands a temporary file to ``aplay`` and may return
before the speech ends, so we only let it synthesise (``save_to_file``) and
play the samples through our own :class:`~assistant.speech.audio.Playback`.
Text is spoken sentence by sentence: the first sentence plays while the next
is synthesised, and :meth:`Speaker.stop` silences it at once. All pyttsx3 calls
happen on one worker thread (espeak-ng is not thread-safe).
"""

from __future__ import annotations

import logging
import queue
import re
import tempfile
import threading
import time
import unicodedata
import wave
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Protocol

from assistant.errors import BegleiterError
from assistant.speech.spoken import default_speech_text, speech_text

log = logging.getLogger(__name__)

TTS_RATE = 22050
"""pyttsx3's espeak driver always writes 22,050 Hz, 16-bit mono."""
GERMAN_VOICE = "de"
SYNTH_TIMEOUT_S = 20.0
SYNTH_ATTEMPTS = 3
RATE_MIN, RATE_MAX = 80, 400
"""Speaking rates in words per minute (espeak-ng goes to 450; the settings allow 400)."""
_SENTENCE_END = re.compile(r"(?<![0-9]\.)(?<=[.!?…])\s+")
"""A sentence ends at . ! ? or …, but not after a day ("am Freitag, 3. Dezember")."""


class VoiceError(BegleiterError):
    """espeak-ng or its German voice is missing."""


def normalise(text: str) -> str:
    """NFC (espeak-ng mispronounces decomposed umlauts), control characters removed
    (Ctrl-A would start an espeak-ng embedded command)."""
    text = unicodedata.normalize("NFC", text)
    return "".join(" " if unicodedata.category(ch) == "Cc" else ch for ch in text).strip()


def split_sentences(text: str) -> list[str]:
    """The speech text of ``text`` (:mod:`assistant.speech.spoken`: numbers and times as they
    are said), split at sentence ends so the first sentence can play while the next is made."""
    spoken = speech_text(normalise(text))
    return [part for part in _SENTENCE_END.split(spoken) if part.strip()]


class Synthesizer:
    """pyttsx3 + espeak-ng, German voice; use from one thread only."""

    def __init__(self, rate: int = 165, volume: float = 0.9) -> None:
        try:
            import pyttsx3
            import pyttsx3.drivers._espeak as espeak_library
            import pyttsx3.drivers.espeak as espeak_driver
            self._engine = pyttsx3.init("espeak")
            self._espeak = espeak_library
        except Exception as error:  # espeak-ng library missing or broken
            raise VoiceError(f"Die Sprachausgabe espeak-ng lässt sich nicht starten ({error}).") from None
        # The driver prints "Audio saved to ..." on stdout after every file; silence it
        # in that module only (stdout belongs to `chat`).
        espeak_driver.print = lambda *args, **kwargs: None  # type: ignore[attr-defined]
        ids = [voice.id for voice in self._engine.getProperty("voices")]
        if not any(voice_id.split("/")[-1] == GERMAN_VOICE for voice_id in ids):
            raise VoiceError("Die deutsche Stimme von espeak-ng fehlt (Paket espeak-ng-data).")
        self._engine.setProperty("voice", GERMAN_VOICE)
        self.set_rate(rate)
        self.set_volume(volume)
        self._scratch_dir = Path(tempfile.mkdtemp(prefix="begleiter-tts-"))
        self._count = 0
        self._finished = threading.Event()
        self._completed = True
        self._engine.connect("finished-utterance", self._on_finished)

    def set_rate(self, rate: int) -> None:
        self.rate = max(RATE_MIN, min(RATE_MAX, int(rate)))
        self._engine.setProperty("rate", self.rate)

    def set_volume(self, volume: float) -> None:
        self.volume = max(0.1, min(1.0, float(volume)))
        self._engine.setProperty("volume", self.volume)

    def synthesize(self, text: str) -> bytes:
        """16-bit mono PCM at :data:`TTS_RATE` for ``text``.

        Rate and volume go in as espeak-ng embedded commands (Ctrl-A + value + S/A),
        which espeak applies to exactly this text.
        """
        controls = f"\x01{self.rate}S\x01{round(self.volume * 100)}A"
        for _ in range(SYNTH_ATTEMPTS):
            pcm = self._attempt(controls + normalise(text))
            if pcm:
                return pcm
            log.info("espeak-ng synthesis was cancelled, trying again")
        raise VoiceError("espeak-ng hat keinen Ton erzeugt.")

    def _attempt(self, text: str) -> bytes | None:
        """One synthesis through pyttsx3; ``None`` when it was cancelled or came out empty.

        Two races in pyttsx3's espeak driver are handled here: ``runAndWait`` runs its
        queued ``endLoop`` before the synthesis, so it returns before espeak's thread has
        written the file (we wait for the "finished-utterance" notice, which comes after
        the file is written); and that ``endLoop`` cancels espeak when it is still busy
        with the previous text, which can cancel this text too (we wait until espeak is
        idle first, and retry on a cancelled or empty result).
        """
        self._wait_until_idle()
        self._count += 1
        path = self._scratch_dir / f"sentence-{self._count}.wav"
        self._finished.clear()
        self._engine.save_to_file(text, str(path))
        self._engine.runAndWait()
        deadline = time.monotonic() + SYNTH_TIMEOUT_S
        while self._finished.wait(max(0.0, deadline - time.monotonic())):
            self._finished.clear()
            if path.exists():                   # written before the notice: complete
                with wave.open(str(path), "rb") as wav:
                    pcm = wav.readframes(wav.getnframes())
                path.unlink()
                return pcm or None
            if not self._completed:             # cancelled
                return None
        return None                             # no notice in time

    def _wait_until_idle(self) -> None:
        deadline = time.monotonic() + SYNTH_TIMEOUT_S
        while self._espeak.IsPlaying() and time.monotonic() < deadline:
            time.sleep(0.002)

    def _on_finished(self, completed: bool = True, **event: Any) -> None:
        self._completed = completed
        self._finished.set()

    def write_wav(self, text: str, path: Path) -> float:
        """Write ``text`` as one WAV file; returns its length in seconds."""
        pcm = b"".join(self.synthesize(sentence) for sentence in split_sentences(text))
        with wave.open(str(path), "wb") as wav:
            wav.setnchannels(1)
            wav.setsampwidth(2)
            wav.setframerate(TTS_RATE)
            wav.writeframes(pcm)
        return len(pcm) / 2 / TTS_RATE


class Player(Protocol):
    """What the speaker plays through (an :class:`~assistant.speech.audio.Playback`)."""

    def play(self, pcm: bytes, on_start: Callable[[float], None] | None = None) -> None: ...
    def stop(self) -> None: ...
    def wait(self, timeout: float | None = None) -> bool: ...
    @property
    def playing(self) -> bool: ...


@dataclass
class SpeechJob:
    """One text being spoken; ``done`` is set when it has been played or stopped."""

    text: str
    asked_at: float = field(default_factory=time.monotonic)
    first_sample_at: float | None = None
    """``time.monotonic()`` when its first sample reached the speaker."""
    done: threading.Event = field(default_factory=threading.Event)
    stopped: bool = False

    def _started(self, moment: float) -> None:
        if self.first_sample_at is None:
            self.first_sample_at = moment


class Speaker:
    """Speaks texts sentence by sentence on one worker thread; stoppable."""

    def __init__(self, player: Player, rate: int = 165, volume: float = 0.9,
                 synthesizer_factory: Callable[..., Any] = Synthesizer) -> None:
        self.player = player
        self._jobs: queue.Queue[tuple[str, Any]] = queue.Queue()
        self._generation = 0
        self._ready = threading.Event()
        self._error: BaseException | None = None
        self._factory = synthesizer_factory
        self._thread = threading.Thread(target=self._work, args=(rate, volume), name="tts", daemon=True)
        self._thread.start()
        self._ready.wait()
        if self._error:
            raise self._error

    def _work(self, rate: int, volume: float) -> None:
        try:
            synthesizer = self._factory(rate, volume)
            default_speech_text()  # the speech-text words load here, not before the first sentence
        except BaseException as error:
            self._error = error
            self._ready.set()
            return
        self._ready.set()
        while True:
            kind, payload = self._jobs.get()
            if kind == "quit":
                return
            if kind == "voice":
                synthesizer.set_rate(payload[0])
                synthesizer.set_volume(payload[1])
            elif kind == "speak":
                self._speak(synthesizer, *payload)

    def _speak(self, synthesizer: Any, job: SpeechJob, generation: int) -> None:
        try:
            for sentence in split_sentences(job.text):
                if generation != self._generation:
                    break
                pcm = synthesizer.synthesize(sentence)
                if generation != self._generation:
                    break
                self.player.play(pcm, job._started)
            while generation == self._generation and not self.player.wait(0.02):
                pass
        except Exception:
            log.exception("speech output failed")
        finally:
            job.stopped = generation != self._generation
            job.done.set()

    def say(self, text: str) -> SpeechJob:
        """Start speaking ``text``; returns at once."""
        job = SpeechJob(text)
        self._jobs.put(("speak", (job, self._generation)))
        return job

    def stop(self) -> None:
        """Stop speaking now and forget everything queued."""
        self._generation += 1
        self.player.stop()

    def set_voice(self, rate: int, volume: float) -> None:
        """Speak at ``rate`` words per minute and ``volume`` (0.1..1) from the next sentence on."""
        self._jobs.put(("voice", (rate, volume)))

    def close(self) -> None:
        self.stop()
        self._jobs.put(("quit", None))
        self._thread.join(timeout=2)
