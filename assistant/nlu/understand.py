"""From an utterance to an :class:`NluResult`: the one entry point of ``nlu``."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from rapidfuzz import fuzz, process

from assistant.nlu.normalize import fold
from assistant.nlu.phrases import load_intents
from assistant.nlu.result import NluResult

MIN_CONFIDENCE = 0.75


class Understander:
    """Matches utterances against the intent phrases; built once at start-up."""

    def __init__(self, intents_folder: Path) -> None:
        self._choices: list[str] = []
        self._owners: list[str] = []
        for intent in load_intents(intents_folder):
            for phrase in intent.phrases:
                self._choices.append(phrase)
                self._owners.append(intent.name)

    def understand(self, text: str, expect: str = "none", now: datetime | None = None) -> NluResult:
        folded = fold(text)
        if not folded:
            return NluResult(text, None, 0.0)
        best = process.extractOne(folded, self._choices, scorer=fuzz.ratio)
        score = best[1] / 100.0 if best else 0.0
        intent = self._owners[best[2]] if best and score >= MIN_CONFIDENCE else None
        return NluResult(text, intent, score if intent else 0.0)
