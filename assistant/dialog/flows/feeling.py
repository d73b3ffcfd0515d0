"""The person says how they feel: an empathic answer, then exactly one offer."""

from __future__ import annotations

from typing import TYPE_CHECKING, Callable

from assistant.dialog.flows.base import FREE_TEXT, Flow, Outcome
from assistant.dialog.flows.offer import OfferFlow
from assistant.nlu.normalize import fold
from assistant.nlu.result import NluResult

if TYPE_CHECKING:
    from assistant.dialog.context import Context


class ListenFlow(Flow):
    """Just being heard: one open question, then a warm acknowledgement (nothing stored)."""

    name = "listen"

    def start(self, ctx: "Context", result: NluResult | None) -> Outcome:
        return Outcome((ctx.say("feeling_dialog.listen"),), FREE_TEXT)

    def reprompt(self, ctx: "Context") -> Outcome:
        return Outcome((ctx.again("feeling_dialog.listen"),), FREE_TEXT)

    def handle(self, ctx: "Context", result: NluResult) -> Outcome:
        return Outcome((ctx.say("feeling_dialog.heard"),), done=True)


GLAD = "feeling_dialog.glad"


def sounds_good(ctx: "Context", text: str) -> bool:
    """True when the words are good news ("mir geht es super"), not negated ("nicht gut")."""
    words = set(fold(text).split())
    good = {fold(word) for word in ctx.attr(GLAD, "good_words", ())}
    negations = {fold(word) for word in ctx.attr(GLAD, "negations", ())}
    return bool(words & good) and not words & negations


def feeling_flow(ctx: "Context", result: NluResult,
                 factories: dict[str, Callable[[], Flow]]) -> Flow:
    """Empathy (or joy) plus one offer: a check-in if none today, else a step, else an
    exercise, else listening."""
    lead = (ctx.say(GLAD if sounds_good(ctx, result.text) else "feeling_dialog.empathy"),)
    if not ctx.memory.checked_in_today(ctx.now()):
        return OfferFlow("feeling_dialog.offer_checkin", factories["checkin"], ("checkin",), lead=lead)
    if not ctx.memory.step_offered_today(ctx.now()):
        return OfferFlow("feeling_dialog.offer_step", factories["suggest_step"], ("suggest_step",), lead=lead)
    if "exercise" in factories and not any(ctx.memory.said_today(item.intro_key, ctx.now())
                                           for item in ctx.content.exercises):
        return OfferFlow("feeling_dialog.offer_exercise", factories["exercise"], ("exercise",), lead=lead)
    return OfferFlow("feeling_dialog.offer_listen", ListenFlow, ("answer",), lead=lead)
