"""From an utterance to an :class:`NluResult`: the one entry point of ``nlu``.

Order: safety first (``assistant.nlu.safety.assess``), then normalisation, then
matching aware of what the dialogue expects, then slots. See docs/nlu.md.
"""

from __future__ import annotations

import gc
import logging
import unicodedata
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Mapping, Sequence

from assistant.clock import SystemClock, local_zone
from assistant.nlu import safety
from assistant.nlu.matcher import Match, Matcher
from assistant.nlu.normalize import Tokens, tokenize
from assistant.nlu.numbers import MISHEARD, ORDINALS, TENS, TEENS, UNITS, scale_number, word_value
from assistant.nlu.phrases import fold_phrase, load_intents
from assistant.nlu.reminders import extract_what, find_position
from assistant.nlu.result import EXPECTATIONS, NluResult
from assistant.nlu.safety_rules import LEVELS
from assistant.nlu.times import find_when
from assistant.nlu.timewords import DAYPARTS, RELATIVE_UNITS, WEEKDAY_ADVERBS, WEEKDAYS

if TYPE_CHECKING:
    from assistant.nlu.semantic import SafetyScore, SemanticLayer

LOG = logging.getLogger(__name__)
MIN_CONFIDENCE = 0.6
"""Below this the result is ``intent: null``."""
BARE_TIME_MARKERS = frozenset({"um", "uhr", "in", "halb", "viertel", "dreiviertel", "minuten", "stunden",
                               "minute", "stunde"})
"""Words that make a time said on its own a clock time or an offset, not just a day."""
CONTENT_STARTS = frozenset({"an", "ans", "daran", "dass", "zum", "zur"})
GLOBAL_INTENTS = ("stop", "repeat", "help", "later", "slower", "faster", "louder", "quieter")
FREE_TEXT_COMMANDS = frozenset(GLOBAL_INTENTS + ("skip", "next", "goodbye"))
"""What may interrupt free text, and only as the whole utterance."""
FREE_TEXT_MIN_RATIO = 88.0
YES_NO_MIN_RATIO = 85.0
FUZZY_OVER_CUE = 0.87
"""A near-miss of a whole phrase beats a cue of another intent only when it is this close."""
SCALE_INTERRUPTS = frozenset(GLOBAL_INTENTS + ("skip", "next", "goodbye", "no"))
CANCEL_LEADING = frozenset({"zum", "zur", "fuer", "fuers", "ans", "am", "von", "vom", "mit", "beim", "bei", "ueber", "den", "die", "termin",
                            "das", "dem", "der"})
"""Words dropped before the content of a reminder to cancel ("mit dem arzt" -> "arzt")."""
GRAMMAR_INTENTS = {"yes_no": ("yes", "no", "skip"), "scale": ("skip",)}
RULES_SURE = 0.9
"""A rules match at or above this (and every exact phrase) is not second-guessed by the semantic layer."""
FREE_TEXT_COMMAND_WORDS = 12
"""In free text, the semantic layer may call a longer utterance a command only up to this many words."""
RULES_ONLY_INTENTS = frozenset({"answer", "scale_answer"})
"""Never chosen by the semantic layer outside free text: a rating is a number the rules read."""
SEMANTIC_WORDS = 240
"""Words handed to the semantic layer (it reads them in windows; see assistant.nlu.semantic)."""
_TIME_WORDS = (set(WEEKDAYS) | set(WEEKDAY_ADVERBS) | set(DAYPARTS) | set(RELATIVE_UNITS)
               | {"heute", "morgen", "uebermorgen", "uhr", "halb", "halbe", "halben", "viertel", "dreiviertel",
                  "taeglich", "werktags", "jeden", "woechentlich", "einhalb", "anderthalb", "einer", "einem",
                  "naechsten", "kommenden", "wochenende", "mitternacht", "minuten", "stunden", "punkt"})


@dataclass(frozen=True)
class SafetyParts:
    """The two opinions on one utterance and what was made of them (``nlu --explain``)."""

    rules: str
    idiom: bool
    """The rules' idiom layer recognised (and hid) an idiom or hyperbole."""
    score: "SafetyScore | None"
    context: float
    """How likely the answer means danger given the question it answers (0 without a question)."""
    level: str
    layer: str
    """Which opinion decided: ``rules`` (also when both agree), ``semantic`` or ``context``."""


