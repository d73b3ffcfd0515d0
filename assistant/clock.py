"""Clocks: the only place that asks the operating system for the time.

Everything else gets a :class:`Clock` and calls ``clock.now()``, so tests and
``--now`` can run the whole assistant at any simulated moment.
"""

from __future__ import annotations

import os
import time
from datetime import datetime, timedelta, timezone, tzinfo
from pathlib import Path
from typing import Protocol
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from assistant.errors import BegleiterError

NOW_FORMAT = "%Y-%m-%dT%H:%M"


class Clock(Protocol):
    """Something that tells the current local time (timezone-aware)."""

    zone: tzinfo

    def now(self) -> datetime: ...


def local_zone(name: str = "") -> ZoneInfo:
    """The IANA zone to use: ``name`` if given, else the system's, else Europe/Berlin."""
    candidates = [name] if name else []
    candidates.append(os.environ.get("TZ", "").lstrip(":"))
    try:
        link = os.readlink("/etc/localtime")
        candidates.append(link.split("zoneinfo/", 1)[-1])
    except OSError:
        pass
    timezone_file = Path("/etc/timezone")
    if timezone_file.is_file():
        candidates.append(timezone_file.read_text(encoding="utf-8").strip())
    for candidate in candidates:
        if not candidate:
            continue
        try:
            return ZoneInfo(candidate)
        except (ZoneInfoNotFoundError, ValueError):
            if candidate == name:
                raise BegleiterError(f"Die Zeitzone „{name}“ kenne ich nicht.") from None
    return ZoneInfo("Europe/Berlin")


class SystemClock:
    """The real wall clock in the given zone."""

    def __init__(self, zone: tzinfo) -> None:
        self.zone = zone

    def now(self) -> datetime:
        return datetime.now(self.zone).replace(microsecond=0)


class SimulatedClock:
    """A clock that starts at a chosen local time and then runs in real time.

    ``advance`` moves it forward without waiting (used by tests).
    """

    def __init__(self, start: datetime, zone: tzinfo) -> None:
        self.zone = zone
        local = start if start.tzinfo else start.replace(tzinfo=zone)
        # Arithmetic on aware datetimes is wall-clock arithmetic; do it in UTC
        # so that a simulated hour across a daylight-saving change is an hour.
        self._start = local.astimezone(timezone.utc)
        self._started_at = time.monotonic()
        self._offset = timedelta()

    def now(self) -> datetime:
        elapsed = timedelta(seconds=time.monotonic() - self._started_at)
        moment = (self._start + elapsed + self._offset).astimezone(self.zone)
        return moment.replace(microsecond=0)

    def advance(self, delta: timedelta) -> None:
        self._offset += delta


def parse_now(text: str) -> datetime:
    """Parse ``--now YYYY-MM-DDTHH:MM`` (naive local time); German error when malformed."""
    try:
        return datetime.strptime(text.strip(), NOW_FORMAT)
    except ValueError:
        raise BegleiterError(
            f"Die Zeitangabe „{text}“ verstehe ich nicht. Bitte so: 2026-11-27T09:00."
        ) from None


def make_clock(now: str | None, zone: tzinfo) -> Clock:
    """The system clock, or a simulated one starting at ``now``."""
    if now:
        return SimulatedClock(parse_now(now), zone)
    return SystemClock(zone)
