"""First start: welcome, du or Sie, the country (for the crisis lines), what I can do."""

from __future__ import annotations

from typing import TYPE_CHECKING, Callable

from assistant.dialog.flows.base import TOPIC_INTENTS, Expectation, Flow, Outcome
from assistant.dialog.flows.offer import OfferFlow
from assistant.nlu.normalize import fold
from assistant.nlu.result import NluResult

if TYPE_CHECKING:
    from assistant.dialog.context import Context

ASK_ADDRESS = "onboarding.ask_address"
ASK_COUNTRY = "onboarding.ask_country"
ADDRESS_ATTRS = {"du": "du_words", "sie": "sie_words"}
COUNTRY_ATTRS = ("DE", "AT", "CH")
PASS_THROUGH = TOPIC_INTENTS | {"feeling", "done"}
"""Requests that end the first-start questions at once (the configured defaults stay)."""


def _words(ctx: "Context", key: str, attr: str) -> tuple[str, ...]:
    return tuple(fold(word) for word in ctx.attr(key, attr, ()))


def match_choice(ctx: "Context", text: str, key: str, attrs: dict[str, str]) -> str | None:
    """The choice whose words occur in ``text`` (whole words), if exactly one does."""
    padded = f" {fold(text)} "
    hits = {choice for choice, attr in attrs.items()
            if any(f" {word} " in padded for word in _words(ctx, key, attr))}
    return hits.pop() if len(hits) == 1 else None


class OnboardingFlow(Flow):
    """Asks address form and country, stores them, explains, offers a first check-in."""

    name = "onboarding"

    def __init__(self, checkin: Callable[[], Flow]) -> None:
        self.checkin = checkin
        self.state = "address"
        self.unsure = False

    def takes(self, result: NluResult) -> bool:
        """Every request: the first-start questions end themselves (see :data:`PASS_THROUGH`)."""
        return True

    def _phrases(self, ctx: "Context", key: str, attrs) -> tuple[str, ...]:
        return tuple(word for attr in attrs for word in ctx.attr(key, attr, ()))

    def _ask(self, ctx: "Context") -> Outcome:
        if self.state == "address":
            return Outcome((ctx.say(ASK_ADDRESS),), Expectation(
                "none", self._phrases(ctx, ASK_ADDRESS, ADDRESS_ATTRS.values())))
        return Outcome((ctx.say(ASK_COUNTRY),), Expectation(
            "none", self._phrases(ctx, ASK_COUNTRY, COUNTRY_ATTRS)))

    def start(self, ctx: "Context", result: NluResult | None) -> Outcome:
        ask = self._ask(ctx)
        return Outcome((ctx.say("onboarding.welcome"), *ask.replies), ask.expect)

    def reprompt(self, ctx: "Context") -> Outcome:
        return self._ask(ctx)

    def move_on(self, ctx: "Context") -> Outcome:
        """No answer after the third asking: the configured default, said openly."""
        self.unsure = True
        return self._choose_default(ctx)

    def handle(self, ctx: "Context", result: NluResult) -> Outcome:
        if result.intent == "skip" and self.state == "address" and not self.unsure:
            self.unsure = True  # "weiß nicht": what the choice means, then the question once more
            ask = self._ask(ctx)
            return Outcome((ctx.say(f"{ASK_ADDRESS}_explain"), *ask.replies), ask.expect, repair=True)
        if result.intent == "skip":
            return self._choose_default(ctx)
        if result.intent in PASS_THROUGH:
            return self._skip_to(ctx)
        if self.state == "address":
            choice = match_choice(ctx, result.text, ASK_ADDRESS, ADDRESS_ATTRS)
            if choice is None:
                return self.unclear(ctx, "onboarding.unclear_address", Expectation())
            return self._set_address(ctx, choice)
        choice = match_choice(ctx, result.text, ASK_COUNTRY, {c: c for c in COUNTRY_ATTRS})
        if choice is None:
            return self.unclear(ctx, "onboarding.unclear_country", Expectation())
        return self._finish(ctx, choice)

    def _choose_default(self, ctx: "Context") -> Outcome:
        """"weiß nicht": keep the configured default and go on."""
        if self.state == "address":
            ctx.memory.set_setting("address", ctx.default_address)
            self.state = "country"
            ask = self._ask(ctx)
            return Outcome((ctx.say("onboarding.address_default"), *ask.replies), ask.expect)
        return self._finish(ctx, ctx.default_country)

    def _skip_to(self, ctx: "Context") -> Outcome:
        """The person asks for something else right away: keep the defaults, let them go on."""
        if self.state == "address":
            ctx.memory.set_setting("address", ctx.default_address)
        ctx.memory.set_setting("country", ctx.default_country)
        ctx.memory.set_setting("onboarding_done", True)
        return Outcome((), done=True, unhandled=True)

    def _set_address(self, ctx: "Context", address: str) -> Outcome:
        ctx.memory.set_setting("address", address)
        self.state = "country"
        ask = self._ask(ctx)
        return Outcome((ctx.say("onboarding.address_ok"), *ask.replies), ask.expect)

    def _finish(self, ctx: "Context", country: str) -> Outcome:
        ctx.memory.set_setting("country", country)
        ctx.memory.set_setting("onboarding_done", True)
        offer = OfferFlow("onboarding.offer_checkin", self.checkin, ("checkin",),
                          lead=(ctx.say("onboarding.explain"),))
        return Outcome((), done=True, handover=offer)
