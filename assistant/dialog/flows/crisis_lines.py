"""The crisis lines of the person's country: what the acute response, the concern flow, the
safety plan, support and "notfallnummer" all say. Lower than every flow that says them."""

from __future__ import annotations

from typing import TYPE_CHECKING

from assistant.dialog.turn import Reply

if TYPE_CHECKING:
    from assistant.dialog.context import Context

LINES = {"DE": "safety.lines_DE", "AT": "safety.lines_AT", "CH": "safety.lines_CH"}
SLOW_LINES = {"DE": "safety.slow_DE", "AT": "safety.slow_AT", "CH": "safety.slow_CH"}
NUMBER = {"DE": "safety.number_DE", "AT": "safety.number_AT", "CH": "safety.number_CH"}


def lines(ctx: "Context") -> tuple[Reply, ...]:
    """All crisis lines of the person's country, with the emergency number."""
    return (ctx.say(LINES.get(ctx.country, LINES["DE"])),)


def slow_lines(ctx: "Context") -> tuple[Reply, ...]:
    """The numbers again, digit by digit, one number per sentence."""
    return (ctx.say(SLOW_LINES.get(ctx.country, SLOW_LINES["DE"])),)


def number(ctx: "Context") -> Reply:
    """The one line to call first and the emergency number, in two short sentences."""
    return ctx.say(NUMBER.get(ctx.country, NUMBER["DE"]))
