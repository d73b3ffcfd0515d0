"""Safety assessment of one utterance: ``none``, ``concern`` or ``acute``.

Runs first on every utterance. The text is cut into clauses (typed sentence
marks; commas become clause marks), folded like all input (dialect spellings such as "nich", "mi" read as the
standard word, ``[aliases]`` in ``lexicon.toml``), and matched
against the token patterns in ``intents/safety/`` (see
:mod:`assistant.nlu.safety_rules`). Idioms are found first and hidden
("ich lach mich tot"); then every risk pattern may match with small gaps,
misheard long words (fuzzy), and compounds Vosk split in two
("selbstmord gedanken"). A negation near a negatable pattern lowers it one
level (never to ``none`` for acute: denying suicidal thoughts still gets the
gentle question). Talk about a story without any first-person word stays
``none``. Every step is linear in the length of the input.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass, field
from pathlib import Path

from rapidfuzz import fuzz, process

from assistant.nlu.normalize import FILLERS, clean, fold_word
from assistant.nlu.safety_rules import LEVELS, Pattern, Rules, load_rules
from assistant.resources import intents_dir

COMMA = ","
"""Marker token for a comma in typed text (a clause border)."""
_SENTENCES = re.compile(r"[!?;\n\r]+|(?<!\d)[.:]+|[.:]+(?!\d)")
"""Sentence marks, but not the dot or colon inside "20:30" or "7.30"."""
_PUNCTUATION = re.compile(r"[^\w]+")
_LONG_WORD = re.compile(r"\S{41,}")
"""No German word we look for is this long; dropping such runs keeps cleaning linear."""
_MAX_FUZZY_LENGTH = 30
_MAX_CACHE = 50_000


def _fold_all(text: str) -> list[str]:
    """Like :func:`~assistant.nlu.normalize.fold`, but never shortened: safety reads every word."""
    text = _LONG_WORD.sub(" ", _PUNCTUATION.sub(" ", text))
    words: list[str] = []
    for word in clean(text).split():
        key = fold_word(word)
        if key in FILLERS or (words and words[-1] == key):
            continue
        words.append(key)
    return words


@dataclass(frozen=True)
class Hit:
    """One pattern that matched (for tests and debugging)."""

    pattern: str
    level: str
    """The level after negation."""
    negated: bool


@dataclass
class _Clause:
    """One clause, tokenised, with the readings of each position."""

    words: list[str]
    alts: list[list[tuple[str, int]]] = field(default_factory=list)
    """Per position: (form, next position) — the word, a fuzzy reading, a joined compound."""
    masked: list[bool] = field(default_factory=list)


class Detector:
    """Matches utterances against the safety rules; build once, use often."""

    def __init__(self, rules: Rules) -> None:
        self.rules = rules
        self._aliases = rules.aliases
        self._known = self._known_words()
        targets = rules.settings.fuzzy_targets
        self._targets: dict[str, list[str]] = {}
        for word in sorted(targets.words):
            self._targets.setdefault(word[0], []).append(word)
        self._fuzzy_stems = targets.prefixes
        self._stems = tuple(sorted({s for p in rules.patterns for slot in p.slots for s in slot.prefixes
                                    if len(s) >= rules.settings.fuzzy_min_length - 1}))
        self._fuzzy_cache: dict[str, tuple[str, ...]] = {}
        self._anchor_cache: dict[tuple[bool, str], tuple[Pattern, ...]] = {}

    def _known_words(self) -> frozenset[str]:
        words: set[str] = set()
        for pattern in (*self.rules.patterns, *self.rules.idioms):
            for slot in pattern.slots:
                words |= slot.words
        return frozenset(words)

    # -- public ---------------------------------------------------------------

    def assess(self, text: str) -> str:
        best = 0
        for clause in self._clauses(text):
            best = max(best, self._clause_level(clause, None))
            if best == 2:
                break
        return LEVELS[best]

    def judge(self, text: str) -> tuple[str, str | None]:
        """The level, and the text with every recognised idiom or hyperbole taken out.

        The second value is None when no idiom was recognised. The semantic layer judges that
        text instead of the whole one: it may be lowered only where this layer recognised a
        construction, and only by taking exactly that construction away.
        """
        best, idiom, rest = 0, False, []
        for clause in self._clauses(text):
            best = max(best, self._clause_level(clause, None))
            idiom = idiom or any(clause.masked)
            rest.extend(w for w, masked in zip(clause.words, clause.masked) if not masked and w != COMMA)
        return LEVELS[best], (" ".join(rest) if idiom else None)

    def explain(self, text: str) -> list[Hit]:
        hits: list[Hit] = []
        for clause in self._clauses(text):
            self._clause_level(clause, hits)
        return hits

    # -- tokenising -----------------------------------------------------------

    def _clauses(self, text: str) -> list[_Clause]:
        clauses: list[_Clause] = []
        for sentence in _SENTENCES.split(text):
            words: list[str] = []
            for chunk in sentence.split(","):
                folded = [self._aliases.get(w, w) for w in _fold_all(chunk)]
                if words and folded:
                    words.append(COMMA)
                words.extend(folded)
            if words:
                clauses.append(self._readings(_Clause(words)))
        return clauses

    def _readings(self, clause: _Clause) -> _Clause:
        words = clause.words
        n = len(words)
        clause.masked = [False] * n
        clause.alts = [[(form, i + 1) for form in self._forms(word)] for i, word in enumerate(words)]
        for i in range(n - 1):
            for span in (2, 3):
                part = words[i:i + span]
                if len(part) < span or COMMA in part:
                    break
                joined = "".join(part)
                if joined in self._known or joined.startswith(self._stems):
                    clause.alts[i].append((joined, i + span))
                elif words[i] in self.rules.settings.split_prefixes:
                    # "mich um ringen": a split word that was also misheard
                    clause.alts[i].extend((form, i + span) for form in self._forms(joined)[1:])
        return clause

    def _forms(self, word: str) -> tuple[str, ...]:
        cached = self._fuzzy_cache.get(word)
        if cached is not None:
            return cached
        forms: tuple[str, ...] = (word,)
        settings = self.rules.settings
        if (settings.fuzzy_min_length <= len(word) <= _MAX_FUZZY_LENGTH and word not in self._known
                and word not in settings.protected):
            forms += self._fuzzy(word)
        if len(self._fuzzy_cache) > _MAX_CACHE:
            self._fuzzy_cache.clear()
        self._fuzzy_cache[word] = forms
        return forms

    def _fuzzy(self, word: str) -> tuple[str, ...]:
        score = self.rules.settings.fuzzy_score
        found: list[str] = []
        best = process.extractOne(word, self._targets.get(word[0], ()), scorer=fuzz.ratio, score_cutoff=score)
        if best and best[0] != word:
            found.append(best[0])
        for stem in self._fuzzy_stems:
            if word[0] == stem[0] and not word.startswith(stem) and fuzz.ratio(word[:len(stem)], stem) >= score:
                found.append(stem + word[len(stem):])
                break
        return tuple(found)

    # -- matching -------------------------------------------------------------

    def _clause_level(self, clause: _Clause, hits: list[Hit] | None) -> int:
        self._mask_idioms(clause)
        level = 0
        for start in range(len(clause.words)):
            if clause.masked[start]:
                continue
            for pattern in self._candidates(clause, start, idioms=False):
                end = self._match(pattern, clause, 0, start)
                if end is None or self._switched_off(pattern, clause):
                    continue
                value = LEVELS.index(pattern.level)
                negated = pattern.negatable and self._negated(clause.words, start, end)
                value -= 1 if negated else 0
                if hits is not None:
                    hits.append(Hit(pattern.id, LEVELS[value], negated))
                level = max(level, value)
            if level == 2 and hits is None:
                break
        if level and self._is_fiction(clause.words):
            return 0
        return level

    @staticmethod
    def _switched_off(pattern: Pattern, clause: _Clause) -> bool:
        unless = pattern.unless
        return unless is not None and any(
            not masked and unless.matches(word) for word, masked in zip(clause.words, clause.masked))

    def _mask_idioms(self, clause: _Clause) -> None:
        for start in range(len(clause.words)):
            for pattern in self._candidates(clause, start, idioms=True):
                end = self._match(pattern, clause, 0, start)
                if end is not None and not self._switched_off(pattern, clause):
                    for i in range(start, end):
                        clause.masked[i] = True

    def _candidates(self, clause: _Clause, start: int, idioms: bool) -> list[Pattern]:
        found: dict[str, Pattern] = {}
        for form, _ in clause.alts[start]:
            for pattern in self._anchors(form, idioms):
                found[pattern.id] = pattern
        return list(found.values())

    def _anchors(self, form: str, idioms: bool) -> tuple[Pattern, ...]:
        key = (idioms, form)
        cached = self._anchor_cache.get(key)
        if cached is None:
            pool = self.rules.idioms if idioms else self.rules.patterns
            cached = tuple(p for p in pool if p.slots[0].matches(form))
            if len(self._anchor_cache) > _MAX_CACHE:
                self._anchor_cache.clear()
            self._anchor_cache[key] = cached
        return cached

    def _match(self, pattern: Pattern, clause: _Clause, k: int, pos: int) -> int | None:
        """End position if slots ``k..`` match from ``pos`` on (slot 0 exactly at ``pos``)."""
        if k == len(pattern.slots):
            return pos
        slot = pattern.slots[k]
        if slot.end and self._at_clause_end(clause.words, pos):
            end = self._match(pattern, clause, k + 1, pos)
            if end is not None:
                return end
        limit = 0 if k == 0 else pattern.gap
        for p in range(pos, min(pos + limit + 1, len(clause.words))):
            if p > pos and not self._skippable(pattern, clause, p - 1):
                break
            if clause.masked[p]:
                continue
            for form, after in clause.alts[p]:
                if slot.matches(form):
                    end = self._match(pattern, clause, k + 1, after)
                    if end is not None:
                        return end
        if slot.optional:
            return self._match(pattern, clause, k + 1, pos)
        return None

    def _skippable(self, pattern: Pattern, clause: _Clause, p: int) -> bool:
        word = clause.words[p]
        return word not in pattern.barrier and not clause.masked[p]

    def _at_clause_end(self, words: list[str], pos: int) -> bool:
        settings = self.rules.settings
        for p in range(pos, min(pos + 3, len(words) + 1)):
            if p == len(words) or words[p] == COMMA or words[p] in settings.clause_starters:
                return True
            if words[p] not in settings.fillers:
                return False
        return False

    def _negated(self, words: list[str], start: int, end: int) -> bool:
        settings = self.rules.settings
        for p in range(start - 1, max(0, start - settings.negation_window) - 1, -1):
            if words[p] == COMMA or words[p] in settings.clause_breaks:
                break
            if self._is_negation(words, p):
                return True
        return any(self._is_negation(words, p) for p in range(start, min(end, len(words))))

    def _is_negation(self, words: list[str], p: int) -> bool:
        settings = self.rules.settings
        if words[p] not in settings.negations:
            return False
        if p + 1 < len(words) and words[p + 1] in settings.not_negation_after:
            return False
        return not (p > 0 and words[p - 1] in settings.not_negation_before)

    def _is_fiction(self, words: list[str]) -> bool:
        settings = self.rules.settings
        return (any(w in settings.fiction for w in words)
                and not any(w in settings.first_person for w in words))


_LOCK = threading.Lock()
_DETECTOR: Detector | None = None


def load_detector(folder: Path | None = None) -> Detector:
    """A detector for ``folder`` (default: the installed ``intents/safety``)."""
    return Detector(load_rules(folder or intents_dir() / "safety"))


def detector() -> Detector:
    """The shared detector, loaded on first use."""
    global _DETECTOR
    if _DETECTOR is None:
        with _LOCK:
            if _DETECTOR is None:
                _DETECTOR = load_detector()
    return _DETECTOR


def assess(text: str) -> str:
    """``none``, ``concern`` or ``acute`` for one utterance."""
    return detector().assess(text)


def judge(text: str) -> tuple[str, str | None]:
    """The level of ``text`` and, when an idiom was recognised, the text without it."""
    return detector().judge(text)


def explain(text: str) -> list[Hit]:
    """Every pattern that matched ``text`` (for tests and debugging)."""
    return detector().explain(text)
