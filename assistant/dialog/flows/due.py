"""Due reminders, spoken by the assistant itself, and the answer to them.

:class:`DueReminders` is a proactive source (see :mod:`assistant.dialog.proactive`):
the engine calls it at the start of a session and before each reply.

- Reminders missed by more than two hours are mentioned once ("Gestern Abend
  war eine Erinnerung an …") and move on to their next occurrence.
- A due reminder is spoken only when no other flow is active (it waits until
  the current topic ends), one at a time; :class:`DueFlow` then takes
  "erledigt", "später" or "nicht heute". Speaking it is saved at once as if
  nobody answered (it comes back once after the snooze time, then rests), so
  silence, a topic change or a crash never lets it nag.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from assistant.dialog import schedule
from assistant.dialog.flows.base import YES_NO, Flow, Outcome
from assistant.dialog.proactive import Announcement
from assistant.dialog.reminder_book import ReminderPolicy, describe, save_timing, timing_of, zone_of
from assistant.dialog.reminder_text import ReminderText
from assistant.dialog.timephrase import TimePhrases, capitalized
from assistant.dialog.turn import Expectation, Reply
from assistant.nlu.normalize import fold
from assistant.nlu.result import NluResult
from assistant.store import Reminder

if TYPE_CHECKING:
    from assistant.dialog.context import Context

DONE_INTENTS = ("done", "yes")
SKIP_INTENTS = ("no", "skip")


def phrases(ctx: "Context") -> TimePhrases:
    return TimePhrases(ctx.prompts, ctx.address)


@dataclass
class DueReminders:
    """The proactive source for reminders (one per engine; holds the policy)."""

    policy: ReminderPolicy = ReminderPolicy()

    def __call__(self, ctx: "Context", active: Flow | None, conversation: bool = True) -> Announcement:
        """What to say now; ``conversation=False`` (voice loop asleep) keeps missed ones for later."""
        now = ctx.now()
        policy = self.policy.for_person(ctx.memory)
        replies: list[Reply] = []
        speak: tuple[Reminder, schedule.Timing] | None = None
        for reminder in ctx.memory.store.reminders.active():
            timing = timing_of(reminder, policy.quiet)
            state = schedule.check(timing, now, policy.quiet)
            if state == schedule.MISSED and conversation:
                replies.append(self._missed(ctx, reminder, timing, now))
            elif state == schedule.SPEAK and speak is None and active is None:
                speak = (reminder, timing)
        if speak is None:
            return Announcement(tuple(replies))
        reminder, timing = speak
        key = "reminders.due" if timing.spoken == 0 else "reminders.due_again"
        text, said = ReminderText(ctx.prompts, ctx.address), reminder.said or reminder.what
        replies.append(ctx.say(key, remember=text.remember(said), what=text.shown(said)))
        save_timing(ctx.memory.store, reminder, schedule.mark_spoken(timing, now, policy.snooze), now)
        return Announcement(tuple(replies), DueFlow(reminder, timing, policy))

    def _missed(self, ctx: "Context", reminder: Reminder, timing: schedule.Timing, now: datetime) -> Reply:
        due = schedule.occurrence(timing)
        local_now = now.astimezone(zone_of(reminder))
        when = phrases(ctx).past(due.replace(tzinfo=None), local_now.replace(tzinfo=None))
        save_timing(ctx.memory.store, reminder, schedule.advance(timing, now))
        text, said = ReminderText(ctx.prompts, ctx.address), reminder.said or reminder.what
        return ctx.say("reminders.missed", when=capitalized(when), remember=text.remember(said),
                       what=text.shown(said))


def asleep_reminders(engine: Any) -> tuple[Reply, ...]:
    """For the voice loop while it sleeps: due reminders to speak now (missed ones wait).

    The engine keeps the answer flow, so "erledigt" after the wake phrase answers it.
    Wire it with ``loop.due_reminders = lambda: asleep_reminders(engine)``.
    """
    for source in engine.proactive:
        if isinstance(source, DueReminders):
            said = source(engine.ctx, engine.flow, conversation=False)
            if said.flow is not None:
                engine.begin_waiting(said.flow)
            return said.replies
    return ()


class DueFlow(Flow):
    """Waits for "erledigt", "später" or "nicht heute" after a reminder was spoken."""

    name = "reminder_due"

    def __init__(self, reminder: Reminder, before: schedule.Timing, policy: ReminderPolicy) -> None:
        self.reminder = reminder
        self.before = before
        """The timing as it was before speaking (answers are applied to it)."""
        self.policy = policy

    def start(self, ctx: "Context", result: NluResult | None) -> Outcome:
        return Outcome((), self._expect(ctx))

    def _expect(self, ctx: "Context") -> Expectation:
        return Expectation("yes_no", tuple(ctx.attr("reminders.due", "phrases", ())))

    def reprompt(self, ctx: "Context") -> Outcome:
        return Outcome((ctx.say("reminders.due_unclear"),), self._expect(ctx))

    def handle(self, ctx: "Context", result: NluResult) -> Outcome:
        if self._says_not_today(ctx, result) or result.intent in SKIP_INTENTS:
            return self._skip(ctx)
        if result.intent in DONE_INTENTS:
            self._save(ctx, schedule.advance(self.before, ctx.now()))
            return Outcome((ctx.say("reminders.done"),), done=True)
        if result.intent is None:
            return Outcome((ctx.say("reminders.due_unclear"),), self._expect(ctx))
        return Outcome((), done=True, unhandled=True)

    def answer_later(self, ctx: "Context", result: NluResult) -> Outcome:
        """Called by the engine for the global "später" (which also covers "nicht heute")."""
        if self._says_not_today(ctx, result):
            return self._skip(ctx)
        if schedule.can_snooze(self.before):
            self._save(ctx, schedule.mark_spoken(self.before, ctx.now(), self.policy.snooze))
            return Outcome((ctx.say("reminders.snoozed", minutes=self.policy.snooze_minutes),), done=True)
        self._save(ctx, schedule.advance(self.before, ctx.now()))
        return Outcome((ctx.say("reminders.snooze_last"),), done=True)

    def _skip(self, ctx: "Context") -> Outcome:
        timing = schedule.skip_today(self.before, ctx.now())
        saved = self._save(ctx, timing)
        if saved.state != "active":
            return Outcome((ctx.say("reminders.skipped_end"),), done=True)
        return Outcome((ctx.say("reminders.skipped", when=describe(phrases(ctx), saved, ctx.now(), next_only=True)),),
                       done=True)

    def _says_not_today(self, ctx: "Context", result: NluResult) -> bool:
        said = f" {fold(result.text)} "
        return any(f" {fold(words)} " in said for words in ctx.attr("reminders.due", "not_today", ()))

    def _save(self, ctx: "Context", timing: schedule.Timing) -> Reminder:
        return save_timing(ctx.memory.store, self.reminder, timing)


RECENT = timedelta(minutes=45)
""""erledigt" this soon after a reminder that is still waiting for its answer is about it."""


def recently_spoken(ctx: "Context") -> Reminder | None:
    """The reminder spoken last (within :data:`RECENT`) that nobody answered yet."""
    now = ctx.now()
    waiting = [r for r in ctx.memory.store.reminders.active()
               if r.times_spoken > 0 and r.last_spoken is not None
               and timedelta(0) <= schedule.utc(now) - schedule.utc(r.last_spoken) <= RECENT]
    return max(waiting, key=lambda r: schedule.utc(r.last_spoken)) if waiting else None


class ReminderDoneFlow(Flow):
    """"erledigt" said a little after a reminder (the answer came late): mark it done."""

    name = "reminder_done"

    def __init__(self, reminder: Reminder) -> None:
        self.reminder = reminder

    def start(self, ctx: "Context", result: NluResult | None) -> Outcome:
        timing = timing_of(self.reminder, schedule.QuietHours())
        save_timing(ctx.memory.store, self.reminder, schedule.advance(timing, ctx.now()))
        return Outcome((ctx.say("reminders.done"),), done=True)

    def handle(self, ctx: "Context", result: NluResult) -> Outcome:
        return Outcome((), done=True, unhandled=True)
