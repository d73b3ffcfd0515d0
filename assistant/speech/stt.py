"""Speech to text with Vosk: one shared model, one recogniser per stream, grammars.

The model always comes from a path (``Model(lang=...)`` would go online). A
grammar is a list of phrases plus ``"[unk]"``, serialised with
``ensure_ascii=False`` (otherwise words with umlauts are silently dropped).
Grammars change only between utterances. Empty finals and ``"[unk]"`` are
ignored.
"""

from __future__ import annotations

import json
import logging
import time
import wave
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, Sequence

from assistant.errors import BegleiterError

log = logging.getLogger(__name__)

UNKNOWN = "[unk]"


class ModelError(BegleiterError):
    """The Vosk model is missing or cannot be loaded."""


@dataclass(frozen=True)
class Heard:
    """One recognition event from the ears (real or scripted)."""

    kind: str
    """``partial`` (speech still going on) or ``final`` (end of an utterance)."""
    text: str
    speech_end: float | None = None
    """``time.monotonic()`` of the last audio in which the words changed (finals only)."""
    at: float = 0.0
    """``time.monotonic()`` when the event was produced."""


def is_model_dir(path: Path) -> bool:
    """True when ``path`` looks like a Vosk model folder."""
    return path.is_dir() and ((path / "am").is_dir() or (path / "conf").is_dir())


def load_model(path: Path) -> Any:
    """Load the Vosk model at ``path`` (quietly); German error when that fails."""
    if not is_model_dir(path):
        raise ModelError(f"Im Ordner {path} ist kein Vosk-Sprachmodell. "
                         "Mit „begleiter setup“ lässt es sich installieren.")
    import vosk
    vosk.SetLogLevel(-2)  # hide Kaldi warnings too; missing words are reported by us
    try:
        return vosk.Model(str(path))
    except Exception:
        raise ModelError(f"Das Sprachmodell in {path} lässt sich nicht laden.") from None


def grammar_words(phrases: Iterable[str]) -> list[str]:
    """Every distinct word of ``phrases`` (without ``[unk]``)."""
    words: list[str] = []
    for phrase in phrases:
        for word in phrase.split():
            if word != UNKNOWN and word not in words:
                words.append(word)
    return words


def missing_words(model: Any, phrases: Iterable[str]) -> list[str]:
    """Words the model does not know (``vosk_model_find_word`` returns -1)."""
    return [word for word in grammar_words(phrases) if model.vosk_model_find_word(word) < 0]


def grammar_json(phrases: Sequence[str]) -> str:
    """The grammar as Vosk wants it: a JSON list, ``[unk]`` last, umlauts kept."""
    cleaned = (" ".join(p.lower().split()) for p in phrases)  # Vosk splits on single spaces
    unique = list(dict.fromkeys(p for p in cleaned if p and p != UNKNOWN))
    return json.dumps([*unique, UNKNOWN], ensure_ascii=False)


def clean_text(raw: str) -> str:
    """Drop ``[unk]`` tokens and extra spaces from a Vosk transcript."""
    return " ".join(word for word in raw.split() if word != UNKNOWN)


class Transcriber:
    """Feeds audio blocks to a Vosk recogniser and turns its output into :class:`Heard`."""

    def __init__(self, model: Any, rate: int) -> None:
        self.model = model
        self.rate = rate
        self._grammar: str | None = None
        self._pending: tuple[str | None] | None = None
        self._recognizer = self._new_recognizer(None)
        self._partial = ""
        self._changed_at: float | None = None

    def _new_recognizer(self, grammar: str | None) -> Any:
        import vosk
        if grammar is None:
            return vosk.KaldiRecognizer(self.model, self.rate)
        return vosk.KaldiRecognizer(self.model, self.rate, grammar)

    def set_grammar(self, phrases: Sequence[str] | None) -> None:
        """Use ``phrases`` (or free speech for ``None``) from the next utterance on."""
        grammar = grammar_json(phrases) if phrases is not None else None
        if grammar != self._grammar:
            self._pending = (grammar,)
            if not self._partial:
                self._apply_pending()

    def _apply_pending(self) -> None:
        if self._pending is not None:
            self._grammar = self._pending[0]
            self._recognizer = self._new_recognizer(self._grammar)
            self._pending = None

    def reset(self) -> None:
        """Forget the utterance in progress (after our own playback, for example)."""
        self._recognizer.Reset()
        self._partial = ""
        self._changed_at = None
        self._apply_pending()

    def accept(self, block: bytes) -> Heard | None:
        """Feed one block; returns a partial when the words changed, or a non-empty final."""
        now = time.monotonic()
        if self._recognizer.AcceptWaveform(block):
            raw = json.loads(self._recognizer.Result()).get("text", "")
            speech_end = self._changed_at or now
            self._partial, self._changed_at = "", None
            self._apply_pending()
            text = clean_text(raw)
            return Heard("final", text, speech_end, now) if text else None
        partial = clean_text(json.loads(self._recognizer.PartialResult()).get("partial", ""))
        if partial != self._partial:
            self._partial, self._changed_at = partial, now
            if partial:
                return Heard("partial", partial, None, now)
        return None

    def flush(self) -> Heard | None:
        """End the current utterance (end of a file) and return its final, if any."""
        raw = json.loads(self._recognizer.FinalResult()).get("text", "")
        self._partial, self._changed_at = "", None
        self._apply_pending()
        text = clean_text(raw)
        return Heard("final", text, time.monotonic(), time.monotonic()) if text else None


def open_wav(path: Path) -> wave.Wave_read:
    """Open a 16-bit mono WAV file, or fail with one German sentence."""
    if not path.is_file():
        raise BegleiterError(f"Die Datei {path} gibt es nicht.")
    try:
        wav = wave.open(str(path), "rb")
    except (OSError, wave.Error, EOFError):
        raise BegleiterError(f"Die Datei {path} ist keine lesbare WAV-Datei.") from None
    if wav.getnchannels() != 1 or wav.getsampwidth() != 2:
        wav.close()
        raise BegleiterError(f"Die Datei {path} muss 16 Bit mono sein.")
    return wav


def transcribe_wav(model: Any, path: Path, phrases: Sequence[str] | None = None) -> list[str]:
    """Every final transcript of a 16-bit mono WAV file."""
    with open_wav(path) as wav:
        transcriber = Transcriber(model, wav.getframerate())
        transcriber.set_grammar(phrases)
        texts: list[str] = []
        while block := wav.readframes(4000):
            heard = transcriber.accept(block)
            if heard and heard.kind == "final":
                texts.append(heard.text)
        last = transcriber.flush()
    return texts + ([last.text] if last else [])
