"""The personal safety plan (Stanley and Brown): create, read back, update one part.

Six parts, asked one at a time (each may be skipped): warning signs, what I can
do myself, people and places that distract me, people I can ask for help,
professionals (the crisis lines are always read with them), making my
surroundings safer. Every answer is saved at once, so an interruption (a
crisis, "stopp") loses nothing. "mein sicherheitsplan" reads the plan back and
offers to change a part; the acute response reads the helpful parts back too
(:func:`acute_readback`).

Starting it: the ``support`` intent with topic ``safety_plan`` (see
:func:`support_or_plan`); texts: ``prompts_de/safety.toml`` (``safety.plan.*``).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Callable

from assistant.dialog.flows.base import FREE_TEXT, YES_NO, Flow, Outcome
from assistant.dialog.flows.crisis_lines import lines
from assistant.dialog.turn import Reply
from assistant.nlu.normalize import fold
from assistant.nlu.result import NluResult
from assistant.store.records import SafetyPlan

if TYPE_CHECKING:
    from assistant.dialog.context import Context

PARTS = SafetyPlan.PARTS
TOPIC = "safety_plan"
"""The ``topic`` slot of ``support`` that asks for the safety plan."""
SKIP = ("skip", "no", "later")
_ITEM_BREAK = re.compile(r"\s*[,;]\s*")


def load_plan(ctx: "Context") -> SafetyPlan:
    return ctx.memory.store.safety_plan.get()


def has_plan(plan: SafetyPlan) -> bool:
    return any(getattr(plan, part) for part in PARTS)


def join_items(ctx: "Context", items: list[str]) -> str:
    """``A, B und C`` (the joining word comes from the prompts)."""
    if len(items) <= 1:
        return "".join(items)
    word = ctx.prompts["safety.plan.list_and"].variants(ctx.address)[0]
    return f"{', '.join(items[:-1])} {word} {items[-1]}"


def split_items(text: str) -> list[str]:
    """One spoken answer is one item; typed commas or semicolons separate several."""
    return [item.strip(" .!?") for item in _ITEM_BREAK.split(text.strip()) if item.strip(" .!?")]


def acute_readback(ctx: "Context") -> tuple[Reply, ...]:
    """What the person's own plan says helps, and whom to call (empty without a plan)."""
    plan = load_plan(ctx)
    helps = [*plan.coping_strategies, *plan.distractions]
    replies = []
    if helps:
        replies.append(ctx.say("safety.plan_in_acute", items=join_items(ctx, helps)))
    if plan.people_to_ask:
        replies.append(ctx.say("safety.plan_people_in_acute", items=join_items(ctx, plan.people_to_ask)))
    return tuple(replies)


def readback(ctx: "Context", plan: SafetyPlan) -> tuple[Reply, ...]:
    """The whole plan, part by part (empty parts left out; crisis lines with the professionals)."""
    replies = [ctx.say("safety.plan.readback_intro")]
    for part in PARTS:
        items = getattr(plan, part)
        if items:
            replies.append(ctx.say(f"safety.plan.readback_{part}", items=join_items(ctx, items)))
        if part == "professionals":
            replies.extend(lines(ctx))
    return tuple(replies)


