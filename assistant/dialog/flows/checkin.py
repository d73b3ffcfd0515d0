"""The daily check-in: open step, mood, energy, contact, acknowledgement, one small step.

Under two minutes: one question per turn, numbers confirmed only when the
understanding was unsure, every answer skippable ("weiß nicht").
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from assistant.dialog.flows.base import SCALE, TOPIC_INTENTS, YES_NO, Expectation, Flow, Outcome
from assistant.dialog.flows.steps import StepOfferFlow, open_steps
from assistant.dialog.flows.who5 import after_checkin
from assistant.dialog.turn import Reply
from assistant.dialog.variety import window_start
from assistant.nlu.normalize import fold, tokenize
from assistant.nlu.numbers import scale_number, word_value
from assistant.nlu.result import NluResult

if TYPE_CHECKING:
    from assistant.dialog.context import Context

ENERGY_WORDS = {"low": 2, "medium": 5, "high": 8}
"""Energy said in words, as a value on the 0-10 scale."""
CONFIRM_BELOW = 0.6
"""Scale answers understood with less confidence are confirmed before saving."""
TREND_DAYS = 3
TREND_DELTA = 2.0
LOW_DAYS = 2
"""Earlier days with low mood (and today) that count as "hard for days"."""


def band(value: int) -> str:
    """``low`` (0-3), ``medium`` (4-6) or ``high`` (7-10)."""
    return "low" if value <= 3 else "medium" if value <= 6 else "high"


def scale_value(result: NluResult) -> int | None:
    value = result.slots.get("value")
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 10:
        return None
    return value


def energy_from_words(ctx: "Context", text: str) -> int | None:
    """"wenig", "mittel", "ziemlich viel": the longest phrase from the prompt data decides."""
    padded = f" {fold(text)} "
    best: tuple[int, int] | None = None
    for level, value in ENERGY_WORDS.items():
        for phrase in ctx.attr("checkin.ask_energy", f"{level}_words", ()):
            folded = fold(phrase)
            if f" {folded} " in padded and (best is None or len(folded) > best[0]):
                best = (len(folded), value)
    return best[1] if best else None


class CheckinFlow(Flow):
    """Asks, one at a time: open step (if any), mood, energy, contact; then acknowledges."""

    name = "checkin"
    own_intents = frozenset({"checkin"})
    QUESTIONS = {"open_step": ("checkin.ask_open_step", YES_NO), "mood": ("checkin.ask_mood", SCALE),
                 "energy": ("checkin.ask_energy", SCALE), "contact": ("checkin.ask_contact", YES_NO)}

    def __init__(self) -> None:
        self.state = "mood"
        self.answers: dict[str, int | bool | None] = {}
        self.pending: int | None = None
        self.open_step = None
        self.followup_last = False
        """The open step's question comes after contact (a number was said to it: the mood)."""
        self.energy_phrases: tuple[str, ...] = ()

    def start(self, ctx: "Context", result: NluResult | None) -> Outcome:
        self.energy_phrases = tuple(phrase for level in ENERGY_WORDS
                                    for phrase in ctx.attr("checkin.ask_energy", f"{level}_words", ()))
        steps = open_steps(ctx)
        today = ctx.now().date()
        earlier = [step for step in steps if step.accepted_at and step.accepted_at.date() < today]
        if earlier:
            self.open_step, self.state = earlier[0], "open_step"
        return Outcome((ctx.say("checkin.intro"), self._question(ctx)), self._expect())

    def _question(self, ctx: "Context", again: bool = False) -> Reply:
        key = self.QUESTIONS[self.state][0]
        say = ctx.again if again else ctx.say
        if self.state == "open_step":
            return say(key, label=self.open_step.label)
        return say(key)

    def _expect(self) -> Expectation:
        if self.pending is not None:
            return YES_NO
        if self.state == "energy":
            return Expectation("scale", self.energy_phrases)
        return self.QUESTIONS[self.state][1]

    def reprompt(self, ctx: "Context") -> Outcome:
        if self.pending is not None:
            return Outcome((ctx.again("checkin.confirm_value", value=self.pending),), YES_NO)
        return Outcome((self._question(ctx, again=True),), self._expect())

    def handle(self, ctx: "Context", result: NluResult) -> Outcome:
        if result.intent in TOPIC_INTENTS and result.intent != "checkin":
            return Outcome((), done=True, unhandled=True)
        if result.intent == "checkin":  # "check-in" while in one: we are already there
            again = self.reprompt(ctx)
            return Outcome((ctx.say("checkin.already"), *again.replies), again.expect, repair=True)
        if self.pending is not None:
            return self._confirm(ctx, result)
        if self.state == "open_step":
            return self._open_step(ctx, result)
        if self.state == "contact":
            return self._contact(ctx, result)
        return self._scale(ctx, result)

    def _scale(self, ctx: "Context", result: NluResult) -> Outcome:
        if result.intent == "skip":
            return self._store_and_next(ctx, None, (ctx.say("checkin.skipped"),))
        if self.state == "energy":
            # Energy words from the prompt data win: they know "nicht viel" is little.
            worded = energy_from_words(ctx, result.text)
            if worded is not None:
                return self._store_and_next(ctx, worded, ())
        value = scale_value(result)
        if value is None:
            return self.unclear(ctx, f"checkin.unclear_{self.state}", SCALE)
        if result.confidence < CONFIRM_BELOW:
            self.pending = value
            return Outcome((ctx.say("checkin.confirm_value", value=value),), YES_NO)
        return self._store_and_next(ctx, value, ())

    def _confirm(self, ctx: "Context", result: NluResult) -> Outcome:
        value, self.pending = self.pending, None
        if result.intent == "yes":
            return self._store_and_next(ctx, value, ())
        corrected = scale_value(result)
        if corrected is not None:
            return self._store_and_next(ctx, corrected, ())
        if result.intent == "no":
            return Outcome((ctx.say("checkin.confirm_again"), self._question(ctx)), self._expect())
        self.pending = value
        return self.unclear(ctx, "dialog.unclear_yes_no", YES_NO)

    def _store_and_next(self, ctx: "Context", value: int | None, lead: tuple) -> Outcome:
        self.answers[self.state] = value
        self.state = "energy" if self.state == "mood" else "contact"
        return Outcome((*lead, self._question(ctx)), self._expect())

    def _open_step(self, ctx: "Context", result: NluResult) -> Outcome:
        early_mood = _only_a_number(result.text) if result.intent not in ("yes", "no", "done", "skip") else None
        if early_mood is not None and not self.followup_last:
            # "null" to "Konntest du ...?": the person is telling the mood; the step comes later
            self.answers["mood"], self.followup_last, self.state = early_mood, True, "energy"
            return Outcome((self._question(ctx),), self._expect())
        if result.intent in ("yes", "done"):
            ctx.memory.set_step_state(self.open_step.id, "done", ctx.now())
            lead = ctx.say("checkin.open_step_done", label=self.open_step.label)
        elif result.intent in ("no", "skip"):
            ctx.memory.set_step_state(self.open_step.id, "declined", ctx.now())
            lead = ctx.say("checkin.open_step_not_done")
        else:
            return self.unclear(ctx, "dialog.unclear_yes_no", YES_NO)
        if self.followup_last:
            return self._finish(ctx, (lead,))
        self.state = "mood"
        return Outcome((lead, self._question(ctx)), SCALE)

    def _contact(self, ctx: "Context", result: NluResult) -> Outcome:
        named = ctx.requests.names_contact(result.text) if ctx.requests is not None else None
        said_no_but = result.intent == "no" and named and " aber " in f" {fold(result.text)} "
        if named is not None and (result.intent not in ("yes", "no", "skip") or said_no_but):
            # "meine tochter hat angerufen", "nein, aber mein bruder hat geschrieben": a contact
            self.answers["contact"] = named
        elif result.intent in ("yes", "no", "skip"):
            self.answers["contact"] = {"yes": True, "no": False}.get(result.intent)
        else:
            return self.unclear(ctx, "checkin.unclear_contact", YES_NO)
        if self.followup_last:
            self.state = "open_step"
            return Outcome((self._question(ctx),), YES_NO)
        return self._finish(ctx)

    def park(self, ctx: "Context") -> tuple[Reply, ...]:
        """Another topic mid check-in: what was answered is kept (stored now), nothing else."""
        mood, energy = self.answers.get("mood"), self.answers.get("energy")
        if mood is None and energy is None:
            return (ctx.say("dialog.parked"),)
        ctx.memory.add_checkin(ctx.now(), mood, energy, None)
        return (ctx.say("checkin.parked"),)

    def move_on(self, ctx: "Context") -> Outcome:
        """Past a question nobody could answer; the open step keeps its state (nothing was said)."""
        if self.pending is not None:
            self.pending = None
            return self._store_and_next(ctx, None, ())
        if self.state == "open_step":
            if self.followup_last:
                return self._finish(ctx)
            self.state = "mood"
            return Outcome((self._question(ctx),), SCALE)
        return self.handle(ctx, NluResult("", "skip", 1.0))

    def _finish(self, ctx: "Context", lead: tuple[Reply, ...] = ()) -> Outcome:
        mood, energy, contact = (self.answers.get(name) for name in ("mood", "energy", "contact"))
        earlier = ctx.memory.checkins_since(ctx.now() - timedelta(days=TREND_DAYS))
        ctx.memory.add_checkin(ctx.now(), mood, energy, contact)
        replies = [*lead, ctx.say(f"checkin.ack_mood_{band(mood)}" if mood is not None else "checkin.ack_thanks")]
        trend = _trend(mood, _daily_moods(earlier, ctx.now()))
        if trend:
            replies.append(ctx.say(f"checkin.trend_{trend}"))
        if contact or (contact is False and not trend):  # keep the turn short: one sad note is enough
            replies.append(ctx.say("checkin.contact_yes" if contact else "checkin.contact_no"))
        if any(step.state == "accepted" for step in ctx.memory.steps_since(_midnight(ctx.now()))):
            replies.append(ctx.say("checkin.closing"))
            return Outcome(tuple(replies), done=True, handover=after_checkin(ctx, None))
        grade = band(energy) if energy is not None else "low"
        lead = "checkin.step_lead_low" if grade == "low" or (mood is not None and mood <= 3) else "checkin.step_lead"
        step = StepOfferFlow(grade if mood is None or mood > 3 else "low", lead)
        return Outcome(tuple(replies), done=True, handover=after_checkin(ctx, step))


def _only_a_number(text: str) -> int | None:
    """A 0-10 number and nothing else ("null", "vier"), else None ("ein bisschen" is no number)."""
    words = tokenize(text).folded
    if not 0 < len(words) <= 2 or any(word_value(word) is None for word in words):
        return None
    return scale_number(words)


def _midnight(now):
    return window_start(now, 1)


def _daily_moods(checkins: list, now) -> list[int]:
    """The last mood of each earlier day (today's earlier check-ins do not count)."""
    by_day = {c.at.date(): c.mood for c in checkins if c.mood is not None and c.at.date() < now.date()}
    return [by_day[day] for day in sorted(by_day)]


def _trend(mood: int | None, earlier: list[int]) -> str:
    """``low_days`` when it has been hard for days, ``up``/``down`` on a clear change, else empty."""
    if mood is None or not earlier:
        return ""
    if mood <= 3 and len(earlier) >= LOW_DAYS and all(value <= 3 for value in earlier[-LOW_DAYS:]):
        return "low_days"
    average = sum(earlier) / len(earlier)
    if mood - average >= TREND_DELTA:
        return "up"
    if average - mood >= TREND_DELTA:
        return "down"
    return ""
