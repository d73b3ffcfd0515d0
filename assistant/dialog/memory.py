"""The dialogue's view of the store: the few questions the flows ask of it.

A thin adapter over :mod:`assistant.store` (no persistence of its own): it
keeps store details (repositories, record fields) out of the flows, and gives
variety (:mod:`assistant.dialog.variety`) its history.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from assistant.dialog.variety import window_start
from assistant.store import CheckIn, Step, Store

LOOKBACK_DAYS = 90
"""How far back "when was this last said" looks."""
STEP_STATE_CALLS = {"accepted": "accept", "declined": "decline", "done": "mark_done"}


def _midnight(now: datetime) -> datetime:
    return window_start(now, 1)


class Memory:
    """What the dialogue remembers, backed by the store."""

    def __init__(self, store: Store) -> None:
        self.store = store

    # -- person settings -------------------------------------------------------------

    def setting(self, name: str, default: Any) -> Any:
        value = getattr(self.store.settings.get(), name)
        return default if value is None else value

    def set_setting(self, name: str, value: Any) -> None:
        self.store.settings.update(**{name: value})

    # -- prompt history (variety) ------------------------------------------------------

    def _uses(self, keys: frozenset[str], since: datetime) -> list:
        """Prompt uses of ``keys`` since ``since``, oldest first."""
        return self.store.prompt_history.uses(keys, since)

    def last_uses(self, key: str, since: datetime) -> dict[int, datetime]:
        return {use.variant: use.at for use in self._uses(frozenset((key,)), since)}

    def record_use(self, key: str, variant: int, at: datetime) -> None:
        self.store.prompt_history.record(key, variant, at)

    def said_today(self, key: str, now: datetime) -> bool:
        return bool(self.store.prompt_history.used_since(key, _midnight(now)))

    def last_said(self, key: str, now: datetime) -> datetime | None:
        """When ``key`` was last said (within :data:`LOOKBACK_DAYS` before ``now``), else None."""
        uses = self._uses(frozenset((key,)), now - timedelta(days=LOOKBACK_DAYS))
        return uses[-1].at if uses else None

    # -- check-ins ------------------------------------------------------------------------

    def add_checkin(self, at: datetime, mood: int | None, energy: int | None, contact: bool | None) -> CheckIn:
        return self.store.checkins.add(at, mood=mood, energy=energy, contact=contact)

    def checkins_since(self, since: datetime) -> list[CheckIn]:
        return self.store.checkins.recent(since)

    def checked_in_today(self, now: datetime) -> bool:
        return bool(self.checkins_since(_midnight(now)))

    def energy_today(self, now: datetime) -> str | None:
        """``low``/``medium``/``high`` from today's last check-in, if any."""
        levels = [c.energy_level for c in self.checkins_since(_midnight(now)) if c.energy is not None]
        return levels[-1] if levels else None

    # -- small steps ------------------------------------------------------------------------

    def offer_step(self, key: str, label: str, at: datetime) -> str:
        return self.store.steps.offer(key, label, at).id

    def set_step_state(self, record_id: str, state: str, at: datetime) -> None:
        getattr(self.store.steps, STEP_STATE_CALLS[state])(record_id, at)

    def steps_since(self, since: datetime) -> list[Step]:
        """Steps offered since ``since``, newest first."""
        return list(reversed(self.store.steps.offered_since(since)))

    def step_offered_today(self, now: datetime) -> bool:
        return bool(self.steps_since(_midnight(now)))

    # -- journal and safety -------------------------------------------------------------------

    def add_journal(self, at: datetime, exercise: str, question: str, text: str) -> None:
        self.store.journal.add(at, exercise=exercise, question=question, text=text)

    def add_safety_event(self, at: datetime, level: str) -> None:
        self.store.safety_events.add(level, at)
