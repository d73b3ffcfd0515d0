"""The bridge between stored reminders and the pure timing rules of :mod:`schedule`.

A stored :class:`~assistant.store.Reminder` keeps the pending occurrence as a
local wall time in its IANA zone (``when``), how often it was spoken
(``times_spoken``) and a snooze moment. :func:`timing_of` turns it into a
:class:`~assistant.dialog.schedule.Timing`; :func:`save_timing` writes a changed
timing back in one atomic store write. A reminder whose own time of day lies
in quiet hours counts as urgent (the person chose that time on purpose).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from assistant.config import ReminderSettings
from assistant.dialog.schedule import QuietHours, Timing, format_wall, parse_wall, to_aware
from assistant.dialog.timephrase import TimePhrases
from assistant.store import Reminder


@dataclass(frozen=True)
class ReminderPolicy:
    """Quiet hours and snooze length (config file, overridden by the person's settings)."""

    quiet: QuietHours = QuietHours()
    snooze_minutes: int = 15

    @classmethod
    def from_settings(cls, settings: ReminderSettings) -> "ReminderPolicy":
        return cls(QuietHours.from_text(settings.quiet_start, settings.quiet_end), settings.snooze_minutes)

    def for_person(self, memory: Any) -> "ReminderPolicy":
        """Quiet hours the person set by voice win over the config file."""
        start = memory.setting("quiet_start", None)
        end = memory.setting("quiet_end", None)
        if start is None and end is None:
            return self
        quiet = QuietHours.from_text(start or self.quiet.start.strftime("%H:%M"),
                                     end or self.quiet.end.strftime("%H:%M"))
        return ReminderPolicy(quiet, self.snooze_minutes)

    @property
    def snooze(self) -> timedelta:
        return timedelta(minutes=self.snooze_minutes)


def zone_of(reminder: Reminder) -> ZoneInfo:
    zone = reminder.when.tzinfo
    return zone if isinstance(zone, ZoneInfo) else ZoneInfo(str(getattr(zone, "key", "UTC")))


def timing_of(reminder: Reminder, quiet: QuietHours) -> Timing:
    """The schedule view of a stored reminder."""
    zone = zone_of(reminder)
    wall = format_wall(reminder.when.replace(tzinfo=None))
    snoozed = reminder.snoozed_until.isoformat() if reminder.snoozed_until else None
    urgent = quiet.contains(to_aware(parse_wall(wall), zone))
    return Timing(wall, zone.key, reminder.repeat, wall, reminder.times_spoken, snoozed, urgent)


def wall_datetime(wall: str, zone: ZoneInfo) -> datetime:
    """A stored wall time with its zone attached as is (no normalisation: 02:30 stays 02:30)."""
    return parse_wall(wall).replace(tzinfo=zone)


def save_timing(store: Any, reminder: Reminder, timing: Timing, spoken_at: datetime | None = None) -> Reminder:
    """Write ``timing`` back to the store (finished one-off reminders become ``done``)."""
    zone = zone_of(reminder)
    changes: dict[str, Any] = {
        "times_spoken": timing.spoken,
        "snoozed_until": datetime.fromisoformat(timing.snoozed_until) if timing.snoozed_until else None,
    }
    if timing.pending is None:
        changes["state"] = "done"
    else:
        changes["when"] = wall_datetime(timing.pending, zone)
        changes["state"] = "active"
    if spoken_at is not None:
        changes["last_spoken"] = spoken_at
    return store.reminders.update(reminder.id, **changes)


def describe(phrases: TimePhrases, reminder: Reminder, now: datetime, next_only: bool = False) -> str:
    """When ``reminder`` comes, as a phrase: "jeden Tag um 8 Uhr", or with ``next_only``
    (and for one-off reminders) its next occurrence, "morgen, Freitag, um 9 Uhr"."""
    local_now = now.astimezone(zone_of(reminder)).replace(tzinfo=None)
    repeat = None if next_only else reminder.repeat
    return phrases.when(reminder.when.replace(tzinfo=None), local_now, repeat)
