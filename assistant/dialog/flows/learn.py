"""Explanations (``learn``): a topic in a few sentences, then the offer to go on or stop."""

from __future__ import annotations

from typing import TYPE_CHECKING

from assistant.dialog.content import ASKED_ONLY, Topic
from assistant.dialog.flows.base import YES_NO, Flow, Outcome
from assistant.nlu.result import NluResult

if TYPE_CHECKING:
    from assistant.dialog.context import Context


class LearnFlow(Flow):
    """Tells one topic, then offers the next; yes goes on, no ends kindly."""

    name = "learn"
    own_intents = frozenset({"learn"})

    def __init__(self, topic: str | None = None) -> None:
        self.topic = topic
        self.heard: list[str] = []

    def _pick(self, ctx: "Context") -> Topic | None:
        if self.topic and not self.heard and ctx.content.topic(self.topic):
            return ctx.content.topic(self.topic)
        fresh = [t for t in ctx.content.topics if t.id not in self.heard and t.id not in ASKED_ONLY]
        if not fresh:
            return None
        never = [t for t in fresh if ctx.memory.last_said(t.text_key, ctx.now()) is None]
        if never:
            return never[0]
        return min(fresh, key=lambda t: ctx.memory.last_said(t.text_key, ctx.now()))

    def _tell(self, ctx: "Context", lead: tuple = ()) -> Outcome:
        topic = self._pick(ctx)
        if topic is None:
            return Outcome((*lead, ctx.say("learn_dialog.all_heard")), done=True)
        self.heard.append(topic.id)
        return Outcome((*lead, ctx.say(topic.text_key), ctx.say("learn_dialog.offer_more")), YES_NO)

    def start(self, ctx: "Context", result: NluResult | None) -> Outcome:
        return self._tell(ctx)

    def reprompt(self, ctx: "Context") -> Outcome:
        return Outcome((ctx.again("learn_dialog.offer_more"),), YES_NO)

    def handle(self, ctx: "Context", result: NluResult) -> Outcome:
        if result.intent == "learn" and result.slots.get("topic"):
            self.topic, self.heard = str(result.slots["topic"]), []
            return self._tell(ctx)
        if result.intent in ("yes", "next", "learn"):
            return self._tell(ctx)
        if result.intent in ("no", "skip"):
            return Outcome((ctx.say("learn_dialog.end"),), done=True)
        if result.intent is None:
            return self.unclear(ctx, "dialog.unclear_yes_no", YES_NO)
        return Outcome((), done=True, unhandled=True)
