"""Crisis handling (minimal version; the safety helper owns and replaces this module).

Interface the engine relies on (keep it when replacing this module):

- ``acute_flow() -> Flow``: the acute response; the engine starts it whenever an
  utterance is ``acute``, dropping whatever flow was active (no resume).
- ``concern_flow() -> Flow``: the concern question; the engine keeps the
  interrupted flow and resumes it when this flow ends with ``resume=True``.
- ``lines(ctx) -> tuple[Reply, ...]``: the crisis lines for ``ctx.country``
  (used by the support flow).

Texts come from ``prompts_de/safety.toml`` (``safety.<name>``) when that file
has the key, else from the fallback in ``prompts_de/dialog.toml``
(``dialog.crisis.<name>``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from assistant.dialog.flows.base import YES_NO, Flow, Outcome
from assistant.dialog.turn import Reply
from assistant.nlu.result import NluResult

if TYPE_CHECKING:
    from assistant.dialog.context import Context


def _key(ctx: "Context", name: str) -> str:
    own = f"safety.{name}"
    return own if ctx.has(own) else f"dialog.crisis.{name}"


def lines(ctx: "Context") -> tuple[Reply, ...]:
    """The crisis lines of the person's country."""
    return (ctx.say(_key(ctx, f"lines_{ctx.country}")),)


class AcuteFlow(Flow):
    """Calm words, the lines, 112/144, the offer to repeat the numbers and to stay."""

    name = "crisis"

    def start(self, ctx: "Context", result: NluResult | None) -> Outcome:
        ctx.memory.add_safety_event(ctx.now(), "acute")
        return Outcome((ctx.say(_key(ctx, "acute")), *lines(ctx), ctx.say(_key(ctx, "offer_repeat"))), YES_NO)

    def reprompt(self, ctx: "Context") -> Outcome:
        return Outcome((ctx.say(_key(ctx, "offer_repeat")),), YES_NO)

    def handle(self, ctx: "Context", result: NluResult) -> Outcome:
        if result.intent in ("yes", "repeat"):
            return Outcome((*lines(ctx), ctx.say(_key(ctx, "stay"))), done=True)
        return Outcome((ctx.say(_key(ctx, "stay")),), done=True)


class ConcernFlow(Flow):
    """Acknowledge, then ask directly and kindly about thoughts of self-harm."""

    name = "concern"

    def start(self, ctx: "Context", result: NluResult | None) -> Outcome:
        ctx.memory.add_safety_event(ctx.now(), "concern")
        return Outcome((ctx.say(_key(ctx, "concern_ack")), ctx.say(_key(ctx, "concern_ask"))), YES_NO)

    def reprompt(self, ctx: "Context") -> Outcome:
        return Outcome((ctx.say(_key(ctx, "concern_ask")),), YES_NO)

    def handle(self, ctx: "Context", result: NluResult) -> Outcome:
        if result.intent == "yes":
            return Outcome((), done=True, handover=AcuteFlow())
        if result.intent == "no":
            return Outcome((ctx.say(_key(ctx, "concern_no")),), done=True, resume=True)
        return Outcome((ctx.say(_key(ctx, "concern_unclear")), *lines(ctx)), done=True, resume=True)


def acute_flow() -> Flow:
    return AcuteFlow()


def concern_flow() -> Flow:
    return ConcernFlow()
