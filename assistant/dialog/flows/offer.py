"""A single yes/no offer ("Magst du einen kurzen Check-in machen?") that leads into a flow."""

from __future__ import annotations

from typing import TYPE_CHECKING, Callable

from assistant.dialog.flows.base import YES_NO, Flow, Outcome
from assistant.nlu.result import NluResult

if TYPE_CHECKING:
    from assistant.dialog.context import Context


class OfferFlow(Flow):
    """Offer one thing; yes starts it, no is accepted kindly, anything else passes through."""

    name = "offer"

    def __init__(self, key: str, target: Callable[[], Flow], accept_intents: tuple[str, ...] = (),
                 declined_key: str = "dialog.offer_declined", lead: tuple = (),
                 on_decline: "Callable[[Context], None] | None" = None, **data: object) -> None:
        self.key = key
        self.target = target
        self.accept_intents = ("yes", *accept_intents)
        self.own_intents = frozenset(self.accept_intents)
        self.declined_key = declined_key
        self.lead = lead
        self.on_decline = on_decline
        self.data = data

    def start(self, ctx: "Context", result: NluResult | None) -> Outcome:
        return Outcome((*self.lead, ctx.say(self.key, **self.data)), YES_NO)

    def park(self, ctx: "Context") -> tuple:
        """An offer not taken needs no word: the person's own request simply goes first."""
        return ()

    def reprompt(self, ctx: "Context") -> Outcome:
        return Outcome((ctx.again(self.key, **self.data),), YES_NO)

    def handle(self, ctx: "Context", result: NluResult) -> Outcome:
        if result.intent in self.accept_intents:
            return Outcome((), done=True, handover=self.target())
        if result.intent in ("no", "skip"):
            if self.on_decline is not None:
                self.on_decline(ctx)
            return Outcome((ctx.say(self.declined_key),), done=True)
        if result.intent is None:
            return self.unclear(ctx, "dialog.unclear_yes_no", YES_NO)
        return Outcome((), done=True, unhandled=True)
