"""Speech text: what espeak-ng says for a text that was written for reading.

Prompts are written once, for people: "0800 111 0 111", "19:30 Uhr", "zwei Erinnerungen".
The dialogue shows them as they are; everything that is spoken passes through
:meth:`SpeechText.render` first (the speaker and ``say --wav`` call it through
:func:`assistant.speech.tts.split_sentences`), so there is one place that decides
how written forms sound:

- phone numbers are said digit by digit, with a pause between the groups
  ("0 8 0 0, 1 1 1, 0, 1 1 1"): every number the crisis texts name (their
  ``display`` lists in ``prompts_de/safety.toml``) and any run of digit groups
  parted by single spaces, which espeak-ng would otherwise join into thousands
  ("116 123" is "hundertsechzehntausend ..."); a number standing alone after a colon
  is dictated, with a full stop between the groups ("Der Notruf: 1 1 2.");
- clock times are said as people say them: "19:30 Uhr" is "halb 8 abends",
  "12:10 Uhr" is "10 nach 12 mittags", "9:07 Uhr" is "9 Uhr 7"; a full hour stays
  ("19 Uhr"), but "1 Uhr" is "ein Uhr". The part of the day is left out when
  the sentence already names it ("heute Abend um halb 8").

The words come from ``prompts_de/speech.toml`` (``spoken.*``); digits stay digits,
because espeak-ng says them well once they stand on their own.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Iterable

from assistant.dialog.prompts import PromptBook

_DIGIT_RUN = r"\d+(?: \d+)+"
_NUMBER_EDGES = r"(?<!\d)(?<!\d[.,:])(?:{})(?!\d)(?![.,:]\d)"
"""A number on its own: not part of 1,5 or 19:30 or 2.5."""
_CLOCK = re.compile(r"(?<![\d:.])([01]?\d|2[0-3]):([0-5]\d)(?!\d)(?: Uhr\b)?(?!:?\d)")
_ONE_OCLOCK = re.compile(r"(?<![\d:.])0?1 Uhr\b")
_DICTATED = re.compile(r"(.*: )([\d ]+?)([.!]?)$")
"""A number standing alone after a colon ("Der Notruf: 112.") is dictated, for writing it down."""
_SENTENCE = re.compile(r"(?<=[.!?…])\s+")
_WORD = re.compile(r"\w+")


@dataclass(frozen=True)
class DayPart:
    word: str
    start: int
    """The first hour (0-23) of this part of the day."""
    names: frozenset[str]
    """Words that already say this part in a sentence."""


class SpeechText:
    """Turns shown text into the text espeak-ng speaks."""

    def __init__(self, book: PromptBook, phone_numbers: Iterable[str] = ()) -> None:
        self._book = book
        numbers = sorted({n.strip() for n in phone_numbers if n.strip()}, key=len, reverse=True)
        self._phone = re.compile(_NUMBER_EDGES.format("|".join([*map(re.escape, numbers), _DIGIT_RUN])))
        self._parts = sorted((DayPart(p.du[0], int(p.attrs["from"]), frozenset(p.attrs.get("words", ())))
                              for p in book.under("speech.spoken.part")), key=lambda part: part.start)

    @classmethod
    def from_book(cls, book: PromptBook) -> "SpeechText":
        """With the phone numbers every crisis text of ``book`` names."""
        numbers = [number for prompt in book.under("safety") for number in prompt.attrs.get("display", ())]
        return cls(book, numbers)

    def render(self, text: str) -> str:
        """The speech text for ``text`` (shown text goes in, what to say comes out)."""
        return " ".join(self._sentence(sentence) for sentence in _SENTENCE.split(text) if sentence)

    def _sentence(self, sentence: str) -> str:
        dictated = _DICTATED.match(sentence)
        if dictated and self._phone.fullmatch(dictated.group(2)):
            return dictated.group(1) + self._digits(dictated.group(2), ". ") + dictated.group(3)
        sentence = self._phone.sub(lambda m: self._digits(m.group(0)), sentence)
        named = {word.lower() for word in _WORD.findall(sentence)}
        said_part = any(part.names & named for part in self._parts)
        sentence = _CLOCK.sub(lambda m: self._clock(int(m.group(1)), int(m.group(2)), said_part), sentence)
        return _ONE_OCLOCK.sub(self._fragment("one"), sentence)

    @staticmethod
    def _digits(number: str, pause: str = ", ") -> str:
        return pause.join(" ".join(group) for group in number.split())

    def _fragment(self, name: str, **data: object) -> str:
        return self._book.render(f"speech.spoken.clock.{name}", "du", 0, data)

    def _clock(self, hour: int, minute: int, said_part: bool) -> str:
        if minute == 0:
            return self._fragment("one") if hour == 1 else self._fragment("full", hour=hour)
        forms = {5: ("past", 5, 0), 10: ("past", 10, 0), 15: ("quarter_past", 0, 0), 20: ("past", 20, 0),
                 25: ("before_half", 0, 1), 30: ("half", 0, 1), 35: ("after_half", 0, 1),
                 40: ("to", 20, 1), 45: ("quarter_to", 0, 1), 50: ("to", 10, 1), 55: ("to", 5, 1)}
        if minute not in forms:
            return self._fragment("exact", hour=hour, minute=minute)
        name, minutes, ahead = forms[minute]
        said_hour = (hour + ahead) % 24
        phrase = self._fragment(name, hour=said_hour % 12 or 12, minutes=minutes)
        if said_part or not self._parts:
            return phrase
        part = max((p for p in self._parts if p.start <= said_hour), key=lambda p: p.start)
        return f"{phrase} {part.word}"


@lru_cache(maxsize=1)
def default_speech_text() -> SpeechText:
    """The speech text of the shipped prompts (loaded once, on the first sentence spoken)."""
    from assistant.dialog.prompts import load_prompts
    from assistant.resources import prompts_dir
    return SpeechText.from_book(load_prompts(prompts_dir()))


def speech_text(text: str) -> str:
    """``text`` as espeak-ng should say it, with the shipped prompts' numbers and words."""
    return default_speech_text().render(text)
