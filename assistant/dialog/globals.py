"""Commands that work in every state: stop, later, help, goodbye and the voice settings.

("repeat" is handled by the engine itself: it returns the last turn unchanged.)
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from assistant.dialog.flows.base import Flow, Outcome
from assistant.nlu.result import NluResult
from assistant.nlu.understand import GLOBAL_INTENTS as NLU_GLOBAL_INTENTS

if TYPE_CHECKING:
    from assistant.dialog.context import Context

RATE_STEP, RATE_MIN, RATE_MAX = 20, 100, 260
VOLUME_STEP, VOLUME_MIN, VOLUME_MAX = 0.1, 0.2, 1.0
VOICE = {"slower": ("speech_rate", -RATE_STEP), "faster": ("speech_rate", RATE_STEP),
         "louder": ("volume", VOLUME_STEP), "quieter": ("volume", -VOLUME_STEP)}
GLOBAL_INTENTS = (*(name for name in NLU_GLOBAL_INTENTS if name != "repeat"), "goodbye")
"""What this module answers in every state: the global intents of the ``nlu`` contract (but
"repeat", which the engine answers itself) and "goodbye"."""


def handle_global(ctx: "Context", result: NluResult, flow: Flow | None) -> tuple[Outcome, Flow | None]:
    """Answer a global command; returns the outcome and the flow that stays active."""
    intent = result.intent
    if intent == "stop":
        return Outcome((ctx.say("dialog.stopped" if flow else "dialog.stopped_idle"),), done=True), None
    if intent == "later":
        if flow is None:
            return Outcome((ctx.say("dialog.later_idle"),), done=True), None
        own_answer = getattr(flow, "answer_later", None)  # e.g. a due reminder: snooze or skip today
        if own_answer is not None:
            outcome = own_answer(ctx, result)
            return outcome, None if outcome.done else flow
        saved = flow.pause(ctx)
        return Outcome((ctx.say("dialog.later_resume" if saved else "dialog.later"),), done=True), None
    if intent == "goodbye":
        if flow is not None:
            flow.pause(ctx)
        return Outcome((ctx.say("social.goodbye"),), done=True), None
    lead = ctx.say("dialog.help") if intent == "help" else _change_voice(ctx, intent)
    if flow is None:
        return Outcome((lead,), done=True), None
    again = flow.reprompt(ctx)
    return Outcome((lead, *again.replies), again.expect), flow


def _change_voice(ctx: "Context", intent: str):
    """Store a new speech rate or volume and confirm it (or say it is at the limit)."""
    name, step = VOICE[intent]
    if name == "speech_rate":
        current = ctx.memory.setting(name, None) or ctx.default_rate
        new = int(_stepped(current, step, RATE_MIN, RATE_MAX))
    else:
        current = ctx.memory.setting(name, None) or ctx.default_volume
        new = round(_stepped(current, step, VOLUME_MIN, VOLUME_MAX), 2)
    if new == current:
        return ctx.say(f"dialog.{intent}_limit")
    ctx.memory.set_setting(name, new)
    return ctx.say(f"dialog.{intent}")


def _stepped(current: float, step: float, low: float, high: float) -> float:
    """One step towards the limit, never the other way (a configured 300 wpm stays 300 on "schneller")."""
    if step > 0:
        return max(current, min(current + step, high))
    return min(current, max(current + step, low))
