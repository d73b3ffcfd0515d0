"""Support: where help is (therapy, groups, self-help, online), how to find it, crisis lines."""

from __future__ import annotations

from typing import TYPE_CHECKING

from assistant.dialog.flows.crisis_lines import lines
from assistant.dialog.flows.base import YES_NO, Flow, Outcome
from assistant.nlu.result import NluResult

if TYPE_CHECKING:
    from assistant.dialog.context import Context


def find_local_key(ctx: "Context") -> str:
    """The per-country "how to find offers nearby" text, else the neutral one."""
    specific = f"support.find_local_{ctx.country}"
    return specific if ctx.has(specific) else "support.find_local"


class SupportFlow(Flow):
    """Two short turns: therapy and groups first, then self-help, online and local search."""

    name = "support"
    own_intents = frozenset({"support"})

    def start(self, ctx: "Context", result: NluResult | None) -> Outcome:
        replies = [ctx.say("support_dialog.intro")]
        replies += [ctx.say(key) for key in ("support.therapy", "support.group_therapy") if ctx.has(key)]
        replies.append(ctx.say("support_dialog.offer_more"))
        return Outcome(tuple(replies), YES_NO)

    def reprompt(self, ctx: "Context") -> Outcome:
        return Outcome((ctx.again("support_dialog.offer_more"),), YES_NO)

    def handle(self, ctx: "Context", result: NluResult) -> Outcome:
        if result.intent in ("yes", "next", "support"):
            keys = [k for k in ("support.self_help", "support.online", find_local_key(ctx)) if ctx.has(k)]
            replies = [ctx.say(key) for key in keys]
            return Outcome((*replies, *lines(ctx), ctx.say("support_dialog.end")), done=True)
        if result.intent in ("no", "skip"):
            return Outcome((*lines(ctx), ctx.say("support_dialog.end")), done=True)
        if result.intent is None:
            return self.unclear(ctx, "dialog.unclear_yes_no", YES_NO)
        return Outcome((), done=True, unhandled=True)
