"""Natural German time phrases for reminders, built from ``prompts_de/reminders.toml``.

"morgen, Freitag, um 9 Uhr", "jeden Tag um 19:30 Uhr", "gestern Abend".
All words come from the prompt file (fragments ``reminders.when.*``,
``reminders.clock.*``, ``reminders.past.*``); this module only decides which
fragment fits. Times are written as people write them ("19:30 Uhr"); the speech side
says them as people say them (:mod:`assistant.speech.spoken`).
"""

from __future__ import annotations

from datetime import datetime

from assistant.dialog.prompts import PromptBook

WHEN = "reminders.when"
PART_STARTS = (0, 5, 11, 14, 18)
"""Hours at which night, morning, noon, afternoon and evening begin."""


class TimePhrases:
    """Renders time phrases in one address form (fragments are the same in du and Sie)."""

    def __init__(self, prompts: PromptBook, address: str = "du") -> None:
        self.prompts = prompts
        self.address = address

    def _render(self, key: str, **data: object) -> str:
        return self.prompts.render(key, self.address, 0, data)

    def _weekday(self, moment: datetime) -> str:
        return self.prompts[f"{WHEN}.on_weekday"].attrs["weekdays"][moment.weekday()]

    def clock(self, moment: datetime) -> str:
        """"9 Uhr" or "19:30 Uhr"."""
        if moment.minute == 0:
            return self._render("reminders.clock.full", hour=moment.hour)
        return self._render("reminders.clock.minutes", hour=moment.hour, minute=f"{moment.minute:02d}")

    def when(self, wall: datetime, now: datetime, repeat: str | None = None) -> str:
        """When a reminder (local wall time ``wall``) comes, seen from ``now`` (local)."""
        time = self.clock(wall)
        if repeat == "daily":
            return self._render(f"{WHEN}.daily", time=time)
        if repeat == "weekdays":
            return self._render(f"{WHEN}.weekdays", time=time)
        if repeat == "weekly":
            return self._render(f"{WHEN}.weekly", weekday=self._weekday(wall), time=time)
        days = (wall.date() - now.date()).days
        if days == 0:
            return self._render(f"{WHEN}.today", time=time)
        if days == 1:
            return self._render(f"{WHEN}.tomorrow", weekday=self._weekday(wall), time=time)
        if 1 < days < 7:
            return self._render(f"{WHEN}.on_weekday", weekday=self._weekday(wall), time=time)
        month = self.prompts[f"{WHEN}.on_weekday"].attrs["months"][wall.month - 1]
        return self._render(f"{WHEN}.on_date", weekday=self._weekday(wall), day=wall.day,
                            month=month, time=time)

    def past(self, moment: datetime, now: datetime) -> str:
        """"heute Morgen", "gestern Abend" or "am Dienstag" for a moment before ``now``."""
        days = (now.date() - moment.date()).days
        if days >= 2:
            return self._render("reminders.past.on_weekday", weekday=self._weekday(moment))
        parts = self.prompts["reminders.past.today"].attrs["parts"]
        index = max(i for i, start in enumerate(PART_STARTS) if moment.hour >= start)
        key = "reminders.past.today" if days <= 0 else "reminders.past.yesterday"
        return self._render(key, part=parts[index])


def capitalized(text: str) -> str:
    """``text`` with a capital first letter, for the start of a sentence."""
    return text[:1].upper() + text[1:]
