"""Typed records the repositories hand out (dataclasses, one per table).

Every datetime given to the store must be timezone-aware (from the clock).
On disk, history times are ISO strings with their UTC offset
(``2026-11-27T09:00:00+01:00``); reminders keep the local wall time and the
IANA zone name, so "every day at 9" stays 9:00 across daylight saving time.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, ClassVar, get_args, get_type_hints
from zoneinfo import ZoneInfo

from assistant.store.errors import StoreUsageError

STEP_STATES = ("offered", "accepted", "done", "declined")
REMINDER_STATES = ("active", "done", "cancelled")
REPEATS = (None, "daily", "weekdays", "weekly")
SAFETY_LEVELS = ("concern", "acute")
WALL_FORMAT = "%Y-%m-%dT%H:%M"


def require_aware(moment: datetime, what: str = "time") -> datetime:
    """Reject naive datetimes: the store only takes times from the clock."""
    if not isinstance(moment, datetime) or moment.tzinfo is None or moment.utcoffset() is None:
        raise StoreUsageError(f"{what} must be a timezone-aware datetime, got {moment!r}")
    return moment


def zone_name(moment: datetime) -> str:
    """The IANA name of an aware datetime's zone (``key`` of a ZoneInfo)."""
    key = getattr(moment.tzinfo, "key", None)
    if not key:
        raise StoreUsageError(f"reminder times need an IANA zone (ZoneInfo), got {moment.tzinfo!r}")
    return str(key)


class Record:
    """Mixin: convert a dataclass to and from a JSON-ready TinyDB document."""

    _datetime_fields: ClassVar[tuple[str, ...]] = ()

    @classmethod
    def _classify(cls) -> None:
        hints = get_type_hints(cls)
        names = [f.name for f in dataclasses.fields(cls)]  # type: ignore[arg-type]
        cls._datetime_fields = tuple(n for n in names
                                     if hints[n] is datetime or datetime in get_args(hints[n]))

    def to_doc(self) -> dict[str, Any]:
        doc: dict[str, Any] = {}
        for item in dataclasses.fields(self):  # type: ignore[arg-type]
            if item.name == "id":
                continue
            value = getattr(self, item.name)
            if isinstance(value, datetime):
                value = require_aware(value, item.name).isoformat()
            elif isinstance(value, (list, tuple)):
                value = list(value)
            elif isinstance(value, dict):
                value = dict(value)
            doc[item.name] = value
        return doc

    @classmethod
    def from_doc(cls, doc: dict[str, Any], record_id: str = "") -> Any:
        known = {f.name for f in dataclasses.fields(cls)}  # type: ignore[arg-type]
        values = {k: v for k, v in doc.items() if k in known}
        for name in cls._datetime_fields:
            if isinstance(values.get(name), str):
                values[name] = datetime.fromisoformat(values[name])
        for name, value in values.items():
            if isinstance(value, list):
                values[name] = list(value)
        if "id" in known:
            values["id"] = record_id
        return cls(**values)


@dataclass
class CheckIn(Record):
    """One check-in: mood, energy and whether there was contact today."""

    at: datetime
    """When the check-in happened."""
    mood: int | None = None
    """Mood 0 (very bad) .. 10 (very good); None when skipped."""
    energy: int | None = None
    """Energy 0..10 (the dialogue maps low/medium/high to 2/5/8); None when skipped."""
    contact: bool | None = None
    """Had contact with someone today; None when skipped."""
    note: str = ""
    """Anything the person added in their own words."""
    id: str = ""
    """Store id (set by the store)."""

    @property
    def energy_level(self) -> str | None:
        """``low`` (0-3), ``medium`` (4-6) or ``high`` (7-10)."""
        if self.energy is None:
            return None
        return "low" if self.energy <= 3 else "medium" if self.energy <= 6 else "high"


@dataclass
class Step(Record):
    """A small step towards other people, from offer to done or declined."""

    key: str
    """Catalogue key of the step (prompt key), used for variety."""
    label: str
    """What the step was, as the person agreed to it (German, for the review)."""
    offered_at: datetime
    state: str = "offered"
    """One of ``offered``, ``accepted``, ``done``, ``declined``."""
    accepted_at: datetime | None = None
    done_at: datetime | None = None
    declined_at: datetime | None = None
    id: str = ""


