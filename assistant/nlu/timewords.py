"""Word tables and the clock-time grammar used by :mod:`assistant.nlu.times` (folded forms)."""

from __future__ import annotations

from datetime import timedelta
from typing import Sequence

from assistant.nlu.numbers import word_value

WEEKDAYS = {"montag": 0, "dienstag": 1, "mittwoch": 2, "donnerstag": 3, "freitag": 4,
            "samstag": 5, "sonnabend": 5, "sonntag": 6}
WEEKDAY_ADVERBS = {f"{name}s": day for name, day in WEEKDAYS.items()}
WEEKDAY_RANGES = (("von", "montag", "bis", "freitag"), ("montag", "bis", "freitag"),
                  ("montags", "bis", "freitags"), ("unter", "der", "woche"), ("an", "werktagen"),
                  ("an", "wochentagen"), ("an", "arbeitstagen"), ("an", "allen", "werktagen"))
DAYPARTS = {"frueh": "morning", "morgens": "morning", "morgen": "morning", "fruehmorgens": "morning",
            "vormittag": "forenoon", "vormittags": "forenoon", "mittag": "noon", "mittags": "noon", "mittagszeit": "noon",
            "nachmittag": "afternoon", "nachmittags": "afternoon", "abend": "evening",
            "abends": "evening", "nacht": "night", "nachts": "night"}
DAYPART_HOURS = {"morning": 8, "forenoon": 10, "noon": 12, "afternoon": 15, "evening": 19, "night": 22}
INTRO = frozenset({"um", "gegen", "ab", "punkt"})
RELATIVE_UNITS = {"minute": timedelta(minutes=1), "minuten": timedelta(minutes=1),
                  "min": timedelta(minutes=1), "stunde": timedelta(hours=1),
                  "stunden": timedelta(hours=1), "std": timedelta(hours=1),
                  "viertelstunde": timedelta(minutes=15), "halbestunde": timedelta(minutes=30),
                  "dreiviertelstunde": timedelta(minutes=45), "tag": timedelta(days=1),
                  "tagen": timedelta(days=1), "tage": timedelta(days=1),
                  "woche": timedelta(weeks=1), "wochen": timedelta(weeks=1)}

MONTHS = {"januar": 1, "jaenner": 1, "februar": 2, "maerz": 3, "april": 4, "mai": 5, "juni": 6, "juli": 7,
          "august": 8, "september": 9, "oktober": 10, "november": 11, "dezember": 12}
_ORDINAL_STEMS = {"ers": 1, "drit": 3, "sieb": 7, "ach": 8}


def ordinal_day(word: str) -> int | None:
    """1-31 for "ersten", "zweite", "einundzwanzigsten", "3ten"; None otherwise."""
    for ending in ("sten", "ste", "ten", "te"):
        if word.endswith(ending) and len(word) > len(ending):
            stem = word[: -len(ending)]
            value = _ORDINAL_STEMS.get(stem)
            if value is None:
                number = word_value(stem)
                value = int(number) if number is not None and number == int(number) else None
            if value is not None and 1 <= value <= 31:
                return value
    return None


def weekday_daypart(word: str) -> tuple[int, str] | None:
    """"montagabend" -> (0, "evening")."""
    for name, day in WEEKDAYS.items():
        if word.startswith(name) and word[len(name):] in DAYPARTS:
            return day, DAYPARTS[word[len(name):]]
    return None


Clock = tuple[tuple[int, int], int]
"""((hour, minute), index after the last word)."""


def _int_at(tokens: Sequence[str], j: int, low: int, high: int) -> int | None:
    if j >= len(tokens):
        return None
    value = word_value(tokens[j])
    if value is None or value != int(value) or not low <= value <= high:
        return None
    return int(value)


def _before(hour: int, minutes: int) -> tuple[int, int]:
    total = (hour * 60 - minutes) % (24 * 60)
    return total // 60, total % 60


def parse_clock(tokens: Sequence[str], j: int, introduced: bool) -> Clock | None:
    """A clock time starting at ``tokens[j]``; bare numbers count only after "um"/"gegen"/"ab"."""
    if j >= len(tokens):
        return None
    for rule in (_quarter_half, _minutes_around, _hour_uhr):
        found = rule(tokens, j, introduced)
        if found is not None:
            return found
    if tokens[j] == "mitternacht":
        return (0, 0), j + 1
    if introduced and tokens[j] == "mittag":
        return (12, 0), j + 1
    return None


def _quarter_half(tokens: Sequence[str], j: int, introduced: bool) -> Clock | None:
    word = tokens[j]
    if word == "halb":
        hour = _int_at(tokens, j + 1, 1, 24)
        return (_before(hour, 30), j + 2) if hour is not None else None
    if word == "dreiviertel" or (word == "drei" and j + 1 < len(tokens) and tokens[j + 1] == "viertel"):
        k = j + 1 if word == "dreiviertel" else j + 2
        hour = _int_at(tokens, k, 1, 24)
        return (_before(hour, 15), k + 1) if hour is not None else None
    if word == "viertel":
        nxt = tokens[j + 1] if j + 1 < len(tokens) else ""
        if nxt in ("vor", "nach"):
            hour = _int_at(tokens, j + 2, 0, 24)
            if hour is None:
                return None
            return (_before(hour, 15) if nxt == "vor" else (hour % 24, 15)), j + 3
        hour = _int_at(tokens, j + 1, 1, 24)
        return (_before(hour, 45), j + 2) if hour is not None else None
    return None


def _minutes_around(tokens: Sequence[str], j: int, introduced: bool) -> Clock | None:
    minutes = _int_at(tokens, j, 1, 29)
    if minutes is None or j + 2 >= len(tokens) or tokens[j + 1] not in ("vor", "nach"):
        return None
    direction = tokens[j + 1]
    if tokens[j + 2] == "halb":
        hour = _int_at(tokens, j + 3, 1, 24)
        if hour is None:
            return None
        base = hour * 60 - 30
        total = base - minutes if direction == "vor" else base + minutes
        return ((total // 60) % 24, total % 60), j + 4
    if not introduced:
        return None
    hour = _int_at(tokens, j + 2, 0, 24)
    if hour is None:
        return None
    return (_before(hour, minutes) if direction == "vor" else (hour % 24, minutes)), j + 3


def _hour_uhr(tokens: Sequence[str], j: int, introduced: bool) -> Clock | None:
    hour = _int_at(tokens, j, 0, 24)
    if hour is None:
        return None
    has_uhr = j + 1 < len(tokens) and tokens[j + 1] == "uhr"
    if not has_uhr and not introduced:
        return None
    k = j + 2 if has_uhr else j + 1
    minute = _int_at(tokens, k, 0, 59)
    unit_follows = k + 1 < len(tokens) and tokens[k + 1] in RELATIVE_UNITS
    if minute is not None and not unit_follows and (has_uhr or minute >= 10 or minute == 0):
        return (hour % 24, minute), k + 1
    return (hour % 24, 0), k
