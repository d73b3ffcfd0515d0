"""Reflection exercises: intro, a few questions, outro; "später" resumes at the same question."""

from __future__ import annotations

from typing import TYPE_CHECKING

from assistant.dialog.content import Exercise
from assistant.dialog.flows.base import TOPIC_INTENTS, YES_NO, Expectation, Flow, Outcome
from assistant.nlu.result import NluResult

if TYPE_CHECKING:
    from assistant.dialog.context import Context

PAUSED = "paused_exercise"
"""Person setting holding ``{"exercise": id, "question": index}`` of a paused exercise."""


def paused_exercise(ctx: "Context") -> tuple[Exercise, int] | None:
    """The exercise paused with "später" and the question to continue at, if any."""
    state = ctx.memory.setting(PAUSED, None)
    if not isinstance(state, dict):
        return None
    exercise = ctx.content.exercise(str(state.get("exercise", "")))
    index = state.get("question")
    if exercise is None or not isinstance(index, int) or not 0 <= index < len(exercise.questions):
        return None
    return exercise, index


def forget_paused_exercise(ctx: "Context") -> None:
    """The person does not want to continue: no more offers to resume it."""
    ctx.memory.set_setting(PAUSED, None)


def choose_exercise(ctx: "Context") -> Exercise | None:
    """The exercise whose outro was heard longest ago (never heard first)."""
    if not ctx.content.exercises:
        return None
    def last_done(exercise: Exercise):
        return ctx.memory.last_said(exercise.outro_key, ctx.now())
    never = [item for item in ctx.content.exercises if last_done(item) is None]
    if never:
        return ctx.picker.rng.choice(never)
    return min(ctx.content.exercises, key=last_done)


class ExerciseFlow(Flow):
    """One exercise, question by question; free-text answers become journal entries."""

    name = "exercise"
    own_intents = frozenset({"exercise"})

    def __init__(self, topic: str | None = None) -> None:
        self.topic = topic
        self.exercise: Exercise | None = None
        self.index = 0

    def start(self, ctx: "Context", result: NluResult | None) -> Outcome:
        paused = paused_exercise(ctx)
        if paused and (self.topic is None or self.topic == paused[0].id):
            self.exercise, self.index = paused
            ctx.memory.set_setting(PAUSED, None)
            title = ctx.say(self.exercise.title_key)
            return Outcome((ctx.say("exercise_dialog.resume", title=title.text), self._ask(ctx)), self._expect())
        self.exercise = ctx.content.exercise(self.topic) if self.topic else choose_exercise(ctx)
        if self.exercise is None:
            return Outcome((ctx.say("exercise_dialog.none"),), done=True)
        return Outcome((ctx.say(self.exercise.intro_key), self._ask(ctx)), self._expect())

    def _ask(self, ctx: "Context"):
        return ctx.say(self.exercise.questions[self.index].key)

    def _expect(self) -> Expectation:
        return Expectation(self.exercise.questions[self.index].expect)

    def reprompt(self, ctx: "Context") -> Outcome:
        return Outcome((ctx.again(self.exercise.questions[self.index].key),), self._expect())

    def handle(self, ctx: "Context", result: NluResult) -> Outcome:
        question = self.exercise.questions[self.index]
        if question.expect != "free_text" and result.intent in TOPIC_INTENTS - {"exercise"}:
            self.pause(ctx)  # another topic first: the exercise waits at this question
            return Outcome((), done=True, unhandled=True)
        if result.intent == "skip" or result.intent == "next":
            return self._next(ctx, ctx.say("exercise_dialog.skipped"))
        if question.expect == "yes_no" and result.intent not in ("yes", "no"):
            return self.unclear(ctx, "dialog.unclear_yes_no", YES_NO)
        if question.expect == "scale" and not isinstance(result.slots.get("value"), int):
            return self.unclear(ctx, "dialog.unclear_scale", self._expect())
        answer = str(result.slots.get("text") or result.text).strip()
        if question.expect == "free_text" and answer:
            ctx.memory.add_journal(ctx.now(), self.exercise.id, question.key, answer)
        return self._next(ctx, ctx.say("exercise_dialog.thanks"))

    def _next(self, ctx: "Context", lead) -> Outcome:
        self.index += 1
        if self.index >= len(self.exercise.questions):
            return Outcome((ctx.say(self.exercise.outro_key),), done=True)
        return Outcome((lead, self._ask(ctx)), self._expect())

    def pause(self, ctx: "Context") -> bool:
        if self.exercise is None:
            return False
        ctx.memory.set_setting(PAUSED, {"exercise": self.exercise.id, "question": self.index})
        return True
