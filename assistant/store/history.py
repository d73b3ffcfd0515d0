"""Repositories for what grows every day; each record lives in its month's file.

Record ids are ``"YYYY-MM-N"`` (month file, TinyDB document id), so an update
finds its file directly. Every method that changes something is one atomic
write of one file.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any, Callable, ClassVar, Generic, TypeVar

from tinydb.table import Table

from assistant.store.errors import StoreUsageError
from assistant.store.tables import Tables
from assistant.store.records import (SAFETY_LEVELS, STEP_STATES, CheckIn, JournalEntry,
                                     PromptUse, SafetyEvent, Step, Who5Result, require_aware)


R = TypeVar("R", CheckIn, Step, JournalEntry, PromptUse, SafetyEvent, Who5Result)
PERIOD = re.compile(r"\d{4}-\d{2}")
RawFilter = Callable[[dict[str, Any]], bool]


def period_of(moment: datetime) -> str:
    """The history file a record at ``moment`` belongs to: its local month, ``YYYY-MM``."""
    return f"{moment.year:04d}-{moment.month:02d}"


def _scale(value: int | None, name: str, top: int = 10) -> int | None:
    if value is not None and (isinstance(value, bool) or not isinstance(value, int)
                              or not 0 <= value <= top):
        raise StoreUsageError(f"{name} must be an int 0..{top} or None, got {value!r}")
    return value


class HistoryRepository(Generic[R]):
    """Shared code: insert into the right month, read back, update by id."""

    table_name: ClassVar[str]
    record_type: ClassVar[type]
    time_field: ClassVar[str] = "at"

    def __init__(self, store: Tables) -> None:
        self._store = store

    def _insert(self, record: R) -> R:
        moment = require_aware(getattr(record, self.time_field), self.time_field)
        period = period_of(moment)
        doc_id = self._store.history_table(self.table_name, period).insert(record.to_doc())
        record.id = f"{period}-{doc_id}"  # type: ignore[union-attr]
        return record

    def _records(self, since: datetime | None = None, raw_filter: RawFilter | None = None,
                 periods: list[str] | None = None) -> list[R]:
        if since is not None:
            require_aware(since, "since")
        chosen = periods if periods is not None else self._store.periods_since(since)
        found: list[R] = []
        for period in chosen:
            table = self._store.history_table(self.table_name, period)
            for doc in table.all():
                if raw_filter is not None and not raw_filter(doc):
                    continue
                record = self.record_type.from_doc(doc, f"{period}-{doc.doc_id}")
                if since is None or getattr(record, self.time_field) >= since:
                    found.append(record)
        found.sort(key=lambda r: getattr(r, self.time_field))
        return found

    def all(self) -> list[R]:
        """Every record, oldest first."""
        return self._records()

    def since(self, since: datetime) -> list[R]:
        """Records at or after ``since``, oldest first."""
        return self._records(since)

    def _locate(self, record_id: str) -> tuple[Table, int]:
        period, _, number = str(record_id).rpartition("-")
        if not (PERIOD.fullmatch(period) and number.isdigit()):
            raise StoreUsageError(f"unknown {self.table_name} id {record_id!r}")
        if period not in self._store.periods():
            raise StoreUsageError(f"unknown {self.table_name} id {record_id!r}")
        table = self._store.history_table(self.table_name, period)
        if not table.contains(doc_id=int(number)):
            raise StoreUsageError(f"unknown {self.table_name} id {record_id!r}")
        return table, int(number)

    def get(self, record_id: str) -> R:
        table, doc_id = self._locate(record_id)
        return self.record_type.from_doc(table.get(doc_id=doc_id), record_id)

    def _update(self, record_id: str, changes: dict[str, Any]) -> R:
        table, doc_id = self._locate(record_id)
        current = self.record_type.from_doc(table.get(doc_id=doc_id), record_id)
        for name, value in changes.items():
            if name == "id" or not hasattr(current, name):
                raise StoreUsageError(f"{self.table_name} has no field {name!r}")
            setattr(current, name, value)
        table.update(current.to_doc(), doc_ids=[doc_id])
        return current


class CheckIns(HistoryRepository[CheckIn]):
    """Check-ins: mood, energy, contact."""

    table_name = "checkins"
    record_type = CheckIn

    def add(self, at: datetime, mood: int | None = None, energy: int | None = None,
            contact: bool | None = None, note: str = "") -> CheckIn:
        return self._insert(CheckIn(at=at, mood=_scale(mood, "mood"),
                                    energy=_scale(energy, "energy"), contact=contact, note=note))

    def update(self, record_id: str, **changes: Any) -> CheckIn:
        for name in ("mood", "energy"):
            if name in changes:
                _scale(changes[name], name)
        return self._update(record_id, changes)

    def recent(self, since: datetime) -> list[CheckIn]:
        return self._records(since)


class Steps(HistoryRepository[Step]):
    """Small steps: offered, then accepted (maybe reworded), done or declined."""

    table_name = "steps"
    record_type = Step
    time_field = "offered_at"

    def add(self, key: str, label: str, at: datetime, state: str = "offered") -> Step:
        """Store a step in ``state``; the matching ``*_at`` times are set to ``at``."""
        if state not in STEP_STATES:
            raise StoreUsageError(f"step state must be one of {STEP_STATES}, got {state!r}")
        step = Step(key=key, label=label, offered_at=at, state=state)
        if state in ("accepted", "done"):
            step.accepted_at = at
        if state == "done":
            step.done_at = at
        if state == "declined":
            step.declined_at = at
        return self._insert(step)

    def offer(self, key: str, label: str, at: datetime) -> Step:
        return self.add(key, label, at)

    def accept(self, record_id: str, at: datetime, label: str | None = None) -> Step:
        changes: dict[str, Any] = {"state": "accepted", "accepted_at": require_aware(at)}
        if label is not None:
            changes["label"] = label
        return self._update(record_id, changes)

    def decline(self, record_id: str, at: datetime) -> Step:
        return self._update(record_id, {"state": "declined", "declined_at": require_aware(at)})

    def mark_done(self, record_id: str, at: datetime) -> Step:
        step = self.get(record_id)
        changes: dict[str, Any] = {"state": "done", "done_at": require_aware(at)}
        if step.accepted_at is None:
            changes["accepted_at"] = at
        return self._update(record_id, changes)

    def open(self, since: datetime | None = None) -> list[Step]:
        """Accepted, not yet done; without ``since``, from the newest three month files."""
        periods = self._store.periods()[-3:] if since is None else None
        return self._records(since, lambda d: d.get("state") == "accepted", periods)

    def offered_since(self, since: datetime) -> list[Step]:
        """Every step offered at or after ``since`` (any state), for variety."""
        return self._records(since)


class Journal(HistoryRepository[JournalEntry]):
    """Answers from reflection exercises."""

    table_name = "journal"
    record_type = JournalEntry

    def add(self, at: datetime, exercise: str, question: str, text: str) -> JournalEntry:
        return self._insert(JournalEntry(at=at, exercise=exercise, question=question, text=text))


class PromptHistory(HistoryRepository[PromptUse]):
    """Which prompt variant was spoken when (for not repeating oneself)."""

    table_name = "prompt_history"
    record_type = PromptUse

    def record(self, key: str, variant: int, at: datetime) -> PromptUse:
        return self._insert(PromptUse(key=key, variant=int(variant), at=at))

    def uses(self, keys: frozenset[str] | set[str], since: datetime) -> list[PromptUse]:
        """Uses of any of ``keys`` at or after ``since``, oldest first.

        Filters the raw documents by key before building records (building every record of a
        month first costs about 30 ms with years of data).
        """
        return self._records(since, lambda doc: doc.get("key") in keys)

    def used_since(self, key: str, since: datetime) -> set[int]:
        """Variant indices of ``key`` spoken at or after ``since``."""
        return {use.variant for use in self._records(since, lambda d: d.get("key") == key)}


class SafetyEvents(HistoryRepository[SafetyEvent]):
    """Safety detections: time and level only, never what was said."""

    table_name = "safety_events"
    record_type = SafetyEvent

    def add(self, level: str, at: datetime) -> SafetyEvent:
        if level not in SAFETY_LEVELS:
            raise StoreUsageError(f"safety level must be one of {SAFETY_LEVELS}, got {level!r}")
        return self._insert(SafetyEvent(at=at, level=level))


class Who5(HistoryRepository[Who5Result]):
    """WHO-5 well-being results."""

    table_name = "who5"
    record_type = Who5Result

    def add(self, at: datetime, answers: list[int]) -> Who5Result:
        """Store the five item answers (each 0..5); raw and percent are computed."""
        if len(answers) != 5:
            raise StoreUsageError(f"WHO-5 needs 5 answers, got {len(answers)}")
        for answer in answers:
            _scale(answer, "WHO-5 answer", top=5)
        raw = sum(answers)
        return self._insert(Who5Result(at=at, raw=raw, percent=raw * 4, answers=list(answers)))

    def recent(self, since: datetime) -> list[Who5Result]:
        return self._records(since)
