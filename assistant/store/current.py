"""Repositories for what is small and changes in place (``core.json``)."""

from __future__ import annotations

import dataclasses
import re
from datetime import datetime
from typing import Any

from tinydb.table import Document, Table

from assistant.config import ADDRESS_FORMS, COUNTRIES
from assistant.store.errors import StoreUsageError
from assistant.store.tables import Tables
from assistant.store.records import (REMINDER_STATES, REPEATS, PersonSettings, Reminder, SafetyPlan,
                                     require_aware, zone_name)


SINGLE_ID = 1
_HHMM = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")


def _put_single(table: Table, doc: dict[str, Any]) -> None:
    """Write the one document of a single-record table (one atomic write)."""
    if table.contains(doc_id=SINGLE_ID):
        table.update(doc, doc_ids=[SINGLE_ID])
    else:
        table.insert(Document(doc, doc_id=SINGLE_ID))


def _check_setting(name: str, value: Any) -> None:
    choices = {"address": ADDRESS_FORMS, "country": COUNTRIES}
    if value is None and name != "onboarding_done":
        return
    if name in choices and value not in choices[name]:
        raise StoreUsageError(f"{name} must be one of {choices[name]}, got {value!r}")
    if name in ("quiet_start", "quiet_end") and not (isinstance(value, str) and _HHMM.match(value)):
        raise StoreUsageError(f"{name} must be 'HH:MM', got {value!r}")
    if name == "speech_rate" and (not isinstance(value, int) or not 40 <= value <= 500):
        raise StoreUsageError(f"speech_rate must be an int 40..500, got {value!r}")
    if name == "volume" and (not isinstance(value, (int, float)) or not 0 <= value <= 1):
        raise StoreUsageError(f"volume must be 0.0..1.0, got {value!r}")
    if name == "onboarding_done" and not isinstance(value, bool):
        raise StoreUsageError(f"onboarding_done must be a bool, got {value!r}")
    if name == "paused_exercise" and not isinstance(value, dict):
        raise StoreUsageError(f"paused_exercise must be a dict or None, got {value!r}")


class SettingsRepository:
    """The person's own settings (what they changed by voice)."""

    def __init__(self, store: Tables) -> None:
        self._store = store

    @property
    def _table(self) -> Table:
        return self._store.core.table("settings")

    def get(self) -> PersonSettings:
        doc = self._table.get(doc_id=SINGLE_ID)
        return PersonSettings.from_doc(doc) if doc is not None else PersonSettings()

    def update(self, **changes: Any) -> PersonSettings:
        """Change some fields (None resets a field to the config default)."""
        current = self.get()
        for name, value in changes.items():
            if name not in {f.name for f in dataclasses.fields(PersonSettings)}:
                raise StoreUsageError(f"settings have no field {name!r}")
            _check_setting(name, value)
            setattr(current, name, value)
        _put_single(self._table, current.to_doc())
        return current


class Reminders:
    """Spoken reminders; ``when`` keeps its local wall time and IANA zone."""

    def __init__(self, store: Tables) -> None:
        self._store = store

    @property
    def _table(self) -> Table:
        return self._store.core.table("reminders")

    def add(self, what: str, when: datetime, repeat: str | None = None,
            weekday: int | None = None, created_at: datetime | None = None, said: str = "") -> Reminder:
        zone_name(require_aware(when, "when"))
        if repeat == "weekly" and weekday is None:
            weekday = when.weekday()
        reminder = Reminder(what=what, when=when, repeat=repeat, weekday=weekday,
                            created_at=created_at, said=said)
        self._check(reminder)
        reminder.id = str(self._table.insert(reminder.to_doc()))
        return reminder

    def _check(self, reminder: Reminder) -> None:
        if reminder.repeat not in REPEATS:
            raise StoreUsageError(f"repeat must be one of {REPEATS}, got {reminder.repeat!r}")
        if reminder.state not in REMINDER_STATES:
            raise StoreUsageError(f"state must be one of {REMINDER_STATES}, got {reminder.state!r}")
        if reminder.weekday is not None and reminder.weekday not in range(7):
            raise StoreUsageError(f"weekday must be 0..6, got {reminder.weekday!r}")
        if not reminder.what.strip():
            raise StoreUsageError("a reminder needs a 'what'")

    def _doc_id(self, record_id: str) -> int:
        if not str(record_id).isdigit() or not self._table.contains(doc_id=int(record_id)):
            raise StoreUsageError(f"unknown reminder id {record_id!r}")
        return int(record_id)

    def get(self, record_id: str) -> Reminder:
        doc_id = self._doc_id(record_id)
        return Reminder.from_doc(self._table.get(doc_id=doc_id), str(doc_id))

    def update(self, record_id: str, **changes: Any) -> Reminder:
        reminder = self.get(record_id)
        for name, value in changes.items():
            if name == "id" or not hasattr(reminder, name):
                raise StoreUsageError(f"reminders have no field {name!r}")
            setattr(reminder, name, value)
        self._check(reminder)
        self._table.update(reminder.to_doc(), doc_ids=[int(reminder.id)])
        return reminder

    def cancel(self, record_id: str) -> Reminder:
        return self.update(record_id, state="cancelled")

    def all(self) -> list[Reminder]:
        found = [Reminder.from_doc(doc, str(doc.doc_id)) for doc in self._table.all()]
        return sorted(found, key=lambda r: (r.when, int(r.id)))

    def active(self) -> list[Reminder]:
        """Active reminders, soonest first."""
        return [r for r in self.all() if r.state == "active"]


class SafetyPlans:
    """The person's safety plan (one record, six parts)."""

    def __init__(self, store: Tables) -> None:
        self._store = store

    @property
    def _table(self) -> Table:
        return self._store.core.table("safety_plan")

    def get(self) -> SafetyPlan:
        doc = self._table.get(doc_id=SINGLE_ID)
        return SafetyPlan.from_doc(doc) if doc is not None else SafetyPlan()

    def save(self, plan: SafetyPlan, at: datetime) -> SafetyPlan:
        for part in SafetyPlan.PARTS:
            items = getattr(plan, part)
            if not isinstance(items, list) or not all(isinstance(i, str) for i in items):
                raise StoreUsageError(f"safety plan part {part!r} must be a list of strings")
        plan.updated_at = require_aware(at, "at")
        _put_single(self._table, plan.to_doc())
        return plan
