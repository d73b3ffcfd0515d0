"""Crisis handling: the acute response and the concern question.

The engine routes every utterance assessed ``acute`` (intent ``crisis``) to
:func:`acute_flow`, dropping the active flow for good, and every ``concern``
to :func:`concern_flow`, keeping the active flow aside (resumed when the
concern flow ends with ``resume=True``).

- Acute: calm words, the crisis lines of the person's country (emergency number
  for immediate danger), the person's own safety plan if there is one, then the
  offer to repeat the numbers slowly and to stay and talk. It never resumes the
  interrupted flow.
- Concern: acknowledge, then ask directly and kindly about thoughts of ending
  one's life or self-harm (asking does not raise risk). Yes -> acute; no ->
  thanks, then the interrupted flow goes on; unclear, "weiß nicht" or "später"
  -> the lines once, gently. A second concern soon after a "no" is acknowledged
  without asking again.

Every detection is stored as a safety event: time and level only, never the words.
Texts: ``prompts_de/safety.toml`` (keys ``safety.*``).
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from assistant.dialog.flows import safety_plan
from assistant.dialog.flows.base import FREE_TEXT, YES_NO, Flow, Outcome
from assistant.dialog.flows.crisis_lines import lines, slow_lines
from assistant.nlu import safety
from assistant.nlu.result import NluResult

if TYPE_CHECKING:
    from assistant.dialog.context import Context

ASK_AGAIN_AFTER = timedelta(minutes=30)
"""After a "no" to the concern question, a new concern within this time is not asked again."""
YES = ("yes",)
NO = ("no",)
REPEAT = ("yes", "repeat", "slower")


def record(ctx: "Context", level: str) -> None:
    """Store a safety event: when and how serious, never what was said."""
    ctx.memory.add_safety_event(ctx.now(), level)


class LinesFlow(Flow):
    """All crisis lines of the country, once (a yes to "Soll ich dir weitere Nummern sagen?")."""

    name = "lines"

    def start(self, ctx: "Context", result: NluResult | None) -> Outcome:
        return Outcome(lines(ctx), done=True)

    def handle(self, ctx: "Context", result: NluResult) -> Outcome:
        return Outcome((), done=True, unhandled=True)


class AcuteFlow(Flow):
    """The acute response; then it stays to listen for a few turns and ends (never resumes)."""

    name = "crisis"

    def __init__(self) -> None:
        self.state = "offered"
        self.offers = 1

    def start(self, ctx: "Context", result: NluResult | None) -> Outcome:
        record(ctx, "acute")
        replies = (ctx.say("safety.acute"), *lines(ctx), *safety_plan.acute_readback(ctx),
                   ctx.say("safety.offer_repeat"))
        return Outcome(replies, YES_NO)

    def reprompt(self, ctx: "Context") -> Outcome:
        if self.state == "offered":
            return Outcome((ctx.again("safety.offer_repeat"),), YES_NO)
        return Outcome((ctx.again("safety.stay"),), FREE_TEXT)

    def on_silence(self, ctx: "Context", count: int) -> Outcome:
        """Silence after the crisis words: once that the line is there now too, then rest."""
        if count <= 1:
            self.state = "listening"
            return Outcome((ctx.say("safety.silence_acute"),), FREE_TEXT)
        return Outcome((ctx.say("safety.call_encourage"),), done=True)

    def handle(self, ctx: "Context", result: NluResult) -> Outcome:
        if self.state == "offered":
            return self._answer_offer(ctx, result)
        return Outcome((ctx.say("safety.listen"), ctx.say("safety.call_encourage")), done=True)

    def _answer_offer(self, ctx: "Context", result: NluResult) -> Outcome:
        if result.intent in REPEAT:
            self.state = "listening"
            return Outcome((*slow_lines(ctx), ctx.say("safety.stay")), FREE_TEXT)
        if result.intent in NO or self.offers >= 2:
            self.state = "listening"
            return Outcome((ctx.say("safety.stay"),), FREE_TEXT)
        self.offers += 1
        return Outcome((ctx.say("safety.listen"), ctx.say("safety.offer_repeat")), YES_NO)


class ConcernFlow(Flow):
    """Acknowledge, then ask directly and kindly about thoughts of ending one's life."""

    name = "concern"

    def start(self, ctx: "Context", result: NluResult | None) -> Outcome:
        record(ctx, "concern")
        last_no = ctx.memory.last_said("safety.concern_no", ctx.now())
        if last_no is not None and ctx.now() - last_no < ASK_AGAIN_AFTER:
            return Outcome((ctx.say("safety.concern_again"),), done=True, resume=True)
        return Outcome((ctx.say("safety.concern_ack"), ctx.say("safety.concern_ask")), YES_NO)

    def reprompt(self, ctx: "Context") -> Outcome:
        return Outcome((ctx.again("safety.concern_ask"),), YES_NO)

    def handle(self, ctx: "Context", result: NluResult) -> Outcome:
        answer = _yes_or_no(result)
        if answer == "yes":
            return Outcome((), done=True, handover=AcuteFlow())
        if answer == "no":
            return Outcome((ctx.say("safety.concern_no"),), done=True, resume=True)
        return self.answer_later(ctx, result)

    def on_silence(self, ctx: "Context", count: int) -> Outcome:
        """No answer to the concern question: the lines once, gently; nothing else is asked."""
        return Outcome((ctx.say("safety.concern_silence"), *lines(ctx)), done=True)

    def answer_later(self, ctx: "Context", result: NluResult) -> Outcome:
        """Unclear, "weiß nicht" or "später": the lines once, gently, then go on."""
        return Outcome((ctx.say("safety.concern_unclear"), *lines(ctx)), done=True, resume=True)


def _yes_or_no(result: NluResult) -> str | None:
    """The answer to the concern question.

    A denial that names the topic ("nein, ich denke nicht daran, mich umzubringen")
    is assessed ``concern`` with a negated pattern: that is a no.
    """
    if result.intent in YES or result.intent in NO:
        return result.intent
    hits = safety.explain(result.text)
    if any(hit.negated for hit in hits) and all(hit.level != "acute" for hit in hits):
        return "no"
    return None


def acute_flow() -> Flow:
    return AcuteFlow()


def concern_flow() -> Flow:
    return ConcernFlow()
