"""Variety: pick a prompt variant at random, but not one heard in the last days.

A variant used on day D is available again from day D + ``REPEAT_DAYS`` on
(calendar days, local time). When every variant was used within that window
(a prompt heard several times a day), the least recently used one is taken.
The history lives in the store (``prompt_history``), so it survives restarts.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from typing import Protocol

REPEAT_DAYS = 3
"""A variant is not used again within this many calendar days."""


class PromptHistory(Protocol):
    """What variety needs from the store."""

    def last_uses(self, key: str, since: datetime) -> dict[int, datetime]:
        """For each variant index of ``key`` used since ``since``: when it was last used."""
        ...

    def record_use(self, key: str, variant: int, at: datetime) -> None: ...


def window_start(now: datetime, days: int = REPEAT_DAYS) -> datetime:
    """Midnight of the first calendar day inside the no-repeat window ending today."""
    first_day = (now - timedelta(days=days - 1)).date()
    return datetime.combine(first_day, datetime.min.time(), tzinfo=now.tzinfo)


class VariantPicker:
    """Chooses variants and records the choice."""

    def __init__(self, history: PromptHistory, rng: random.Random) -> None:
        self.history = history
        self.rng = rng
        self._picks = 0
        self._picked_at: dict[tuple[str, int], int] = {}
        """When (pick number) each variant was last chosen in this session: breaks ties
        between uses stored within the same second."""

    def pick(self, key: str, count: int, now: datetime) -> int:
        """The variant index to use for ``key`` (with ``count`` variants) now."""
        if count <= 1:
            return 0
        used = self.history.last_uses(key, window_start(now))
        fresh = [index for index in range(count) if index not in used]
        if fresh:
            choice = self.rng.choice(fresh)
        else:
            choice = min(range(count), key=lambda index: (used[index], self._picked_at.get((key, index), -1)))
        self._picks += 1
        self._picked_at[(key, choice)] = self._picks
        self.history.record_use(key, choice, now)
        return choice