def combine_safety(rules: str, acute: float, concern: float, context: float,
                   thresholds: Mapping[str, float]) -> str:
    """The combined level: the higher opinion, never lower than the rules.

    The semantic layer raises to ``acute`` when sure (``acute`` threshold), to ``concern`` when it
    suspects danger but is not sure (``caught``) or sees concern (``concern``, on acute + concern).
    Where the rules' idiom layer recognised an idiom or hyperbole, the semantic scores given here
    are those of the text without it (see :meth:`Understander.safety_parts`). A yes/no answer that means danger in its question's context is acute.
    """
    level = LEVELS.index(rules)
    semantic = 0
    if acute >= thresholds["acute"]:
        semantic = 2
    elif acute >= thresholds["caught"] or acute + concern >= thresholds["concern"]:
        semantic = 1
    if context >= thresholds["context"]:
        semantic = 2
    return LEVELS[max(level, semantic)]


class Understander:
    """Understands German utterances; built once at start-up from ``intents/``.

    ``semantic``: the semantic layer (:class:`~assistant.nlu.semantic.SemanticLayer`) beside the
    rules, or None for the rules alone.
    """

    def __init__(self, intents_folder: Path, semantic: "SemanticLayer | None" = None) -> None:
        self.semantic = semantic
        self.book = load_intents(intents_folder)
        safety.detector()  # load and check the safety rules now, never first in a crisis
        self._clock: SystemClock | None = None
        numbers = set(UNITS) | set(TEENS) | set(TENS) | set(MISHEARD) | set(ORDINALS)
        self.matcher = Matcher(self.book, numbers | _TIME_WORDS)
        scale = self.book.intents.get("scale_answer")
        self._values = {tuple(fold_phrase(p, self.book.ignore, self.book.variants).split()): v
                        for p, v in (scale.values.items() if scale else ())}
        self._longest_value = max((len(k) for k in self._values), default=0)
        self._scale_frame = frozenset(w for p in (scale.phrases if scale else ()) for w in p.split())
        gc.collect()
        gc.freeze()  # the phrase tables live as long as the process: keep them out of GC passes

    def shown_phrases(self, intent: str) -> tuple[str, ...]:
        """The phrases of ``intent`` as written in ``intents/`` (umlauts kept), e.g. for a grammar."""
        found = self.book.intents.get(intent)
        return tuple(found.shown) if found is not None else ()

    def semantic_words(self, text: str) -> list[str]:
        """The form the semantic layer embeds: lower case, umlauts kept, dialect standardised."""
        tokens = self.matcher.join_compounds(self.matcher.standardise(tokenize(text, SEMANTIC_WORDS)))
        return list(tokens.shown)

    def safety_parts(self, text: str, expect: str = "none", question: str = "") -> SafetyParts:
        """Both safety opinions on ``text`` (answering ``question``, when given) and the result."""
        rules, without_idioms = safety.judge(text)
        idiom = without_idioms is not None
        if self.semantic is None or rules == "acute":  # nothing can raise an acute further
            return SafetyParts(rules, idiom, None, 0.0, rules, "rules")
        try:
            words = self.semantic_words(text if without_idioms is None else without_idioms)
            score = self.semantic.safety(words) if words else None
            context = 0.0
            if question and expect == "yes_no" and words:
                tokens = self.matcher.join_compounds(self.matcher.standardise(tokenize(text)))
                reading = self._choose(self.matcher.correct(tokens.folded), "yes_no", self._system_clock().now())
                if reading is not None and reading.intent in ("yes", "no"):
                    context = self.semantic.answer_danger(question, reading.intent)
        except Exception:  # noqa: BLE001 - a failing second opinion must never cost the first one
            LOG.exception("semantic safety layer failed; the rules decide this utterance")
            return SafetyParts(rules, idiom, None, 0.0, rules, "rules")
        th = self.semantic.thresholds
        concern = score.concern if score else 0.0
        caught = th
        if expect == "free_text":
            # Exercises invite negative self-talk ("Welcher Gedanke belastet dich?"): there the
            # semantic layer raises only a sure acute; concern comes from the rules.
            caught = {**th, "caught": th["acute"], "concern": 2.0}
        level = combine_safety(rules, score.acute if score else 0.0, concern, context, caught)
        if level == rules:
            layer = "rules"
        elif context >= th["context"]:
            layer = "context"
        else:
            layer = "semantic"
        return SafetyParts(rules, idiom, score, round(context, 3), level, layer)

    def understand(self, text: str, expect: str = "none", now: datetime | None = None,
                   question: str = "", explain: bool = False) -> NluResult:
        """One utterance; ``now`` (tz-aware) resolves relative times, default: the system clock.

        ``question``: what the dialogue just asked (its display text); a short answer is judged
        for safety in its light. ``explain`` adds ``why`` (which layer decided) to the result.
        """
        if expect not in EXPECTATIONS:
            raise ValueError(f"unknown expectation {expect!r}")
        parts = self.safety_parts(text, expect, question)
        level = parts.level
        why: dict[str, Any] | None = self._why_safety(parts) if explain else None
        if level == "acute":
            return NluResult(text, "crisis", 1.0, {}, "acute", why)
        tokens = self.matcher.join_compounds(self.matcher.standardise(tokenize(text)))
        if not tokens.folded:
            return NluResult(text, None, 0.0, {}, level, why)
        words = self.matcher.correct(tokens.folded)
        moment = now or self._system_clock().now()
        match = self._choose(words, expect, moment)
        if self.semantic is not None:
            try:
                match = self._second_opinion(match, expect, self.semantic_words(text), why)
            except Exception:  # noqa: BLE001 - the rules' reading stands
                LOG.exception("semantic intent layer failed; the rules decide this utterance")
        if match is not None and match.intent == "scale_answer" and self._value(words, tokens) is None:
            match = None  # a rating frame without a rating ("ein anderes mal vielleicht")
        if (match is None or match.confidence < MIN_CONFIDENCE) and expect == "none":
            match = self._bare_reminder(words, moment) or match
        if match is None or match.confidence < MIN_CONFIDENCE:
            return NluResult(text, None, match.confidence if match else 0.0, {}, level, why)
        slots = self._slots(match.intent, text, tokens, words, moment)
        if match.intent == "reminder_set" and not any(slots.values()):
            # "erinnere mich später daran": no time, no content, but "later" said: not now
            later = self.matcher.by_cues(self.matcher.strip(words), ("later",))
            if later is not None:
                return NluResult(text, "later", later.confidence, {}, level, why)
        return NluResult(text, match.intent, match.confidence, slots, level, why)

    def _second_opinion(self, match: Match | None, expect: str, words: list[str],
                        why: dict[str, Any] | None) -> Match | None:
        """Let the semantic layer decide where the rules are unsure (docs/nlu.md, "Combination").

        Exact phrases and sure rule matches stand. In free text the question is only "answer or
        command"; elsewhere every intent but ``answer`` may win, when the semantic layer is at
        least as sure as its threshold and surer than the rules.
        """
        assert self.semantic is not None
        th = self.semantic.thresholds
        if why is not None:
            why["intent_rules"] = None if match is None else {"intent": match.intent, "kind": match.kind,
                                                              "confidence": round(match.confidence, 3)}
            why["intent_layer"] = "rules"
        if not words or (match is not None and (match.kind == "exact" or match.kind in ("number", "words"))):
            return match
        if expect == "free_text":
            ranked = self.semantic.intents(words, ("answer", *FREE_TEXT_COMMANDS))
            best, p = ranked[0]
            self._note(why, ranked)
            command = match is not None and match.intent != "answer"
            if not command and best != "answer" and p >= th["free_text_command"] \
                    and len(words) <= FREE_TEXT_COMMAND_WORDS:
                return self._semantic_match(best, p, why)
            if command and best == "answer" and p >= th["free_text_command"]:
                return self._semantic_match("answer", p, why)
            return match
        if match is not None and match.confidence >= RULES_SURE:
            return match
        allowed = [label for label in self.semantic.intent_labels if label not in RULES_ONLY_INTENTS]
        ranked = self.semantic.intents(words, allowed)
        best, p = ranked[0]
        self._note(why, ranked)
        if p < th["intent"] or (match is not None and best == match.intent):
            return match
        if match is None and (p < th["intent_alone"] or self.semantic.nearness(words, best) < th["near"]):
            return None  # nothing in the rules at all: the semantic layer alone must be surer, and near
        if match is not None and p <= match.confidence:
            return match
        if best == "null":
            return None if match is None or match.confidence < p else match
        return self._semantic_match(best, p, why)

    @staticmethod
    def _note(why: dict[str, Any] | None, ranked: list[tuple[str, float]]) -> None:
        if why is not None:
            why["intent_semantic"] = [{"intent": label, "p": round(p, 3)} for label, p in ranked[:3]]

    @staticmethod
    def _semantic_match(intent: str, p: float, why: dict[str, Any] | None) -> Match:
        if why is not None:
            why["intent_layer"] = "semantic"
        return Match(intent, round(max(MIN_CONFIDENCE, min(p, 0.95)), 3), "semantic")

    @staticmethod
    def _why_safety(parts: SafetyParts) -> dict[str, Any]:
        why: dict[str, Any] = {"safety_layer": parts.layer, "safety_rules": parts.rules, "idiom": parts.idiom}
        if parts.score is not None:
            why["safety_semantic"] = {"acute": round(parts.score.acute, 3), "concern": round(parts.score.concern, 3),
                                      "window": parts.score.window}
        if parts.context:
            why["safety_context"] = parts.context
        return why

    def _system_clock(self) -> SystemClock:
        """The wall clock in the local zone, made once (only used when no ``now`` is given)."""
        if self._clock is None:
            self._clock = SystemClock(local_zone())
        return self._clock

    def _choose(self, words: tuple[str, ...], expect: str, now: datetime) -> Match | None:
        stripped = self.matcher.strip(words)
        key = " ".join(stripped)
        if expect == "free_text":
            whole = (self.matcher.whole(key, FREE_TEXT_COMMANDS, FREE_TEXT_MIN_RATIO, strict=True)
                     if len(stripped) <= 6 else None)
            return whole or Match("answer", 0.9, "free")
        if expect == "scale":
            return self._scale(words, key, now)
        whole = self.matcher.whole(key)
        if whole and whole.kind == "exact":
            return whole
        if expect == "yes_no":
            answer = self._yes_no(stripped)
            if answer is not None:
                return answer
        cue = self.matcher.by_cues(stripped)
        if expect == "none" and self._only_a_number(words):
            return Match("scale_answer", 0.85, "number")
        part = self.matcher.contained(stripped) if whole is None else None
        if part and (cue is None or part.weight >= cue.weight + 1):
            cue = part
        if whole and cue and whole.intent != cue.intent and whole.confidence < FUZZY_OVER_CUE:
            return cue
        candidates = [m for m in (whole, cue) if m is not None]
        return max(candidates, key=lambda m: m.confidence) if candidates else None

    def _bare_reminder(self, words: tuple[str, ...], now: datetime) -> Match | None:
        """Idle, a time said on its own, maybe with content, is a reminder.

        "werktags um sieben", "jeden morgen um acht an meine tabletten", "in zwanzig minuten":
        the time needs a clock time, an offset or a repeat, and any other words must start
        the content ("an ...", "daran ...").
        """
        when = find_when(words, now)
        if when is None:
            return None
        said = [words[i] for i in sorted(when.used)]
        rest = [w for i, w in enumerate(words) if i not in when.used]
        timed = when.repeat is not None or any(w in BARE_TIME_MARKERS for w in said)
        if timed and (not rest or rest[0] in CONTENT_STARTS):
            return Match("reminder_set", 0.7, "time")
        return None

    def _only_a_number(self, words: Sequence[str]) -> bool:
        """Idle, a bare rating ("vier", "so eine sieben") still counts as a scale answer."""
        if scale_number(words) is None:
            return False
        return all(word_value(w) is not None or w in self._scale_frame for w in words)

    def _yes_no(self, stripped: tuple[str, ...]) -> Match | None:
        """In ``yes_no``, an answer that starts with a yes/no word is that answer ("ja ich war draußen")."""
        cue = self.matcher.by_cues(stripped[:2], ("yes", "no"))
        if cue is not None and len(stripped) > 1 and "nicht" not in stripped:
            rest = self.matcher.whole(" ".join(stripped[1:]), ("later",))
            if rest is not None and rest.kind == "exact":
                return rest  # "nein lieber morgen", "ja aber später": not now
        if cue is None and stripped and stripped[0] == "ne" and stripped[1:2] != ("gute",):
            return Match("no", 0.9, "cue")  # spoken "ne" (= nein) opening an answer: "ne du"
        if cue is None:
            return self.matcher.whole(" ".join(stripped), ("yes", "no"), YES_NO_MIN_RATIO)
        return Match(cue.intent, max(cue.confidence, 0.9), "cue", cue.weight)

    def _scale(self, words: tuple[str, ...], key: str, now: datetime) -> Match | None:
        whole = self.matcher.whole(key, SCALE_INTERRUPTS, FREE_TEXT_MIN_RATIO)
        if whole and whole.kind == "exact":
            if whole.intent == "no" and tuple(words) in self._values:
                return Match("scale_answer", 0.85, "words")  # "gar nicht" rates 0 here
            return whole
        if scale_number(words) is not None:
            # "erinnere mich morgen um neun ...": the number is a time, not a rating
            reminder = self.matcher.by_cues(self.matcher.strip(words), ("reminder_set",))
            if reminder is not None and find_when(words, now) is not None:
                return reminder
            return Match("scale_answer", 0.95, "number")
        if self._scale_word(words) is not None:
            return Match("scale_answer", 0.85, "words")
        stripped = self.matcher.strip(words)
        # no rating: a command, else whatever else the person asked for ("erzähl mir was über scham")
        interrupt = whole or self.matcher.by_cues(stripped, SCALE_INTERRUPTS)
        if interrupt is not None:
            return interrupt
        exact = self.matcher.whole(key)
        return exact if exact and exact.kind == "exact" else self.matcher.by_cues(stripped)

    def _scale_word(self, words: Sequence[str]) -> int | None:
        """The value of the longest scale phrase in ``words`` ("richtig gut" -> 9)."""
        best: tuple[int, int] | None = None
        for start in range(len(words)):
            for size in range(min(self._longest_value, len(words) - start), 0, -1):
                value = self._values.get(tuple(words[start:start + size]))
                if value is not None:
                    if best is None or size >= best[0]:
                        best = (size, value)
                    break
        return best[1] if best else None

    def _slots(self, intent: str, text: str, tokens: Tokens, words: tuple[str, ...],
               now: datetime) -> dict[str, Any]:
        """Slots from the original words (times, content) or the corrected ones (topics, scale words)."""
        said = tokens.folded
        if intent == "scale_answer":
            return {"value": self._value(words, tokens)}
        if intent == "reminder_set":
            when = find_when(said, now)
            used = when.used if when else frozenset()
            return {"when": when.iso() if when else None, "what": extract_what(tokens.shown, said, used),
                    "repeat": when.repeat if when else None}
        if intent == "reminder_cancel":
            return self._cancel_slots(tokens.shown, said, now)
        if intent in ("exercise", "learn", "support"):
            topic = self._topic(intent, words)
            return {"topic": topic} if topic else {}
        if intent == "answer":
            return {"text": _plain(text)}
        return {}

    def _value(self, words: tuple[str, ...], tokens: Tokens) -> int | None:
        """The 0-10 rating: a number as said, else a scale phrase."""
        value = scale_number(tokens.folded)
        return value if value is not None else self._scale_word(words)

    def _cancel_slots(self, shown: Sequence[str], words: tuple[str, ...], now: datetime) -> dict[str, Any]:
        slots: dict[str, Any] = {}
        position = find_position(words)
        if position is not None:
            slots["position"] = position
            return slots
        when = find_when(words, now)
        what = extract_what(shown, words, when.used if when else frozenset())
        words_of_what = (what or "").split()
        while len(words_of_what) > 1 and fold_phrase(words_of_what[0]) in CANCEL_LEADING:
            words_of_what = words_of_what[1:]
        if len(words_of_what) == 1 and fold_phrase(words_of_what[0]) in CANCEL_LEADING:
            words_of_what = []  # "die erinnerung von morgen früh": no content left
        what = " ".join(words_of_what)
        if what:
            slots["what"] = what
        return slots

    def _topic(self, intent: str, words: Sequence[str]) -> str | None:
        """The topic of the longest topic cue present; on a tie the one said first."""
        position = {}
        for index, word in enumerate(words):
            position.setdefault(word, index)
        best: tuple[int, int, str] | None = None
        for cue, topic in self.book.intents[intent].topics.items():
            if all(w in position for w in cue):
                rank = (len(cue), -min(position[w] for w in cue), topic)
                best = rank if best is None or rank[:2] > best[:2] else best
        return best[2] if best else None

    def grammar(self, expect: Any) -> tuple[str, ...]:
        """Phrases a speech grammar may allow for ``yes_no`` or ``scale`` (umlauts kept).

        ``expect`` is the expectation name or an object with ``.kind``. The expected
        answers (yes/no words, or numbers 0-10 and scale words) plus "weiß nicht" and
        every global command; short phrases only (three words at most, no apostrophes). Other
        expectations get only the global commands. ``[unk]`` is not included.
        """
        kind = getattr(expect, "kind", expect)
        names = list(GRAMMAR_INTENTS.get(kind, ())) + list(GLOBAL_INTENTS)
        phrases: list[str] = []
        if kind == "scale" and "scale_answer" in self.book.intents:
            phrases.extend(p for p in self.book.intents["scale_answer"].values if len(p.split()) <= 3)
        for name in names:
            intent = self.book.intents.get(name)
            if intent:
                phrases.extend(p for p in intent.shown if len(p.split()) <= 3)
        # speech models know no apostrophes ("geht's"): such forms are left out
        return tuple(dict.fromkeys(" ".join(p.split()) for p in phrases if "'" not in p))


def _plain(text: str) -> str:
    """The text as said, control characters removed and whitespace collapsed."""
    return " ".join("".join(" " if unicodedata.category(c) == "Cc" else c for c in text).split())
