"""Setting, listing and cancelling reminders by voice.

- Set (``reminder_set``, slots ``when``/``what``/``repeat``): asks for what is
  missing (offering the newest open small step as the content), reads time and
  content back ("Morgen, Freitag, um 9 Uhr erinnere ich dich an: …. Passt das?")
  and stores only after yes; a no lets the person give the right time or content.
- List (``reminder_list``): see :mod:`assistant.dialog.flows.reminder_list`.
- Cancel: see :mod:`assistant.dialog.flows.reminder_cancel`.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from assistant.dialog import schedule
from assistant.dialog.flows.base import FREE_TEXT, YES_NO, Flow, Outcome
from assistant.dialog.flows.steps import open_steps
from assistant.dialog.reminder_book import wall_datetime
from assistant.dialog.reminder_text import ReminderText, said_content, written
from assistant.dialog.timephrase import TimePhrases, capitalized
from assistant.errors import BegleiterError
from assistant.nlu.normalize import tokenize
from assistant.nlu.result import NluResult
from assistant.nlu.times import resolve, scan

if TYPE_CHECKING:
    from assistant.dialog.context import Context

MAX_TRIES = 3


def _zone(ctx: "Context") -> ZoneInfo:
    zone = ctx.clock.zone
    return zone if isinstance(zone, ZoneInfo) else ZoneInfo(str(getattr(zone, "key", "Europe/Berlin")))


def _text_of(result: NluResult) -> str:
    return str(result.slots.get("text") or result.text).strip()


class ReminderSetFlow(Flow):
    """Collects time and content, reads them back, stores after yes."""

    name = "reminder_set"
    own_intents = frozenset({"reminder_set"})

    def __init__(self) -> None:
        self.what: str | None = None
        self.said = ""
        """The content with the article the person said before it ("den arzttermin")."""
        self.wall: datetime | None = None
        self.repeat: str | None = None
        self.state = ""
        self.tries = 0
        self.step_declined = False

    def start(self, ctx: "Context", result: NluResult | None) -> Outcome:
        self._take(ctx, result.slots if result else {}, result.text if result else "")
        return self._next(ctx)

    def _set_what(self, ctx: "Context", what: str, utterance: str = "") -> None:
        self.what = what.strip()
        self.said = said_content(ctx.prompts, self.what, utterance)

    def _take(self, ctx: "Context", slots: dict[str, Any], utterance: str = "") -> None:
        if slots.get("what"):
            self._set_what(ctx, str(slots["what"]), utterance)
        if slots.get("repeat") in schedule.REPEATS:
            self.repeat = slots["repeat"]
        if slots.get("when"):
            try:
                self.wall = schedule.parse_wall(str(slots["when"]))
            except BegleiterError:
                self.wall = None

    def _time_from(self, ctx: "Context", result: NluResult) -> bool:
        """Take a time from the ``when`` slot or, in free text, from the words; True if found."""
        if result.slots.get("when"):
            self._take(ctx, {"when": result.slots["when"], "repeat": result.slots.get("repeat")})
            return self.wall is not None
        parts = scan(tokenize(_text_of(result)).folded)
        if not parts.found:
            return False
        base = ctx.now()
        same_day = parts.day_offset is None and parts.weekday is None and parts.delta is None
        if self.wall is not None and same_day:  # "um zehn" corrects the clock time on the same day
            base = datetime.combine(self.wall.date(), datetime.min.time(), tzinfo=base.tzinfo)
        moment = resolve(parts, base)
        if moment is None:
            return False
        self.wall = moment.replace(tzinfo=None)
        self.repeat = parts.repeat or self.repeat
        return True

    def _first(self, ctx: "Context") -> datetime | None:
        """The first occurrence's wall time (a recurring one moves to the next day), or None if past."""
        zone, now = _zone(ctx), ctx.now()
        if self.repeat is None:
            due = schedule.to_aware(self.wall, zone)
            return self.wall if schedule.utc(due) > schedule.utc(now) else None
        first = schedule.next_occurrence(self.wall, zone, self.repeat, now)
        return datetime.combine(first.date(), self.wall.time()) if first else None

    def _next(self, ctx: "Context") -> Outcome:
        if self.what is None:
            steps = [] if self.step_declined else open_steps(ctx)
            if steps:
                self.state = "step"
                return Outcome((ctx.say("reminders.ask_step", label=steps[0].label),), YES_NO)
            self.state = "what"
            return Outcome((ctx.say("reminders.ask_what"),), FREE_TEXT)
        if self.wall is None:
            self.state = "when"
            return Outcome((ctx.say("reminders.ask_when"),), FREE_TEXT)
        first = self._first(ctx)
        if first is None:
            self.wall, self.state = None, "when"
            return Outcome((ctx.say("reminders.past_time"),), FREE_TEXT)
        self.wall, self.state = first, "confirm"
        return self.reprompt(ctx)

    def reprompt(self, ctx: "Context") -> Outcome:
        if self.state != "confirm":
            return self._next(ctx)
        local_now = ctx.now().astimezone(_zone(ctx)).replace(tzinfo=None)
        when = TimePhrases(ctx.prompts, ctx.address).when(self.wall, local_now, self.repeat)
        text = ReminderText(ctx.prompts, ctx.address)
        return Outcome((ctx.say("reminders.confirm", when=capitalized(when), about=text.about(self.said),
                                what=text.shown(self.said)),), YES_NO)

    def park(self, ctx: "Context") -> tuple:
        """Another topic before the yes: the reminder is not saved, and the person hears so."""
        if self.what:
            return (ctx.say("reminders.parked_what", what=ReminderText(ctx.prompts, ctx.address).shown(self.said)),)
        return (ctx.say("reminders.parked"),)

    def move_on(self, ctx: "Context") -> Outcome:
        """No answer after the third asking: nothing is saved, and the person hears so."""
        return Outcome(self.park(ctx), done=True)

    def on_silence(self, ctx: "Context", count: int) -> Outcome:
        """Silent twice: the reminder is not saved, said once (it may be about medication)."""
        if count <= 1:
            return super().on_silence(ctx, count)
        return Outcome(self.park(ctx), done=True)

    def handle(self, ctx: "Context", result: NluResult) -> Outcome:
        handler = {"confirm": self._confirm, "correct": self._correct, "when": self._when,
                   "what": self._what, "step": self._step}[self.state]
        return handler(ctx, result)

    def _confirm(self, ctx: "Context", result: NluResult) -> Outcome:
        if result.intent == "yes":
            ctx.memory.store.reminders.add(written(self.what), wall_datetime(schedule.format_wall(self.wall),
                                                                                 _zone(ctx)),
                                           self.repeat, created_at=ctx.now(), said=self.said)
            return Outcome((ctx.say("reminders.saved"),), done=True)
        if result.intent == "no":
            self.state = "correct"
            return Outcome((ctx.say("reminders.ask_correction"),), FREE_TEXT)
        if result.intent == "reminder_set" and result.slots:
            self._take(ctx, result.slots, result.text)
            return self._next(ctx)
        return self.unclear(ctx, "dialog.unclear_yes_no", YES_NO)

    def _gave_up(self, ctx: "Context") -> Outcome | None:
        self.tries += 1
        return Outcome((ctx.say("reminders.given_up"),), done=True) if self.tries >= MAX_TRIES else None

    def _correct(self, ctx: "Context", result: NluResult) -> Outcome:
        stop = self._gave_up(ctx)
        if stop:
            return stop
        bare = _bare_yes_or_no(ctx, result)
        if bare == "no":  # "nein" to "what is wrong?": the person does not want it
            return Outcome((ctx.say("reminders.not_saved"),), done=True)
        if bare == "yes":  # a bare yes is no content: ask what to change
            return Outcome((ctx.say("reminders.ask_what_to_change"),), FREE_TEXT, repair=True)
        if result.slots.get("what"):
            self._set_what(ctx, str(result.slots["what"]), result.text)
            self._time_from(ctx, result)
        elif not self._time_from(ctx, result) and _text_of(result):
            self._set_what(ctx, _text_of(result))
        return self._next(ctx)

    def _when(self, ctx: "Context", result: NluResult) -> Outcome:
        if self._time_from(ctx, result):
            return self._next(ctx)
        stop = self._gave_up(ctx)
        return stop or Outcome((ctx.say("reminders.unclear_time"),), FREE_TEXT)

    def _what(self, ctx: "Context", result: NluResult) -> Outcome:
        text = str(result.slots.get("what") or _text_of(result))
        if not text:
            return self.unclear(ctx, "reminders.ask_what", FREE_TEXT)
        self._set_what(ctx, text, result.text)
        return self._next(ctx)

    def _step(self, ctx: "Context", result: NluResult) -> Outcome:
        if result.intent == "yes":
            self._set_what(ctx, open_steps(ctx)[0].label)
        elif result.intent in ("no", "skip"):
            self.step_declined = True
        else:
            return self.unclear(ctx, "dialog.unclear_yes_no", YES_NO)
        return self._next(ctx)


def _bare_yes_or_no(ctx: "Context", result: NluResult) -> str | None:
    """"ja" or "nein" and nothing else: no time, no content (the words, not the matcher, decide)."""
    if ctx.requests is None or result.slots.get("when") or result.slots.get("what"):
        return None
    if result.intent == "skip":  # "weiß nicht" is no content either
        return "no"
    return ctx.requests.bare_answer(result.text)