class SafetyPlanFlow(Flow):
    """Create the plan part by part, or read it back and change one part."""

    name = "safety_plan"
    own_intents = frozenset({"support"})
    """A plan's answers often name help ("die telefonseelsorge"): they are answers here."""

    def takes(self, result: NluResult) -> bool:
        """While a part is asked, everything is the answer (people, places, help, feelings)."""
        return self.state in ("part", "edit") or super().takes(result)

    def __init__(self) -> None:
        self.state = "offer"
        self.part = 0
        self.editing: str | None = None
        self.misses = 0

    def start(self, ctx: "Context", result: NluResult | None) -> Outcome:
        plan = load_plan(ctx)
        if not has_plan(plan):
            return Outcome((ctx.say("safety.plan.none_yet"),), YES_NO)
        self.state = "change"
        return Outcome((*readback(ctx, plan), ctx.say("safety.plan.ask_change")), YES_NO)

    def reprompt(self, ctx: "Context") -> Outcome:
        again = {"offer": ("safety.plan.none_yet", YES_NO), "change": ("safety.plan.ask_change", YES_NO),
                 "which": ("safety.plan.ask_which", FREE_TEXT)}
        if self.state in again:
            key, expect = again[self.state]
            return Outcome((ctx.again(key),), expect)
        part = self.editing or PARTS[self.part]
        return Outcome((ctx.again(f"safety.plan.ask_{part}"),), FREE_TEXT)

    def handle(self, ctx: "Context", result: NluResult) -> Outcome:
        handlers: dict[str, Callable[["Context", NluResult], Outcome]] = {
            "offer": self._offer, "part": self._part, "change": self._change,
            "which": self._which, "edit": self._edit}
        return handlers[self.state](ctx, result)

    def _offer(self, ctx: "Context", result: NluResult) -> Outcome:
        if result.intent == "yes":
            self.state = "part"
            return Outcome((ctx.say("safety.plan.intro"), ctx.say(f"safety.plan.ask_{PARTS[0]}")), FREE_TEXT)
        if result.intent in SKIP:
            return Outcome((ctx.say("safety.plan.not_now"),), done=True)
        return self.unclear(ctx, "dialog.unclear_yes_no", YES_NO)

    def _part(self, ctx: "Context", result: NluResult) -> Outcome:
        part = PARTS[self.part]
        if result.intent in SKIP:
            said = ctx.say("safety.plan.skipped")
        else:
            self._store(ctx, part, split_items(result.text))
            said = ctx.say("safety.plan.noted")
        self.part += 1
        if self.part == len(PARTS):
            return Outcome((said, ctx.say("safety.plan.saved")), done=True)
        return Outcome((said, ctx.say(f"safety.plan.ask_{PARTS[self.part]}")), FREE_TEXT)

    def _change(self, ctx: "Context", result: NluResult) -> Outcome:
        if result.intent == "yes":
            self.state = "which"
            return Outcome((ctx.say("safety.plan.ask_which"),), FREE_TEXT)
        if result.intent in SKIP:
            return Outcome((ctx.say("safety.plan.unchanged"),), done=True)
        return self.unclear(ctx, "dialog.unclear_yes_no", YES_NO)

    def _which(self, ctx: "Context", result: NluResult) -> Outcome:
        part = self._part_named(ctx, result.text)
        if part is not None:
            self.state, self.editing = "edit", part
            return Outcome((ctx.say(f"safety.plan.ask_{part}"),), FREE_TEXT)
        self.misses += 1
        if self.misses > 1 or result.intent in SKIP:
            return Outcome((ctx.say("safety.plan.unchanged"),), done=True)
        return Outcome((ctx.say("safety.plan.which_unclear"),), FREE_TEXT)

    def _edit(self, ctx: "Context", result: NluResult) -> Outcome:
        if result.intent in SKIP:
            return Outcome((ctx.say("safety.plan.unchanged"),), done=True)
        self._store(ctx, self.editing or PARTS[0], split_items(result.text))
        return Outcome((ctx.say("safety.plan.updated"),), done=True)

    def _part_named(self, ctx: "Context", text: str) -> str | None:
        words = set(fold(text).split())
        for part in PARTS:
            names = {fold(w) for w in ctx.attr(f"safety.plan.ask_{part}", "words", ())}
            if words & names:
                return part
        return None

    def _store(self, ctx: "Context", part: str, items: list[str]) -> None:
        plan = load_plan(ctx)
        setattr(plan, part, items)
        ctx.memory.store.safety_plan.save(plan, ctx.now())


def support_or_plan(support: Callable[["Context", NluResult], Flow]) -> Callable[["Context", NluResult], Flow]:
    """Wrap the ``support`` factory: topic ``safety_plan`` starts the safety plan flow instead."""
    def factory(ctx: "Context", result: NluResult) -> Flow:
        if result.slots.get("topic") == TOPIC:
            return SafetyPlanFlow()
        return support(ctx, result)
    return factory
