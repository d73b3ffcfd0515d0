"""Typed views of the content files: steps, exercises, explanations, support.

The texts themselves stay in the :class:`PromptBook`; this module reads the
structure (ids, energy grade, questions and what each expects) once at start-up
so the flows work with dataclasses, never with raw keys. The format is
described in ``notes/content_format.md``; a malformed file raises
:class:`DataFileError` naming the key.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from assistant.dialog.prompts import PromptBook
from assistant.errors import DataFileError

ENERGIES = ("low", "medium", "high")
EXPECTS = ("free_text", "yes_no", "scale")
EXERCISE_IDS = ("self_acceptance", "weekly_goal", "own_rhythm", "needs", "thought_journal",
                "bright_moment", "self_care_limits", "shared_hobby")
LEARN_IDS = ("protection", "shame", "exhaustion", "vicious_circle", "connection", "resilience", "depression")
ASKED_ONLY = frozenset({"depression"})
"""Topics told when asked for by name, not in the round of topics ("was ist Depression")."""
SUPPORT_IDS = ("therapy", "group_therapy", "self_help", "online")
_QUESTION = re.compile(r"^q(\d+)$")


@dataclass(frozen=True)
class SmallStep:
    """One small step towards other people."""

    id: str
    energy: str
    """``low``, ``medium`` or ``high``."""
    key: str
    """Prompt key of the offer (ends with one question)."""
    label: str
    """Infinitive phrase used inside other sentences."""
    minutes: int = 10
    """About how long it takes; "erledigt" sooner than this after accepting gets a kind question."""
    latest: int = 24
    """Offered only before this hour (a walk or a visit by day; a message or a call in the evening)."""
    earliest: int = 0
    """Offered only from this hour on ("plan tomorrow" is an evening step)."""


@dataclass(frozen=True)
class Question:
    """One question of an exercise."""

    key: str
    expect: str
    """``free_text``, ``yes_no`` or ``scale``."""


@dataclass(frozen=True)
class Exercise:
    """A reflection exercise: intro, 2-4 questions, outro."""

    id: str
    title_key: str
    intro_key: str
    questions: tuple[Question, ...]
    outro_key: str


@dataclass(frozen=True)
class Topic:
    """An explanation (``learn``)."""

    id: str
    title_key: str
    text_key: str


@dataclass(frozen=True)
class Content:
    """All content, typed."""

    steps: tuple[SmallStep, ...]
    exercises: tuple[Exercise, ...]
    topics: tuple[Topic, ...]

    def exercise(self, exercise_id: str) -> Exercise | None:
        return next((item for item in self.exercises if item.id == exercise_id), None)

    def topic(self, topic_id: str) -> Topic | None:
        return next((item for item in self.topics if item.id == topic_id), None)

    def step(self, step_id: str) -> SmallStep | None:
        return next((item for item in self.steps if item.id == step_id), None)


def load_content(book: PromptBook) -> Content:
    """Build the typed content from the prompts; raises on malformed content."""
    return Content(_steps(book), _exercises(book), _topics(book))


def _steps(book: PromptBook) -> tuple[SmallStep, ...]:
    steps = []
    for prompt in book.under("steps"):
        step_id = prompt.key.split(".", 1)[1]
        energy = prompt.attrs.get("energy")
        label = prompt.attrs.get("label")
        if energy not in ENERGIES:
            raise DataFileError(prompt.source, prompt.key, f"„energy“ muss low, medium oder high sein, nicht {energy!r}.")
        if not isinstance(label, str) or not label:
            raise DataFileError(prompt.source, prompt.key, "„label“ fehlt.")
        numbers = {}
        for name, default, low, top in (("minutes", 10, 1, 24 * 60), ("latest", 24, 1, 24), ("earliest", 0, 0, 23)):
            value = prompt.attrs.get(name, default)
            if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= top:
                raise DataFileError(prompt.source, f"{prompt.key}.{name}",
                                    f"muss eine ganze Zahl von {low} bis {top} sein.")
            numbers[name] = value
        steps.append(SmallStep(step_id, energy, prompt.key, label, **numbers))
    return tuple(steps)


def _exercises(book: PromptBook) -> tuple[Exercise, ...]:
    found = []
    for exercise_id in EXERCISE_IDS:
        base = f"exercises.{exercise_id}"
        if f"{base}.intro" not in book:
            continue
        questions = []
        for prompt in book.under(base):
            match = _QUESTION.match(prompt.key.rsplit(".", 1)[1])
            if match:
                expect = prompt.attrs.get("expect", "free_text")
                if expect not in EXPECTS:
                    raise DataFileError(prompt.source, prompt.key, f"„expect“ kennt {expect!r} nicht.")
                questions.append((int(match.group(1)), Question(prompt.key, expect)))
        for key in (f"{base}.title", f"{base}.outro"):
            if key not in book:
                raise DataFileError(book[f"{base}.intro"].source, key, "fehlt.")
        if not questions:
            raise DataFileError(book[f"{base}.intro"].source, base, "hat keine Fragen (q1, q2, ...).")
        ordered = tuple(question for _, question in sorted(questions))
        found.append(Exercise(exercise_id, f"{base}.title", f"{base}.intro", ordered, f"{base}.outro"))
    return tuple(found)


def _topics(book: PromptBook) -> tuple[Topic, ...]:
    return tuple(Topic(topic_id, f"learn.{topic_id}.title", f"learn.{topic_id}.text")
                 for topic_id in LEARN_IDS if f"learn.{topic_id}.text" in book)
