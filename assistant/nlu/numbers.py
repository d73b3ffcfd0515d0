"""German numbers 0-100 as words or digits, in the folded form (ae/oe/ue, ss).

Vocabulary tables live here (they are the parser, not dialogue text).
"""

from __future__ import annotations

import re
from typing import Sequence

UNITS = {"null": 0, "eins": 1, "ein": 1, "eine": 1, "einen": 1, "zwei": 2, "zwo": 2, "drei": 3,
         "vier": 4, "fuenf": 5, "sechs": 6, "sieben": 7, "acht": 8, "neun": 9}
TEENS = {"zehn": 10, "elf": 11, "zwoelf": 12, "dreizehn": 13, "vierzehn": 14, "fuenfzehn": 15,
         "sechzehn": 16, "siebzehn": 17, "achtzehn": 18, "neunzehn": 19}
TENS = {"zwanzig": 20, "dreissig": 30, "vierzig": 40, "fuenfzig": 50, "sechzig": 60,
        "siebzig": 70, "achtzig": 80, "neunzig": 90}
MISHEARD = {"nul": 0, "sex": 6, "sechse": 6, "siebn": 7, "siem": 7, "fuenfe": 5, "fuemf": 5,
            "neune": 9, "achte": 8, "zehne": 10, "elfe": 11, "zwoelfe": 12, "hundert": 100,
            "einhundert": 100, "zwanzich": 20, "dreissich": 30, "dreizig": 30, "vierzich": 40,
            # regional forms (Bavarian, Austrian, Swabian, Swiss German)
            "oans": 1, "zwoa": 2, "zwoi": 2, "zwee": 2, "drue": 3, "dreie": 3, "viere": 4, "vieri": 4,
            "fuenfi": 5, "fuef": 5, "saechs": 6, "sechsi": 6, "siebene": 7, "sibe": 7, "siebni": 7,
            "achti": 8, "nuen": 9, "nueni": 9, "neuni": 9, "zaeh": 10, "zehni": 10}
ARTICLE_ONES = frozenset({"ein", "eine", "einen", "einer", "einem"})
"""Words that are usually an article ("so eine vier"), a 1 only when nothing else is there."""
ORDINALS = {"erste": 1, "zweite": 2, "dritte": 3, "vierte": 4, "fuenfte": 5, "sechste": 6,
            "siebte": 7, "siebente": 7, "achte": 8, "neunte": 9, "zehnte": 10, "letzte": -1}

_SIMPLE = {**UNITS, **TEENS, **TENS, **MISHEARD}
_UNIT_WORD = "|".join(sorted((w for w in UNITS if w not in ("null", "ein", "eine", "einen", "zwo")),
                             key=len, reverse=True))
_COMPOUND = re.compile(rf"^(ein|{_UNIT_WORD})und({'|'.join(TENS)})$")
_HALF = re.compile(r"^(.+?)einhalb$")


def word_value(word: str) -> float | None:
    """The number a single folded word stands for, or None ("fuenfeinhalb" -> 5.5)."""
    if word.isdigit():  # "¹" and "③" are digits but no decimal number: not a number for us
        return float(int(word)) if len(word) <= 4 and word.isdecimal() else None
    if word in _SIMPLE:
        return float(_SIMPLE[word])
    if word == "anderthalb":
        return 1.5
    match = _COMPOUND.match(word)
    if match:
        unit = 1 if match.group(1) == "ein" else UNITS[match.group(1)]
        return float(unit + TENS[match.group(2)])
    half = _HALF.match(word)
    if half:
        base = 1.0 if half.group(1) == "ein" else word_value(half.group(1))
        return base + 0.5 if base is not None else None
    return None


def ordinal_value(word: str) -> int | None:
    """1 for "erste"/"ersten"/"erster", ..., -1 for "letzte"; None otherwise."""
    for stem in (word, word[:-1]):
        if stem in ORDINALS:
            return ORDINALS[stem]
    return None


def round_half_up(value: float) -> int:
    """5.5 -> 6, 4.5 -> 5 (Python's round would give 4)."""
    return int(value + 0.5)


def _numbers_in(tokens: Sequence[str]) -> list[tuple[int, float]]:
    found: list[tuple[int, float]] = []
    skip_until = -1
    for index, word in enumerate(tokens):
        if index <= skip_until:
            continue
        value = word_value(word)
        if value is None:
            continue
        after = tokens[index + 1:index + 3]
        if len(after) == 2 and after[0] == "komma":
            decimal = word_value(after[1])
            if decimal is not None and decimal < 10:
                value += decimal / 10
                skip_until = index + 2
        elif tuple(after) == ("und", "halb"):
            value += 0.5
            skip_until = index + 2
        elif tuple(after[:1]) == ("prozent",):
            value = value / 10  # "achtzig prozent" on a 0-10 scale
        found.append((index, value))
    return found


def scale_number(tokens: Sequence[str]) -> int | None:
    """A 0-10 value said as a number: "so eine vier" -> 4, "zwischen fuenf und sechs" -> 6."""
    found = _numbers_in(tokens)
    real = [(i, v) for i, v in found if tokens[i] not in ARTICLE_ONES]
    if not real:
        real = [(i, v) for i, v in found if i == len(tokens) - 1 or len(tokens) <= 2]
    real = [(i, v) for i, v in real if 0 <= v <= 10]
    if not real:
        return None
    if len(real) >= 2:
        (first_index, first), (second_index, second) = real[0], real[1]
        between = tokens[first_index + 1:second_index]
        if 1 <= len(between) <= 2 and between[-1] in ("und", "bis", "oder"):
            return round_half_up((first + second) / 2)
    return round_half_up(real[0][1])
