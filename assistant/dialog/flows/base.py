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


class Flow:
    """Base class of all flows; subclasses override :meth:`start` and :meth:`handle`.

    A flow is a small state machine living in the engine for the length of one
    topic (a check-in, an exercise, ...). It never reads the terminal or the
    clock directly; everything goes through the :class:`Context`.
    """

    name = "flow"
    """Short id, used in the store (e.g. for the "später" bookkeeping)."""

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

    def unclear(self, ctx: "Context", key: str, expect: Expectation, **data: object) -> Outcome:
        """One clarifying sentence plus the current question again."""
        again = self.reprompt(ctx)
        if again.done:
            return Outcome((ctx.say(key, **data),), expect)
        return Outcome((ctx.say(key, **data), *again.replies), again.expect)
