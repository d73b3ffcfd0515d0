"""Small steps: choosing one that fits the moment, offering it, accept / change / decline,
and marking accepted steps done.

A step fits when its energy is the person's (or the nearest grade), it can still be done
today (``latest``: no walk suggested at 19:00; evening steps are a message, a call, planning
tomorrow), it was not offered within the last days, and it was not declined lately. Two
declines within a week start one grade lower: the next offer is smaller.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from assistant.dialog.content import SmallStep
from assistant.dialog.flows.base import FREE_TEXT, TOPIC_INTENTS, YES_NO, Expectation, Flow, Outcome
from assistant.dialog.variety import REPEAT_DAYS, window_start
from assistant.nlu.normalize import fold
from assistant.nlu.result import NluResult

if TYPE_CHECKING:
    from assistant.dialog.context import Context

ANOTHER = "step_dialog.another"
MAX_CHANGES = 2
"""How often the person may ask for another step before we let it rest."""
CHANGE_INTENTS = ("next", "suggest_step")
NEIGHBOURS = {"low": ("low", "medium"), "medium": ("medium", "low", "high"), "high": ("high", "medium")}
OPEN_STEP_DAYS = 7
"""Accepted steps older than this are not asked about any more."""
DECLINED_DAYS = 14
"""A declined step is not offered again for this long."""
SMALLER_AFTER_DECLINES = 2
"""Declines within a week after which the offer starts one energy grade lower."""
LOWER = {"high": "medium", "medium": "low", "low": "low"}


def choose_step(ctx: "Context", energy: str, exclude: set[str]) -> SmallStep | None:
    """A step that fits the moment (see the module docstring), not in ``exclude``."""
    now = ctx.now()
    recent = {step.key for step in ctx.memory.steps_since(window_start(now, REPEAT_DAYS))}
    lately = ctx.memory.steps_since(now - timedelta(days=DECLINED_DAYS))
    declined = {step.key for step in lately if step.state == "declined"}
    week = [step for step in lately if step.state == "declined" and step.declined_at is not None
            and step.declined_at >= now - timedelta(days=7)]
    if len(week) >= SMALLER_AFTER_DECLINES:
        energy = LOWER.get(energy, energy)
    for grade in NEIGHBOURS.get(energy, NEIGHBOURS["medium"]):
        fresh = [step for step in ctx.content.steps
                 if step.energy == grade and step.earliest <= now.hour < step.latest
                 and step.key not in recent | declined and step.key not in exclude]
        if fresh:
            return ctx.picker.rng.choice(fresh)
    return None


class StepOfferFlow(Flow):
    """Offer one small step; the person may accept, ask for another or decline."""

    name = "step"
    own_intents = frozenset({"suggest_step"})

    def __init__(self, energy: str = "medium", lead_key: str = "") -> None:
        self.energy = energy
        self.lead_key = lead_key
        self.changes = 0
        self.offered: set[str] = set()
        self.current: SmallStep | None = None
        self.record_id = ""

    def start(self, ctx: "Context", result: NluResult | None) -> Outcome:
        lead = (ctx.say(self.lead_key),) if self.lead_key else ()
        return self._offer(ctx, lead)

    def _offer(self, ctx: "Context", lead: tuple) -> Outcome:
        step = choose_step(ctx, self.energy, self.offered)
        if step is None:
            return Outcome((*lead, ctx.say("step_dialog.none_left")), done=True)
        self.current = step
        self.offered.add(step.key)
        self.record_id = ctx.memory.offer_step(step.key, step.label, ctx.now())
        return Outcome((*lead, ctx.say(step.key)), self._expect(ctx))

    def reprompt(self, ctx: "Context") -> Outcome:
        if self.current is None:
            return Outcome((), done=True)
        return Outcome((ctx.again(self.current.key),), self._expect(ctx))

    def handle(self, ctx: "Context", result: NluResult) -> Outcome:
        if result.intent == "yes" or result.intent == "done":
            ctx.memory.set_step_state(self.record_id, "accepted", ctx.now())
            return Outcome((ctx.say("step_dialog.accepted"),), done=True)
        if result.intent in CHANGE_INTENTS or self._asks_for_another(ctx, result.text):
            ctx.memory.set_step_state(self.record_id, "declined", ctx.now())
            self.changes += 1
            if self.changes > MAX_CHANGES:
                return Outcome((ctx.say("step_dialog.enough_changes"),), done=True)
            return self._offer(ctx, (ctx.say(ANOTHER),))
        if result.intent in ("no", "skip"):
            ctx.memory.set_step_state(self.record_id, "declined", ctx.now())
            return Outcome((ctx.say("step_dialog.declined"),), done=True)
        if result.intent in TOPIC_INTENTS:
            return Outcome((), done=True, unhandled=True)
        return self.unclear(ctx, "step_dialog.unclear", YES_NO)

    @staticmethod
    def _expect(ctx: "Context") -> Expectation:
        """yes/no, plus "lieber etwas anderes" for a speech grammar."""
        return Expectation("yes_no", tuple(ctx.attr(ANOTHER, "change_phrases", ())))

    @staticmethod
    def _asks_for_another(ctx: "Context", text: str) -> bool:
        """"lieber etwas anderes": words from the prompt data, whatever the matcher said."""
        padded = f" {fold(text)} "
        return any(f" {fold(word)} " in padded for word in ctx.attr(ANOTHER, "change_words", ()))

    def park(self, ctx: "Context") -> tuple:
        """Another topic instead of an answer: the step stays merely offered (nothing was declined)."""
        return (ctx.say("dialog.parked"),)

    def move_on(self, ctx: "Context") -> Outcome:
        """No answer after the third asking: the step stays offered (nobody declined it)."""
        return Outcome((), done=True)

    def on_silence(self, ctx: "Context", count: int) -> Outcome:
        """Silence is no decline either: re-offer once, then leave the step merely offered."""
        if count <= 1:
            return super().on_silence(ctx, count)
        return Outcome((), done=True)

    def pause(self, ctx: "Context") -> bool:
        if self.record_id:
            ctx.memory.set_step_state(self.record_id, "declined", ctx.now())
        return False


def open_steps(ctx: "Context") -> list:
    """Accepted, not yet done steps of the last days, newest first."""
    since = ctx.now() - timedelta(days=OPEN_STEP_DAYS)
    return [step for step in ctx.memory.steps_since(since) if step.state == "accepted"]


class DoneFlow(Flow):
    """The person says "erledigt": mark the newest open step done, with praise.

    Sooner after accepting than the step takes ("erledigt" two minutes after agreeing to a
    walk), a kind question comes first instead of instant praise; whatever the person tells
    counts, and only a plain "nein"/"noch nicht" keeps the step open.
    """

    name = "done"

    def __init__(self) -> None:
        self.step = None

    def start(self, ctx: "Context", result: NluResult | None) -> Outcome:
        steps = open_steps(ctx)
        if not steps:
            return Outcome((ctx.say("step_dialog.done_nothing_open"),), done=True)
        self.step = steps[0]
        if self._too_quick(ctx):
            return self.reprompt(ctx)
        return self._praise(ctx, "step_dialog.done_praise")

    def _too_quick(self, ctx: "Context") -> bool:
        accepted = getattr(self.step, "accepted_at", None)
        found = ctx.content.step(self.step.key.split(".", 1)[1]) if self.step is not None else None
        return (accepted is not None and found is not None
                and ctx.now() - accepted < timedelta(minutes=found.minutes))

    def _praise(self, ctx: "Context", key: str) -> Outcome:
        ctx.memory.set_step_state(self.step.id, "done", ctx.now())
        return Outcome((ctx.say(key, label=self.step.label),), done=True)

    def reprompt(self, ctx: "Context") -> Outcome:
        return Outcome((ctx.say("step_dialog.done_quick"),), FREE_TEXT)

    def handle(self, ctx: "Context", result: NluResult) -> Outcome:
        if self.step is None:
            return Outcome((), done=True, unhandled=True)
        said = f" {fold(result.text).strip(' .!?,')} "
        not_yet = (fold(word) for word in ctx.attr("step_dialog.done_quick", "not_yet", ()))
        if result.intent in ("no", "later") or any(said.startswith(f" {word} ") for word in not_yet):
            return Outcome((ctx.say("step_dialog.done_not_yet"),), done=True)
        if result.intent in ("yes", "done", "answer", "feeling", None):
            return self._praise(ctx, "step_dialog.done_told")
        return Outcome((), done=True, unhandled=True)
