"""Reminder timing as pure functions over timezone-aware datetimes.

A reminder is stored as a LOCAL wall time plus an IANA zone name (never as
UTC), so a daily 09:00 reminder stays at 09:00 across daylight-saving changes
and restarts. Decisions made here (all tested in tests/test_schedule.py):

- Spring forward (a wall time that does not exist, e.g. 02:30 on the last
  Sunday of March in Europe/Berlin): the reminder is due at the same wall time
  shifted forward by the gap (02:30 -> 03:30 CEST), as the clock itself jumps
  (PEP 495, ``fold=0``). The next day it is back at 02:30.
- Fall back (a wall time that exists twice, e.g. 02:30 on the last Sunday of
  October): the first of the two moments (summer time) counts; the occurrence
  is spoken once, never twice.
- Quiet hours (default 21:30-08:00, may span midnight) hold a non-urgent
  reminder until their end. A reminder the person set on purpose for a time
  inside quiet hours is marked urgent when it is created and is spoken then.
- A reminder whose (held) due time lies more than :data:`MISSED_AFTER` in the
  past is not spoken out of the blue: it is mentioned once at the next
  conversation and the series moves on.
- An occurrence is spoken at most :data:`MAX_SPOKEN` times: once when due and,
  without an answer or after "später", once more after the snooze time.
- "nicht heute" moves a recurring reminder to its next occurrence on a later
  day, and a one-off reminder to the same time tomorrow.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from assistant.errors import BegleiterError

REPEATS = ("daily", "weekdays", "weekly")
"""Recurrence kinds (``None`` means a one-off reminder)."""
MISSED_AFTER = timedelta(hours=2)
"""Older than this when first noticed: mentioned, not spoken as if on time."""
MAX_SPOKEN = 2
"""No occurrence is spoken more often than this."""
WALL_FORMAT = "%Y-%m-%dT%H:%M"
UTC = ZoneInfo("UTC")

WAIT, SPEAK, MISSED = "wait", "speak", "missed"
"""The three results of :func:`check`."""


def parse_wall(text: str) -> datetime:
    """A stored local wall time ``YYYY-MM-DDTHH:MM`` as a naive datetime."""
    try:
        return datetime.strptime(text[:16], WALL_FORMAT)
    except ValueError:
        raise BegleiterError(f"Die Zeitangabe „{text}“ einer Erinnerung ist ungültig.") from None


def format_wall(moment: datetime) -> str:
    return moment.strftime(WALL_FORMAT)


def parse_hhmm(text: str) -> time:
    """``HH:MM`` (from the settings) as a time; German error when malformed."""
    try:
        return datetime.strptime(text.strip(), "%H:%M").time()
    except ValueError:
        raise BegleiterError(f"Die Uhrzeit „{text}“ verstehe ich nicht. Bitte so: 21:30.") from None


def utc(moment: datetime) -> datetime:
    """``moment`` in UTC: Python compares and subtracts same-zone datetimes by wall time,
    which is wrong across DST, so all arithmetic here happens in UTC."""
    return moment.astimezone(UTC)


def to_aware(wall: datetime, zone: ZoneInfo) -> datetime:
    """Resolve a naive local wall time in ``zone`` (gaps shift forward, folds take the first)."""
    moment = wall.replace(tzinfo=zone, fold=0)
    return utc(moment).astimezone(zone)


def matches(day: date, repeat: str | None, anchor: date) -> bool:
    """Whether the series anchored on ``anchor`` has an occurrence on ``day``."""
    if day < anchor:
        return False
    if repeat == "daily":
        return True
    if repeat == "weekdays":
        return day.weekday() < 5
    if repeat == "weekly":
        return day.weekday() == anchor.weekday()
    return day == anchor


def next_occurrence(anchor: datetime, zone: ZoneInfo, repeat: str | None,
                    after: datetime) -> datetime | None:
    """The first occurrence strictly after ``after`` (aware) of the series starting at ``anchor``.

    ``anchor`` is the naive local wall time of the first occurrence; a one-off
    reminder has only that one. Returns an aware datetime in ``zone`` or None.
    """
    if repeat is not None and repeat not in REPEATS:
        raise BegleiterError(f"Die Wiederholung „{repeat}“ kenne ich nicht.")
    day = max(anchor.date(), after.astimezone(zone).date() - timedelta(days=1))
    for _ in range(10):
        if matches(day, repeat, anchor.date()):
            moment = to_aware(datetime.combine(day, anchor.time()), zone)
            if utc(moment) > utc(after):
                return moment
        if repeat is None and day >= anchor.date():
            return None
        day += timedelta(days=1)
    return None


@dataclass(frozen=True)
class QuietHours:
    """The nightly time in which non-urgent reminders wait (may span midnight)."""

    start: time = time(21, 30)
    end: time = time(8, 0)

    @classmethod
    def from_text(cls, start: str, end: str) -> "QuietHours":
        return cls(parse_hhmm(start), parse_hhmm(end))

    def contains(self, moment: datetime) -> bool:
        """Whether the local wall time of ``moment`` lies inside quiet hours."""
        clock = moment.time().replace(tzinfo=None)
        if self.start == self.end:
            return False
        if self.start < self.end:
            return self.start <= clock < self.end
        return clock >= self.start or clock < self.end

    def end_after(self, moment: datetime) -> datetime:
        """The end of the quiet period containing ``moment`` (aware, same zone)."""
        zone = moment.tzinfo
        wall = moment.replace(tzinfo=None)
        end_day = wall.date()
        if self.start > self.end and moment.time() >= self.start:
            end_day += timedelta(days=1)
        end = datetime.combine(end_day, self.end)
        return to_aware(end, zone) if isinstance(zone, ZoneInfo) else end.replace(tzinfo=zone)


@dataclass(frozen=True)
class Timing:
    """The schedule part of one stored reminder (serialisable with :meth:`to_dict`)."""

    anchor: str
    """Local wall time of the first occurrence (``YYYY-MM-DDTHH:MM``)."""
    zone: str
    """IANA zone name the wall times belong to."""
    repeat: str | None = None
    """``daily``, ``weekdays``, ``weekly`` or None (once)."""
    pending: str | None = None
    """Local wall time of the occurrence waiting to be spoken; None when finished."""
    spoken: int = 0
    """How often the pending occurrence was spoken."""
    snoozed_until: str | None = None
    """Aware ISO moment a snoozed occurrence comes back, or None."""
    urgent: bool = False
    """Spoken even inside quiet hours (set on purpose for a quiet-hours time)."""

    @classmethod
    def create(cls, wall: datetime, zone: str, repeat: str | None,
               quiet: QuietHours) -> "Timing":
        """A new reminder whose first occurrence is ``wall`` (naive local)."""
        aware = to_aware(wall, ZoneInfo(zone))
        return cls(format_wall(wall), zone, repeat, format_wall(wall),
                   urgent=quiet.contains(aware))

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.zone)

    @property
    def finished(self) -> bool:
        return self.pending is None

    def to_dict(self) -> dict[str, object]:
        return {"anchor": self.anchor, "zone": self.zone, "repeat": self.repeat,
                "pending": self.pending, "spoken": self.spoken,
                "snoozed_until": self.snoozed_until, "urgent": self.urgent}

    @classmethod
    def from_dict(cls, raw: dict) -> "Timing":
        return cls(str(raw["anchor"]), str(raw["zone"]), raw.get("repeat"), raw.get("pending"),
                   int(raw.get("spoken", 0)), raw.get("snoozed_until"), bool(raw.get("urgent", False)))


def occurrence(timing: Timing) -> datetime | None:
    """The aware moment the pending occurrence was due (before snooze and quiet hours)."""
    if timing.pending is None:
        return None
    return to_aware(parse_wall(timing.pending), timing.tz)


def effective_due(timing: Timing, quiet: QuietHours) -> datetime | None:
    """When the pending occurrence should be spoken: snooze and quiet hours applied."""
    due = occurrence(timing)
    if due is None:
        return None
    if timing.snoozed_until:
        due = datetime.fromisoformat(timing.snoozed_until).astimezone(timing.tz)
    if not timing.urgent and quiet.contains(due):
        due = quiet.end_after(due)
    return due


def check(timing: Timing, now: datetime, quiet: QuietHours) -> str:
    """:data:`WAIT`, :data:`SPEAK` or :data:`MISSED` for the pending occurrence at ``now``."""
    due = effective_due(timing, quiet)
    if due is None or utc(now) < utc(due):
        return WAIT
    local_now = now.astimezone(timing.tz)
    if not timing.urgent and quiet.contains(local_now):
        return WAIT
    if utc(now) - utc(due) > MISSED_AFTER:
        return MISSED
    return SPEAK


def advance(timing: Timing, after: datetime) -> Timing:
    """Close the pending occurrence: the next one after ``after`` (or finished)."""
    base = max(utc(after), utc(occurrence(timing) or after))
    following = next_occurrence(parse_wall(timing.anchor), timing.tz, timing.repeat, base)
    pending = _wall_of(following, timing) if following is not None else None
    return replace(timing, pending=pending, spoken=0, snoozed_until=None)


def _wall_of(moment: datetime, timing: Timing) -> str:
    """The series' wall time on the local date of ``moment`` (keeps 02:30 on a gap day)."""
    anchor_time = parse_wall(timing.anchor).time()
    return format_wall(datetime.combine(moment.astimezone(timing.tz).date(), anchor_time))


