"""Dialogue flows: one small module per topic, plugged into the engine by intent.

How a flow works
----------------
A flow is an object derived from :class:`~assistant.dialog.flows.base.Flow`
that lives in the engine while its topic lasts. The engine calls

- ``start(ctx, result)`` once (``result`` is the utterance that started it, or
  None when the engine offers it by itself), then
- ``handle(ctx, result)`` for every following utterance, and
- ``reprompt(ctx)`` to ask the current question again (after "hilfe", a speed
  change, or when a concern check ends), and
- ``pause(ctx)`` when the person says "später" or goodbye (save a resume point in
  the store and return True, or return False when there is nothing to resume);
  a flow with an ``answer_later(ctx, result)`` method answers "später" itself
  (a due reminder snoozes).

Each returns an :class:`~assistant.dialog.flows.base.Outcome`: the replies, what
the flow expects next, and ``done``; optionally ``handover`` (a flow to start
next, e.g. check-in -> small step), ``resume`` (continue the interrupted flow)
or ``unhandled`` (the utterance is not for this flow; the engine ends it and
handles the utterance as if idle).

Flows never see raw text I/O, the terminal or the clock: they use the
:class:`~assistant.dialog.context.Context` (``ctx.say(key, **data)`` renders a
prompt in a fresh variant, ``ctx.again(key)`` in the words used last time,
``ctx.memory`` is the store, ``ctx.now()`` the time). A flow waiting for a number
or yes/no should let :data:`~assistant.dialog.flows.base.TOPIC_INTENTS` through
(``unhandled``): the engine re-reads unmatched answers as possible topic requests.

What the engine does before any flow sees an utterance
------------------------------------------------------
1. Safety: ``acute`` (or intent ``crisis``) drops the active flow for good and
   starts ``crisis.acute_flow()``; ``concern`` keeps the active flow aside and
   starts ``crisis.concern_flow()`` (resumed if that ends with ``resume=True``).
2. Global commands: stop, later, repeat, help, slower/faster/louder/quieter,
   goodbye. Flows never handle these. "hallo" (and "danke", except to an offer)
   while a flow waits is answered and the flow's question asked again.

Adding a flow
-------------
Write a module here, then register a factory for the intent that starts it
with :func:`register` (see :func:`default_registry` for examples). A factory
gets the context and the :class:`~assistant.nlu.result.NluResult` and returns
a fresh flow. Proactive things (due reminders) go through
:mod:`assistant.dialog.proactive` instead.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Callable

from assistant.dialog.flows.base import Flow, Outcome
from assistant.nlu.result import NluResult

if TYPE_CHECKING:
    from assistant.dialog.context import Context

FlowFactory = Callable[["Context", NluResult], Flow]
"""Builds the flow for one starting utterance."""

__all__ = ["Flow", "FlowFactory", "Outcome", "default_registry", "register"]


def register(registry: dict[str, FlowFactory], intent: str, factory: FlowFactory) -> None:
    """Make ``intent`` start the flow that ``factory`` builds (replacing any earlier one)."""
    registry[intent] = factory


def default_registry() -> dict[str, FlowFactory]:
    """The flows of the dialogue core, by starting intent."""
    from assistant.dialog.flows.checkin import CheckinFlow
    from assistant.dialog.flows.exercise import ExerciseFlow
    from assistant.dialog.flows.feeling import feeling_flow
    from assistant.dialog.flows.learn import LearnFlow
    from assistant.dialog.flows.steps import DoneFlow, StepOfferFlow
    from assistant.dialog.flows.safety_plan import support_or_plan
    from assistant.dialog.flows.support import SupportFlow

    def topic(result: NluResult) -> str | None:
        value = result.slots.get("topic")
        return str(value) if value else None

    def step_for_today(ctx: "Context") -> Flow:
        return StepOfferFlow(ctx.memory.energy_today(ctx.now()) or "medium")

    registry: dict[str, FlowFactory] = {}
    register(registry, "checkin", lambda ctx, result: CheckinFlow())
    register(registry, "suggest_step", lambda ctx, result: step_for_today(ctx))
    register(registry, "exercise", lambda ctx, result: ExerciseFlow(topic(result)))
    register(registry, "learn", lambda ctx, result: LearnFlow(topic(result)))
    register(registry, "support", support_or_plan(lambda ctx, result: SupportFlow()))
    register(registry, "feeling", lambda ctx, result: feeling_flow(ctx, result, {
        "checkin": CheckinFlow, "suggest_step": lambda: step_for_today(ctx), "exercise": ExerciseFlow}))
    from assistant.dialog.flows.due import ReminderDoneFlow, recently_spoken
    from assistant.dialog.flows.reminder_cancel import ReminderCancelFlow
    from assistant.dialog.flows.reminder_list import ReminderListFlow
    from assistant.dialog.flows.reminders import ReminderSetFlow
    from assistant.dialog.flows.review import ReviewFlow

    def done(ctx: "Context", result: NluResult) -> Flow:
        """"erledigt" answers a reminder that is still waiting, else marks a small step done."""
        waiting = recently_spoken(ctx)
        return ReminderDoneFlow(waiting) if waiting is not None else DoneFlow()

    register(registry, "done", done)
    register(registry, "reminder_set", lambda ctx, result: ReminderSetFlow())
    register(registry, "reminder_list", lambda ctx, result: ReminderListFlow())
    register(registry, "reminder_cancel", lambda ctx, result: ReminderCancelFlow())
    register(registry, "progress", lambda ctx, result: ReviewFlow())
    return registry
