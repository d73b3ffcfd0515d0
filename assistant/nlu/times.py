"""Times and repeats in folded German, resolved against the clock.

"morgen frueh um sieben", "heute abend um acht" (20:00), "um halb acht",
"um viertel vor zehn", "dreiviertel neun", "zwanzig uhr dreissig",
"in zwanzig minuten", "uebermorgen", "am montag um vierzehn uhr", and repeats
("jeden tag", "jeden morgen", "werktags", "jeden sonntag").
See docs/nlu.md for the resolution rules (defaults, am/pm choice).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Sequence

from assistant.nlu.numbers import word_value
from assistant.nlu.timewords import (DAYPART_HOURS, DAYPARTS, INTRO, MONTHS, RELATIVE_UNITS, WEEKDAYS,
                                     WEEKDAY_ADVERBS, WEEKDAY_RANGES, ordinal_day, parse_clock,
                                     weekday_daypart)


@dataclass
class TimeParts:
    """What the words said, before resolving against the clock."""

    day_offset: int | None = None
    date: tuple[int, int | None] | None = None
    """Day of month and month (None: this or next month) from "am zehnten [dezember]"."""
    weekday: int | None = None
    daypart: str | None = None
    hour: int | None = None
    minute: int = 0
    delta: timedelta | None = None
    repeat: str | None = None
    used: set[int] = field(default_factory=set)

    @property
    def found(self) -> bool:
        return bool(self.used)


@dataclass(frozen=True)
class When:
    """A resolved time expression."""

    at: datetime | None
    """Local, timezone-aware, seconds zero; None when only a repeat without time was said."""
    repeat: str | None
    """``daily``, ``weekdays``, ``weekly`` or None."""
    used: frozenset[int]
    """Indices of the words that belong to the time expression."""

    def iso(self) -> str | None:
        return self.at.strftime("%Y-%m-%dT%H:%M") if self.at else None


def find_when(tokens: Sequence[str], now: datetime) -> When | None:
    """The time expression in ``tokens`` resolved against ``now``; None when there is none."""
    parts = scan(tokens)
    if not parts.found:
        return None
    return When(resolve(parts, now), parts.repeat, frozenset(parts.used))


def scan(tokens: Sequence[str]) -> TimeParts:
    """Collect day, daypart, clock, relative and repeat words."""
    parts = TimeParts()
    index = 0
    while index < len(tokens):
        end = _scan_at(tokens, index, parts)
        index = max(end, index + 1)
    return parts


def _scan_at(tokens: Sequence[str], i: int, parts: TimeParts) -> int:
    word = tokens[i]
    before = tokens[i - 1] if i else ""
    for matcher in (_repeat_at, _relative_at, _day_at, _clock_at, _daypart_at):
        end = matcher(tokens, i, word, before, parts)
        if end > i:
            if before in ("fuer", "bis", "ab", "am", "gegen") and i - 1 not in parts.used:
                parts.used.add(i - 1)
            return end
    return i


def _mark(parts: TimeParts, start: int, end: int) -> int:
    parts.used.update(range(start, end))
    return end


def _repeat_at(tokens: Sequence[str], i: int, word: str, before: str, parts: TimeParts) -> int:
    nxt = tokens[i + 1] if i + 1 < len(tokens) else ""
    if word in ("taeglich", "jedentag", "alltaeglich"):
        parts.repeat = "daily"
        return _mark(parts, i, i + 1)
    if word in ("werktags", "wochentags", "werktaglich", "werktaeglich"):
        parts.repeat = "weekdays"
        return _mark(parts, i, i + 1)
    if word in ("woechentlich",):
        parts.repeat = "weekly"
        return _mark(parts, i, i + 1)
    for phrase in WEEKDAY_RANGES:
        if tuple(tokens[i:i + len(phrase)]) == phrase:
            parts.repeat = "weekdays"
            return _mark(parts, i, i + len(phrase))
    if word in ("jeden", "jede", "jeder", "jedem", "jedes", "immer", "alle") and nxt:
        end = _repeat_every(tokens, i, nxt, parts)
        if end > i and before == "an":  # "an jedem werktag"
            parts.used.add(i - 1)
        return end
    if word in WEEKDAY_ADVERBS:
        parts.repeat, parts.weekday = "weekly", WEEKDAY_ADVERBS[word]
        return _mark(parts, i, i + 1)
    return i


def _repeat_every(tokens: Sequence[str], i: int, nxt: str, parts: TimeParts) -> int:
    if nxt in ("tag", "tage", "tach"):
        parts.repeat = "daily"
        return _mark(parts, i, i + 2)
    if nxt in ("werktag", "wochentag", "arbeitstag"):
        parts.repeat = "weekdays"
        return _mark(parts, i, i + 2)
    if nxt == "woche":
        parts.repeat = "weekly"
        return _mark(parts, i, i + 2)
    if nxt in ("stunde", "halbe", "minute"):  # hourly repeats are not offered; keep them out of "what"
        return _mark(parts, i, i + (3 if nxt == "halbe" else 2))
    if nxt in WEEKDAYS or nxt in WEEKDAY_ADVERBS:
        parts.repeat, parts.weekday = "weekly", WEEKDAYS.get(nxt, WEEKDAY_ADVERBS.get(nxt))
        return _mark(parts, i, i + 2)
    if nxt in DAYPARTS and tokens[i] != "immer":
        parts.repeat = parts.repeat or "daily"
        parts.daypart = DAYPARTS[nxt]
        return _mark(parts, i, i + 2)
    if tokens[i] == "immer" and (nxt in DAYPARTS or nxt in WEEKDAY_ADVERBS):
        parts.used.add(i)
        return i + 1
    return i


def _relative_at(tokens: Sequence[str], i: int, word: str, before: str, parts: TimeParts) -> int:
    if word != "in" or i + 2 > len(tokens):
        return i
    amount, j = _amount(tokens, i + 1)
    if amount is None or j >= len(tokens) or tokens[j] not in RELATIVE_UNITS:
        return i
    parts.delta = (parts.delta or timedelta()) + amount * RELATIVE_UNITS[tokens[j]]
    end = _mark(parts, i, j + 1)
    if end + 1 < len(tokens) and tokens[end] == "und":  # "in einer stunde und zehn minuten"
        more, k = _amount(tokens, end + 1)
        if more is not None and k < len(tokens) and tokens[k] in RELATIVE_UNITS:
            parts.delta += more * RELATIVE_UNITS[tokens[k]]
            end = _mark(parts, end, k + 1)
    return end


def _amount(tokens: Sequence[str], j: int) -> tuple[float | None, int]:
    word = tokens[j]
    if word in ("einer", "einem", "eine", "ein") and j + 1 < len(tokens):
        if tokens[j + 1] in ("halben", "halbe"):
            return 0.5, j + 2
        if tokens[j + 1] in ("viertelstunde", "dreiviertelstunde", "halbestunde"):
            return 1.0, j + 1
        if tokens[j + 1] == "viertel":
            return 0.25, j + 2
        return 1.0, j + 1
    if word in ("viertelstunde", "halbestunde"):
        return 1.0, j
    value = word_value(word)
    if value is None:
        return None, j
    if j + 2 < len(tokens) and tokens[j + 1] == "einhalb":
        return value + 0.5, j + 2
    return value, j + 1


def _day_at(tokens: Sequence[str], i: int, word: str, before: str, parts: TimeParts) -> int:
    nxt = tokens[i + 1] if i + 1 < len(tokens) else ""
    if word == "heute":
        parts.day_offset = 0
        if nxt in DAYPARTS:
            parts.daypart = "morning" if nxt == "morgen" else DAYPARTS[nxt]
            return _mark(parts, i, i + 2)
        return _mark(parts, i, i + 1)
    if word in ("morgen", "morgn") and before not in ("guten", "gute", "jeden", "am", "heute"):
        parts.day_offset = 1
        if nxt in DAYPARTS and nxt != "morgen":
            parts.daypart = DAYPARTS[nxt]
            return _mark(parts, i, i + 2)
        return _mark(parts, i, i + 1)
    if word in ("uebermorgen", "ubermorgen"):
        parts.day_offset = 2
        return _mark(parts, i, i + 1)
    if word in WEEKDAYS:
        if parts.weekday is None:  # "jeden dienstag und donnerstag": the first day counts
            parts.weekday = WEEKDAYS[word]
        start = i - 1 if before in ("naechsten", "naechster", "kommenden", "diesen", "den") else i
        if nxt in DAYPARTS:
            parts.daypart = DAYPARTS[nxt]
            return _mark(parts, start, i + 2)
        return _mark(parts, start, i + 1)
    compound = weekday_daypart(word)
    if compound is not None:
        parts.weekday, parts.daypart = compound
        return _mark(parts, i, i + 1)
    if before in ("am", "zum", "vom", "bis") and ordinal_day(word) is not None:
        month = MONTHS.get(nxt)
        parts.date = (ordinal_day(word) or 1, month)
        return _mark(parts, i, i + (2 if month else 1))
    if word == "wochenende" and before in ("am", "naechstes", "das", "diesem", "naechsten"):
        parts.weekday = 5
        return _mark(parts, i, i + 1)
    return i


def _clock_at(tokens: Sequence[str], i: int, word: str, before: str, parts: TimeParts) -> int:
    introduced = word in INTRO
    start = i + 1 if introduced else i
    if introduced and start < len(tokens) and tokens[start] in ("so", "ca", "circa", "etwa"):
        start += 1
    clock = parse_clock(tokens, start, introduced)
    if clock is None:
        return i
    (hour, minute), end = clock
    if parts.hour is None:  # "um acht und um zwanzig uhr": the first time counts
        parts.hour, parts.minute = hour, minute
    return _mark(parts, i, end)


def _daypart_at(tokens: Sequence[str], i: int, word: str, before: str, parts: TimeParts) -> int:
    if word not in DAYPARTS or before in ("guten", "gute", "schoenen", "schoenes"):
        return i
    if word == "morgen":  # "am morgen": the morning; plain "morgen" is handled as a day
        if before != "am":
            return i
    parts.daypart = DAYPARTS[word]
    start = i - 2 if tuple(tokens[max(i - 2, 0):i]) in (("in", "der"), ("am", "fruehen")) else i
    start = i - 1 if before == "zur" else start  # "zur mittagszeit"
    return _mark(parts, max(start, 0), i + 1)


def resolve(parts: TimeParts, now: datetime) -> datetime | None:
    """The moment ``parts`` mean, seen from ``now`` (see docs/nlu.md)."""
    now = now.replace(second=0, microsecond=0)
    if parts.delta is not None:
        moment = now + parts.delta
        if parts.hour is None or parts.delta < timedelta(days=1):
            return moment
        return moment.replace(hour=parts.hour, minute=parts.minute)
    if parts.date is not None:
        return _on_date(parts, now)
    explicit_day = parts.day_offset is not None or parts.weekday is not None
    if parts.hour is None and parts.daypart is None and not explicit_day and not parts.repeat:
        return None
    future_day = parts.day_offset not in (None, 0) or parts.weekday is not None
    hour, minute = _hour_minute(parts, future_day)
    day = now.date() + timedelta(days=parts.day_offset or 0)
    if parts.weekday is not None:
        ahead = (parts.weekday - now.weekday()) % 7
        day = now.date() + timedelta(days=ahead if (ahead or parts.repeat == "weekly") else 7)
    moment = now.replace(year=day.year, month=day.month, day=day.day, hour=hour, minute=minute)
    if not future_day and parts.hour is not None and parts.daypart is None and not parts.repeat:
        moment = _next_half_day(moment, now)
    step = timedelta(days=7 if parts.repeat == "weekly" and parts.weekday is not None else 1)
    if parts.day_offset in (None, 0) and moment <= now:
        moment += step
    while parts.repeat == "weekdays" and moment.weekday() >= 5:
        moment += timedelta(days=1)
    return moment


def _on_date(parts: TimeParts, now: datetime) -> datetime | None:
    """"am zehnten [dezember] um acht": the next such day (this month or year, else the next)."""
    day, month = parts.date or (1, None)
    hour, minute = _hour_minute(parts, True)
    candidates = []
    for year in (now.year, now.year + 1):
        for month_number in ([month] if month else range(1, 13)):
            try:
                candidates.append(now.replace(year=year, month=month_number, day=day, hour=hour, minute=minute))
            except ValueError:  # 31st of a short month
                continue
    ahead = sorted(c for c in candidates if c > now)
    return ahead[0] if ahead else None


def _hour_minute(parts: TimeParts, explicit_day: bool) -> tuple[int, int]:
    if parts.hour is None:
        return DAYPART_HOURS.get(parts.daypart or "", 9), 0
    hour = parts.hour % 24
    daypart = parts.daypart
    if daypart in ("afternoon", "evening") and hour < 12:
        hour += 12
    elif daypart == "night" and 6 <= hour < 12:
        hour += 12
    elif daypart == "noon" and 1 <= hour <= 4:
        hour += 12
    elif daypart is None and (explicit_day or parts.repeat) and 1 <= hour <= 5:
        hour += 12
    return hour, parts.minute


def _next_half_day(moment: datetime, now: datetime) -> datetime:
    """"um acht" without day or daypart: the next 8:00 or 20:00 that is still ahead."""
    if moment > now or moment.hour >= 12:
        return moment
    later = moment + timedelta(hours=12)
    return later if later > now else moment
