"""Normalisation: one canonical form for Vosk output and typed text alike.

Matching works on a folded form: NFC, lower case, no punctuation, umlauts
written as ``ae``/``oe``/``ue`` and ``ß`` as ``ss`` (typed and spoken input
then look the same), fillers removed, immediate word repeats collapsed.
:func:`tokenize` keeps the unfolded word beside each folded one, so slot
values (reminder content) can be shown with their umlauts.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

_FOLD = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"})
_NON_WORD = re.compile(r"[^\w]+")
_CLOCK = re.compile(r"(\d{1,2})[:.](\d{2})(?!\d)")
_DECIMAL = re.compile(r"(\d+),(\d+)")
_RANGE = re.compile(r"(\d+)\s*[-–]\s*(\d+)")
_ORDINAL_DATE = re.compile(r"\b(am|zum|vom|bis zum)\s+(\d{1,2})\.(?!\d)")
"""Typed "am 3." becomes "am 3ten", read as a day of the month."""
_APOSTROPHES = re.compile(r"(?<=\w)['’`´](?=\w)")
_STRETCHED = re.compile(r"([^\W\d_])\1{2,}")
"""A letter said long ("jaaa", "neeein") counts once."""
_GLUED = re.compile(r"(?<=\d)(?=[^\W\d_]{2})|(?<=[^\W\d_]{2})(?=\d)")
"""A boundary between a digit and a word glued to it ("9uhr", "um9"); lookarounds keep it linear."""
FILLERS = frozenset({"äh", "aeh", "ähm", "aehm", "öhm", "oehm", "hm", "hmm", "hmmm", "ähh", "aehh",
                     "öh", "oeh", "ehm", "em", "puh", "pff", "pfff", "uff"})
LEADING_FILLERS = frozenset({"also", "und", "naja"})
"""Dropped only at the very start when more words follow ("also ja" -> "ja")."""
MAX_TOKENS = 120
"""Matching looks at the first words only; keeps very long input linear and cheap."""


@dataclass(frozen=True)
class Tokens:
    """An utterance as parallel word lists."""

    folded: tuple[str, ...]
    """Matching form: lower case, umlauts as ae/oe/ue, ß as ss."""
    shown: tuple[str, ...]
    """The same words, lower case with their umlauts, for slot values."""


def _prepare(text: str) -> str:
    text = unicodedata.normalize("NFC", text).lower()
    text = _APOSTROPHES.sub("", text)  # "geht's" -> "gehts", "mach's" -> "machs"
    text = _STRETCHED.sub(r"\1", text)
    text = _CLOCK.sub(r"\1 uhr \2", text)
    text = _DECIMAL.sub(r"\1 komma \2", text)
    text = _RANGE.sub(r"\1 bis \2", text)
    text = _GLUED.sub(" ", text)
    return _ORDINAL_DATE.sub(r"\1 \2ten", text)


def clean(text: str) -> str:
    """NFC, lower case, punctuation and control characters turned into spaces."""
    text = _NON_WORD.sub(" ", _prepare(text)).replace("_", " ")
    return " ".join(text.split())


def fold_word(word: str) -> str:
    """One clean word in matching form."""
    return word.translate(_FOLD)


def tokenize(text: str, limit: int = MAX_TOKENS) -> Tokens:
    """Clean and fold ``text`` into :class:`Tokens` (fillers and repeats removed)."""
    if len(text) > limit * 40:
        text = text[:limit * 40]
    folded: list[str] = []
    shown: list[str] = []
    for word in clean(text).split()[:limit * 2]:
        key = fold_word(word)
        if key in FILLERS or (folded and folded[-1] == key):
            continue
        folded.append(key)
        shown.append(word)
    while len(folded) > 1 and folded[0] in LEADING_FILLERS:
        folded.pop(0)
        shown.pop(0)
    return Tokens(tuple(folded[:limit]), tuple(shown[:limit]))


def fold(text: str) -> str:
    """The matching form as one string."""
    return " ".join(tokenize(text, limit=10_000).folded)
