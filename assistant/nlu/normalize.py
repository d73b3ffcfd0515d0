"""Normalisation: one canonical form for Vosk output and typed text alike.

Matching works on a folded form: NFC, lower case, no punctuation, umlauts
written as ``ae``/``oe``/``ue`` and ``ß`` as ``ss`` (typed and spoken input
then look the same), fillers removed, immediate word repeats collapsed.
"""

from __future__ import annotations

import re
import unicodedata

_FOLD = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"})
_NON_WORD = re.compile(r"[^\w]+")
FILLERS = frozenset({"äh", "aeh", "ähm", "aehm", "öhm", "oehm", "hm", "hmm", "ähh", "aehh", "öh", "oeh"})


def clean(text: str) -> str:
    """NFC, lower case, punctuation and control characters turned into spaces."""
    text = unicodedata.normalize("NFC", text).lower()
    text = _NON_WORD.sub(" ", text).replace("_", " ")
    return " ".join(text.split())


def fold(text: str) -> str:
    """The matching form: :func:`clean`, then umlauts and ß folded, fillers and repeats removed."""
    words: list[str] = []
    for word in clean(text).translate(_FOLD).split():
        if word in FILLERS or (words and words[-1] == word):
            continue
        words.append(word)
    return " ".join(words)
