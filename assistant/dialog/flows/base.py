"""The building blocks every flow uses: :class:`Outcome` and :class:`Flow`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from assistant.dialog.turn import Expectation, Reply
from assistant.nlu.result import NluResult

if TYPE_CHECKING:
    from assistant.dialog.context import Context

TOPIC_INTENTS = frozenset({"checkin", "exercise", "learn", "support", "suggest_step", "reminder_set",
                           "reminder_list", "reminder_cancel", "progress", "forget_data"})
"""Requests for another topic: a flow waiting for a number or yes/no lets them through."""

SWITCH_INTENTS = TOPIC_INTENTS | {"feeling"}
"""What the engine honours while any answer is pending, unless the active flow takes it as
its answer (:meth:`Flow.takes`): the pending question is parked (:meth:`Flow.park`)."""

SKIPPED = NluResult("", "skip", 1.0)
"""What a flow is given when the dialogue moves on from a question that found no answer."""
YES_NO = Expectation("yes_no")
SCALE = Expectation("scale")
FREE_TEXT = Expectation("free_text")
IDLE = Expectation()


@dataclass(frozen=True)
class Outcome:
    """What a flow answers to one utterance."""

    replies: tuple[Reply, ...]
    """What to say, in order; the last one usually holds the question."""
    expect: Expectation = IDLE
    """What the flow waits for next (ignored when ``done``)."""
    done: bool = False
    """True when the flow has ended; the engine drops it."""
    handover: "Flow | None" = None
    """A flow to start right after this one ends (its start replies follow)."""
    resume: bool = False
    """With ``done``: continue the flow this one interrupted, if any."""
    unhandled: bool = False
    """The flow did not take the utterance: the engine ends it and treats the
    utterance as if no flow were active (e.g. a new request during an offer)."""
    repair: bool = False
    """The flow did not understand the answer and asks its question again (see
    :meth:`Flow.unclear`); the engine's repair ladder decides how often that may happen."""


class Flow:
    """Base class of all flows; subclasses override :meth:`start` and :meth:`handle`.

    A flow is a small state machine living in the engine for the length of one
    topic (a check-in, an exercise, ...). It never reads the terminal or the
    clock directly; everything goes through the :class:`Context`.
    """

    name = "flow"
    """Short id, used in the store (e.g. for the "später" bookkeeping)."""

    own_intents: frozenset[str] = frozenset()
    """Topic intents this flow reads as an answer (e.g. "support" to the support flow's
    "Soll ich dir mehr sagen?"); every other topic request switches topic (:meth:`takes`)."""

    def start(self, ctx: "Context", result: NluResult | None) -> Outcome:
        """Begin; ``result`` is the utterance that started the flow (None when proactive)."""
        raise NotImplementedError

    def handle(self, ctx: "Context", result: NluResult) -> Outcome:
        """Answer one utterance while this flow is active."""
        raise NotImplementedError

    def reprompt(self, ctx: "Context") -> Outcome:
        """Ask the current question again (after help, a speed change or a concern check)."""
        return Outcome((), done=True)

    def pause(self, ctx: "Context") -> bool:
        """The person said "später": remember where we are, if that makes sense here.

        Returns True when a resume point was saved (the reply then promises to go on there).
        """
        return False

    def takes(self, result: NluResult) -> bool:
        """Whether a topic request (:data:`SWITCH_INTENTS`) is this flow's answer, not a switch."""
        return result.intent in self.own_intents

    def park(self, ctx: "Context") -> tuple[Reply, ...]:
        """The person switched topic: one kind word about the question left open.

        The default keeps a resume point where the flow has one (:meth:`pause`); a flow that
        would lose something the person said (a reminder not yet confirmed) says what happens to it.
        """
        return (ctx.say("dialog.parked_resume" if self.pause(ctx) else "dialog.parked"),)

    def move_on(self, ctx: "Context") -> Outcome:
        """Go past the current question without an answer (the repair ladder's last step).

        The default treats it as "weiß nicht"; a flow where that would store something the
        person never said (a step marked declined) overrides this.
        """
        return self.handle(ctx, SKIPPED)

    def on_silence(self, ctx: "Context", count: int) -> Outcome:
        """The person stayed silent after the question (``count``: in a row).

        First: one soft re-offer of the question. Then the question is dropped without a word
        (a resume point is kept where the flow has one); the voice loop says its own soft
        good-bye line, which tells how to wake it again.
        """
        if count <= 1:
            again = self.reprompt(ctx)
            if not again.done:
                return Outcome((ctx.say("dialog.silence_reoffer"), *again.replies), again.expect)
        self.pause(ctx)
        return Outcome((), done=True)

    def unclear(self, ctx: "Context", key: str, expect: Expectation, **data: object) -> Outcome:
        """One clarifying sentence plus the current question again (a miss for the repair ladder)."""
        again = self.reprompt(ctx)
        if again.done:
            return Outcome((ctx.say(key, **data),), expect, repair=True)
        return Outcome((ctx.say(key, **data), *again.replies), again.expect, repair=True)
