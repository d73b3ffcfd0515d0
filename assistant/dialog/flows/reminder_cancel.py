"""Cancelling a reminder (``reminder_cancel``, slots ``position`` or ``what``).

By its number in the list the person hears ("die zweite", "nummer 2", "die
letzte") or by content ("die mit Anna": fuzzy, and only when one reminder fits
clearly better than the others); always confirmed with yes/no before deleting.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rapidfuzz import fuzz

from assistant.dialog.flows.base import FREE_TEXT, YES_NO, Flow, Outcome
from assistant.dialog.flows.reminder_list import list_outcome, ordered
from assistant.dialog.reminder_book import describe
from assistant.dialog.reminder_text import ReminderText
from assistant.dialog.timephrase import TimePhrases, capitalized
from assistant.nlu.normalize import fold, tokenize
from assistant.nlu.reminders import find_position
from assistant.nlu.result import NluResult
from assistant.store import Reminder

if TYPE_CHECKING:
    from assistant.dialog.context import Context

MATCH_MIN = 70
MATCH_MARGIN = 8


def _text_of(result: NluResult) -> str:
    return str(result.slots.get("text") or result.text).strip()


def position_in(result: NluResult, count: int) -> int | None:
    """A 1-based position from the ``position`` slot or the words ("die zweite", "die letzte")."""
    value = result.slots.get("position")
    if not isinstance(value, int) or isinstance(value, bool):
        value = find_position(tokenize(_text_of(result)).folded)
    if value == -1:
        return count
    return value if value is not None and 1 <= value <= count else None


def by_content(reminders: list[Reminder], query: str) -> Reminder | None:
    """The one reminder whose content fits ``query`` clearly best (None when unclear)."""
    folded = fold(query)
    if not folded:
        return None
    scored = sorted(((_score(folded, fold(r.what)), index) for index, r in enumerate(reminders)),
                    reverse=True)
    if not scored or scored[0][0] < MATCH_MIN:
        return None
    if len(scored) > 1 and scored[0][0] - scored[1][0] < MATCH_MARGIN:
        return None
    return reminders[scored[0][1]]


def _score(query: str, what: str) -> float:
    return max(fuzz.partial_ratio(query, what), fuzz.token_set_ratio(query, what))


class ReminderCancelFlow(Flow):
    """Find the reminder, confirm, delete."""

    name = "reminder_cancel"
    own_intents = frozenset({"reminder_cancel"})

    def __init__(self) -> None:
        self.target: Reminder | None = None
        self.asked = False

    def _find(self, ctx: "Context", result: NluResult, reminders: list[Reminder]) -> Reminder | None:
        position = position_in(result, len(reminders))
        if position is not None:
            return reminders[position - 1]
        query = result.slots.get("what") or (_text_of(result) if self.asked else "")
        return by_content(reminders, str(query)) if query else None

    def start(self, ctx: "Context", result: NluResult | None) -> Outcome:
        reminders = ordered(ctx)
        if not reminders:
            return Outcome((ctx.say("reminders.list_none"),), done=True)
        self.target = reminders[0] if len(reminders) == 1 else (
            self._find(ctx, result, reminders) if result else None)
        if self.target is not None:
            return self.reprompt(ctx)
        self.asked = True
        listing = list_outcome(ctx)
        return Outcome((*listing.replies, ctx.say("reminders.cancel_which")), FREE_TEXT)

    def reprompt(self, ctx: "Context") -> Outcome:
        if self.target is None:
            return Outcome((ctx.say("reminders.cancel_which"),), FREE_TEXT)
        when = describe(TimePhrases(ctx.prompts, ctx.address), self.target, ctx.now())
        return Outcome((ctx.say("reminders.cancel_confirm", when=capitalized(when), what=ReminderText(ctx.prompts, ctx.address).shown(self.target.said or self.target.what)),),
                       YES_NO)

    def park(self, ctx: "Context") -> tuple:
        """Another topic before the yes: nothing was deleted, and the person hears so."""
        return (ctx.say("reminders.cancel_parked"),)

    def handle(self, ctx: "Context", result: NluResult) -> Outcome:
        if self.target is None:
            self.target = self._find(ctx, result, ordered(ctx))
            if self.target is None:
                return Outcome((ctx.say("reminders.cancel_not_found"),), done=True)
            return self.reprompt(ctx)
        if result.intent == "yes":
            ctx.memory.store.reminders.cancel(self.target.id)
            return Outcome((ctx.say("reminders.cancelled"),), done=True)
        if result.intent in ("no", "skip"):
            return Outcome((ctx.say("reminders.cancel_kept"),), done=True)
        return self.unclear(ctx, "dialog.unclear_yes_no", YES_NO)