@dataclass
class JournalEntry(Record):
    """One answer the person gave in a reflection exercise."""

    at: datetime
    exercise: str
    """Exercise id."""
    question: str
    """Prompt key of the question that was asked."""
    text: str
    """The person's answer, verbatim."""
    id: str = ""


@dataclass
class Reminder(Record):
    """A spoken reminder; ``when`` is the local wall time in its IANA zone."""

    what: str
    when: datetime
    """Next due time (aware; stored as wall time plus zone name)."""
    repeat: str | None = None
    """``daily``, ``weekdays``, ``weekly`` or None for once."""
    weekday: int | None = None
    """0 = Monday .. 6 = Sunday, for ``weekly``."""
    state: str = "active"
    """``active``, ``done`` or ``cancelled``."""
    snoozed_until: datetime | None = None
    times_spoken: int = 0
    last_spoken: datetime | None = None
    created_at: datetime | None = None
    said: str = ""
    """The content as the person said it, with its article ("den arzttermin"); empty in older data."""
    id: str = ""

    def to_doc(self) -> dict[str, Any]:
        doc = super().to_doc()
        doc["zone"] = zone_name(require_aware(self.when, "when"))
        for name in ("when", "snoozed_until", "last_spoken", "created_at"):
            value = getattr(self, name)
            if value is not None:
                local = require_aware(value, name).astimezone(self.when.tzinfo)
                doc[name] = local.strftime(WALL_FORMAT) if name == "when" else local.isoformat()
        return doc

    @classmethod
    def from_doc(cls, doc: dict[str, Any], record_id: str = "") -> "Reminder":
        zone = ZoneInfo(doc["zone"])
        copy = dict(doc)
        copy["when"] = datetime.strptime(doc["when"], WALL_FORMAT).replace(tzinfo=zone)
        record: Reminder = super().from_doc(copy, record_id)
        for name in ("snoozed_until", "last_spoken", "created_at"):
            value = getattr(record, name)
            if value is not None:
                setattr(record, name, value.astimezone(zone))
        return record


@dataclass
class PersonSettings(Record):
    """What the person changed by voice; None means "use the config file"."""

    address: str | None = None
    """``du`` or ``sie``."""
    country: str | None = None
    """``DE``, ``AT`` or ``CH`` (crisis numbers)."""
    speech_rate: int | None = None
    """espeak words per minute."""
    volume: float | None = None
    """0.0 .. 1.0."""
    quiet_start: str | None = None
    """Start of quiet hours, ``HH:MM``."""
    quiet_end: str | None = None
    onboarding_done: bool = False
    paused_exercise: dict[str, Any] | None = None
    """Free-form JSON state of an interrupted exercise, for resuming it."""


@dataclass
class PromptUse(Record):
    """One spoken prompt variant, for "do not repeat yourself"."""

    key: str
    variant: int
    at: datetime
    id: str = ""


@dataclass
class SafetyEvent(Record):
    """A safety detection: only when and how serious, never the words."""

    at: datetime
    level: str
    """``concern`` or ``acute``."""
    id: str = ""


@dataclass
class SafetyPlan(Record):
    """A personal safety plan in the six parts of Stanley and Brown."""

    warning_signs: list[str] = field(default_factory=list)
    """1. Signs that a crisis may be coming."""
    coping_strategies: list[str] = field(default_factory=list)
    """2. Things the person can do alone to feel a little better."""
    distractions: list[str] = field(default_factory=list)
    """3. People and places that take the mind off things."""
    people_to_ask: list[str] = field(default_factory=list)
    """4. People the person can ask for help."""
    professionals: list[str] = field(default_factory=list)
    """5. Professionals and crisis services to contact."""
    safe_environment: list[str] = field(default_factory=list)
    """6. What makes the surroundings safer."""
    updated_at: datetime | None = None

    PARTS: ClassVar[tuple[str, ...]] = ("warning_signs", "coping_strategies", "distractions",
                                        "people_to_ask", "professionals", "safe_environment")


@dataclass
class Who5Result(Record):
    """One WHO-5 well-being index result."""

    at: datetime
    raw: int
    """Sum of the five items, 0..25."""
    percent: int
    """raw * 4, 0..100."""
    answers: list[int] = field(default_factory=list)
    """The five item answers, each 0..5."""
    id: str = ""


for _cls in (CheckIn, Step, JournalEntry, Reminder, PersonSettings, PromptUse, SafetyEvent,
             SafetyPlan, Who5Result):
    _cls._classify()
