"""WHO-5 Well-Being Index: items, answer matching, scoring and when it is due.

The five official German items and the six answer options live in
``prompts_de/who5.toml`` (with the source named there). Each option table
``[options.oN]`` scores N points and carries ``phrases``: what the person may
say for it. :class:`AnswerMatcher` folds phrases and answers alike
(:func:`assistant.nlu.normalize.fold`) and tries, in order: the whole answer
is a phrase; the longest phrase contained word by word in the answer
("ich würde sagen meistens"); a fuzzy match (rapidfuzz ``ratio`` >=
:data:`FUZZY_MIN`) for misheard words. Anything else is None: the flow asks
again rather than guessing.

Scoring (Topp et al. 2015): raw score = sum of the five answers (0-25),
percentage = raw * 4; a raw score below :data:`LOW_RAW` is low well-being and
leads to a gentle suggestion to talk to a doctor or therapist.

Offered every :data:`INTERVAL_DAYS` days; when declined, offered again no
sooner than :data:`DECLINE_PAUSE_DAYS` days later.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Sequence

from rapidfuzz import fuzz, process

from assistant.dialog.prompts import PromptBook
from assistant.errors import BegleiterError
from assistant.nlu.normalize import fold

ITEM_KEYS = tuple(f"who5.items.item{n}" for n in range(1, 6))
OPTION_VALUES = (0, 1, 2, 3, 4, 5)
LOW_RAW = 13
INTERVAL_DAYS = 14
DECLINE_PAUSE_DAYS = 7
FUZZY_MIN = 85


class Who5Error(BegleiterError):
    """WHO-5 answers that cannot be scored."""


@dataclass(frozen=True)
class Who5Result:
    """One completed WHO-5."""

    answers: tuple[int, ...]
    """The five answers, 0-5 each, in item order."""

    @property
    def raw(self) -> int:
        """Raw score 0-25."""
        return sum(self.answers)

    @property
    def percent(self) -> int:
        """Percentage score 0-100 (raw * 4)."""
        return self.raw * 4

    @property
    def low(self) -> bool:
        """Raw score below 13: suggest talking to a doctor or therapist."""
        return self.raw < LOW_RAW


def score(answers: Sequence[int]) -> Who5Result:
    """Score five answers; :class:`Who5Error` when there are not five values 0-5."""
    if len(answers) != len(ITEM_KEYS):
        raise Who5Error(f"Der WHO-5 braucht fünf Antworten, nicht {len(answers)}.")
    for value in answers:
        if isinstance(value, bool) or not isinstance(value, int) or value not in OPTION_VALUES:
            raise Who5Error(f"Eine WHO-5-Antwort muss zwischen 0 und 5 liegen, nicht {value!r}.")
    return Who5Result(tuple(answers))


def summary_lines(result: Who5Result, previous_raw: int | None = None) -> list[tuple[str, dict]]:
    """Prompt keys with data for the spoken summary, in order."""
    lines: list[tuple[str, dict]] = [("who5.summary", {"raw": result.raw, "percent": result.percent})]
    if previous_raw is not None:
        lines.append(("who5.previous", {"previous": previous_raw}))
    lines.append(("who5.low" if result.low else "who5.ok", {}))
    lines.append(("who5.not_a_diagnosis", {}))
    return lines


def is_due(today: date, last_taken: date | None, last_declined: date | None = None) -> bool:
    """Whether the WHO-5 should be offered in today's check-in."""
    if last_taken is not None and today - last_taken < timedelta(days=INTERVAL_DAYS):
        return False
    if last_declined is not None and today - last_declined < timedelta(days=DECLINE_PAUSE_DAYS):
        return False
    return True


class AnswerMatcher:
    """Maps what the person says to an answer value 0-5 (or None)."""

    def __init__(self, prompts: PromptBook) -> None:
        self._values: dict[str, int] = {}
        for value in OPTION_VALUES:
            key = f"who5.options.o{value}"
            phrases = prompts[key].attrs.get("phrases")
            if not phrases:
                raise Who5Error(f"In prompts_de/who5.toml fehlen die Antwortwörter bei „{key}“.")
            for phrase in phrases:
                self._values[fold(phrase)] = value
        self._choices = list(self._values)
        self._by_length = sorted(self._choices, key=len, reverse=True)

    def match(self, text: str) -> int | None:
        """The answer value for ``text``, or None when it is not clear."""
        folded = fold(text)
        if not folded:
            return None
        if folded in self._values:
            return self._values[folded]
        padded = f" {folded} "
        for phrase in self._by_length:
            if re.search(rf"(?<!\S){re.escape(phrase)}(?!\S)", padded):
                return self._values[phrase]
        best = process.extractOne(folded, self._choices, scorer=fuzz.ratio, score_cutoff=FUZZY_MIN)
        return self._values[best[0]] if best else None
