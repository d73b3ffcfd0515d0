"""The WHO-5 well-being index as a short spoken questionnaire, offered in the check-in.

:func:`after_checkin` is the hook for the check-in: it returns the flow that
should follow the check-in, which is a WHO-5 offer (every 14 days, see
:func:`assistant.dialog.who5.is_due`) that hands over to ``then`` (the small
step offer) whether the person says yes or no. A decline is remembered through
the prompt history (``who5.declined``), so the offer pauses for a week. It is
not offered in the first :data:`GETTING_STARTED_DAYS` days after the first check-in.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from assistant.dialog import who5
from assistant.dialog.flows.base import FREE_TEXT, YES_NO, Flow, Outcome
from assistant.dialog.turn import Expectation
from assistant.nlu.result import NluResult

if TYPE_CHECKING:
    from assistant.dialog.context import Context

LOOKBACK = timedelta(days=400)
GETTING_STARTED_DAYS = 7
"""The first week is for getting to know each other: no questionnaire yet."""


def last_result(ctx: "Context"):
    results = ctx.memory.store.who5.recent(ctx.now() - LOOKBACK)
    return results[-1] if results else None


def offer_due(ctx: "Context") -> bool:
    """Every 14 days, a week after a decline, and not in the first week of use."""
    now = ctx.now()
    first = ctx.memory.store.checkins.since(now - LOOKBACK)
    if not first or (now - first[0].at) < timedelta(days=GETTING_STARTED_DAYS):
        return False
    last = last_result(ctx)
    declined = ctx.memory.last_said("who5.declined", now)
    return who5.is_due(now.date(), last.at.date() if last else None,
                       declined.date() if declined else None)


def after_checkin(ctx: "Context", then: Flow | None) -> Flow | None:
    """The flow to start after a check-in: the WHO-5 offer when due, else ``then``."""
    return Who5OfferFlow(then) if offer_due(ctx) else then


class Who5OfferFlow(Flow):
    """"Magst du die fünf Fragen jetzt beantworten?"; both answers lead on to ``then``."""

    name = "who5_offer"

    def __init__(self, then: Flow | None = None) -> None:
        self.then = then

    def start(self, ctx: "Context", result: NluResult | None) -> Outcome:
        return self.reprompt(ctx)

    def reprompt(self, ctx: "Context") -> Outcome:
        return Outcome((ctx.say("who5.offer"),), YES_NO)

    def handle(self, ctx: "Context", result: NluResult) -> Outcome:
        if result.intent == "yes":
            return Outcome((), done=True, handover=Who5Flow(self.then))
        if result.intent in ("no", "skip"):
            return Outcome((ctx.say("who5.declined"),), done=True, handover=self.then)
        return self.unclear(ctx, "dialog.unclear_yes_no", YES_NO)

    def pause(self, ctx: "Context") -> None:
        """"später" counts as a decline: offered again in a week."""
        ctx.memory.record_use("who5.declined", 0, ctx.now())


class Who5Flow(Flow):
    """Five items, one per turn; answers by option words or a number 0-5."""

    name = "who5"

    def __init__(self, then: Flow | None = None) -> None:
        self.then = then
        self.answers: list[int] = []
        self.matcher: who5.AnswerMatcher | None = None

    def _expect(self, ctx: "Context") -> Expectation:
        phrases = [p for n in who5.OPTION_VALUES for p in ctx.attr(f"who5.options.o{n}", "phrases", ())]
        return Expectation(FREE_TEXT.kind, tuple(phrases))

    def start(self, ctx: "Context", result: NluResult | None) -> Outcome:
        self.matcher = who5.AnswerMatcher(ctx.prompts)
        return Outcome((ctx.say("who5.intro"), ctx.say(who5.ITEM_KEYS[0])), self._expect(ctx))

    def reprompt(self, ctx: "Context") -> Outcome:
        return Outcome((ctx.say(who5.ITEM_KEYS[len(self.answers)]),), self._expect(ctx))

    def handle(self, ctx: "Context", result: NluResult) -> Outcome:
        value = self._value(result)
        if value is None:
            return self.unclear(ctx, "who5.not_understood", self._expect(ctx))
        self.answers.append(value)
        if len(self.answers) < len(who5.ITEM_KEYS):
            return self.reprompt(ctx)
        return self._finish(ctx)

    def _value(self, result: NluResult) -> int | None:
        matched = self.matcher.match(result.text) if self.matcher else None
        if matched is not None:
            return matched
        value = result.slots.get("value")
        if isinstance(value, int) and not isinstance(value, bool) and value in who5.OPTION_VALUES:
            return value
        return None

    def _finish(self, ctx: "Context") -> Outcome:
        previous = last_result(ctx)
        result = who5.score(self.answers)
        ctx.memory.store.who5.add(ctx.now(), list(result.answers))
        lines = who5.summary_lines(result, previous.raw if previous else None)
        return Outcome(tuple(ctx.say(key, **data) for key, data in lines), done=True, handover=self.then)
