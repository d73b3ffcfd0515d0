"""The active reminders, soonest first and numbered: what listing and cancelling both say.

Lower than ``reminders.py`` (setting) and ``reminder_cancel.py`` (cancelling), which use it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from assistant.dialog import schedule
from assistant.dialog.flows.base import Flow, Outcome
from assistant.dialog.reminder_book import describe
from assistant.dialog.reminder_text import ReminderText
from assistant.dialog.timephrase import TimePhrases
from assistant.nlu.result import NluResult
from assistant.store import Reminder

if TYPE_CHECKING:
    from assistant.dialog.context import Context

LIST_MAX = 6


def ordered(ctx: "Context") -> list[Reminder]:
    """Active reminders, soonest first: the numbering the person hears."""
    return sorted(ctx.memory.store.reminders.active(), key=lambda r: schedule.utc(r.when))


def list_outcome(ctx: "Context") -> Outcome:
    """Say the active reminders, numbered, soonest first."""
    reminders = ordered(ctx)
    if not reminders:
        return Outcome((ctx.say("reminders.list_none"),), done=True)
    lead = ctx.say("reminders.list_one") if len(reminders) == 1 else ctx.say("reminders.list_many",
                                                                          count=len(reminders))
    phrases, now = TimePhrases(ctx.prompts, ctx.address), ctx.now()
    text = ReminderText(ctx.prompts, ctx.address)
    items = [ctx.say("reminders.list_item", number=index, when=describe(phrases, reminder, now),
                     what=text.shown(reminder.said or reminder.what))
             for index, reminder in enumerate(reminders[:LIST_MAX], start=1)]
    return Outcome((lead, *items), done=True)


class ReminderListFlow(Flow):
    """One turn: the list."""

    name = "reminder_list"

    def start(self, ctx: "Context", result: NluResult | None) -> Outcome:
        return list_outcome(ctx)

    def handle(self, ctx: "Context", result: NluResult) -> Outcome:
        return Outcome((), done=True, unhandled=True)