def mark_spoken(timing: Timing, now: datetime, snooze: timedelta) -> Timing:
    """The pending occurrence was just spoken: come back after ``snooze`` or close it."""
    spoken = timing.spoken + 1
    if spoken >= MAX_SPOKEN:
        return advance(timing, now)
    until = (_minute(now) + snooze).astimezone(timing.tz).isoformat()
    return replace(timing, spoken=spoken, snoozed_until=until)


def can_snooze(timing_before_speaking: Timing) -> bool:
    """Whether "später" may bring the occurrence back once more."""
    return timing_before_speaking.spoken + 1 < MAX_SPOKEN


def snooze(timing: Timing, now: datetime, minutes: int) -> Timing:
    """"später": the pending occurrence comes back after ``minutes``."""
    until = (_minute(now) + timedelta(minutes=minutes)).astimezone(timing.tz).isoformat()
    return replace(timing, snoozed_until=until)


def _minute(now: datetime) -> datetime:
    """``now`` in UTC on the minute: reminders keep minutes, so "in 10 Minuten" means the tenth minute."""
    return utc(now).replace(second=0, microsecond=0)


def skip_today(timing: Timing, now: datetime) -> Timing:
    """"nicht heute": next occurrence on a later local day (one-off: same time tomorrow)."""
    local_now = now.astimezone(timing.tz)
    end_of_today = to_aware(datetime.combine(local_now.date(), time(23, 59)), timing.tz)
    if timing.repeat is None:
        wall = parse_wall(timing.pending or timing.anchor)
        tomorrow = datetime.combine(local_now.date() + timedelta(days=1), wall.time())
        return replace(timing, anchor=format_wall(tomorrow), pending=format_wall(tomorrow),
                       spoken=0, snoozed_until=None)
    return advance(timing, end_of_today)
