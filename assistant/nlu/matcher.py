"""Scoring an utterance against the intent phrases and cues (rapidfuzz).

Three ways to match, each giving a confidence in 0..1:

- exact: the whole utterance (ignore-words removed) is one of an intent's phrases;
- fuzzy: the whole utterance is close to a phrase (``fuzz.ratio``; misheard words);
- cue: all words of one of an intent's cues occur in the utterance (any order);
  longer cues and higher ``priority`` win, confidence grows with how much of
  the utterance the cue explains.

Words unknown to the phrase vocabulary are first corrected to the closest
known word when they are very close (``fuzz.ratio`` >= 84, words of 5+ letters).
Constants were calibrated on tests/data/nlu (see docs/nlu.md).
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections import Counter
from dataclasses import dataclass
from typing import Collection, Iterable, Sequence

from rapidfuzz import fuzz, process

from assistant.nlu.normalize import Tokens
from assistant.nlu.phrases import IntentBook, fold_phrase

EXACT_CONFIDENCE = 0.98
FUZZY_MIN_RATIO = 80.0
CORRECTION_MIN_RATIO = 84.0
NEGATIONS = frozenset({"nicht", "kein", "keine", "keinen", "keiner", "keinem", "nie", "niemals", "nichts", "nix",
                       "niemand", "niemanden"})
NEGATION_PROOF = frozenset({"feeling", "no", "later", "skip", "learn", "support", "reminder_cancel", "stop",
                            "forget_data", "quieter", "louder", "slower", "faster", "repeat"})
"""Intents whose cues still hold after "nicht"/"kein" ("ich bin nicht glücklich" is still a feeling)."""
_NOT_NEGATED = frozenset({"mehr", "heute", "gerade", "wirklich", "sehr", "ganz", "immer", "wieder", "doch",
                          "dass", "weil", "wenn", "aber", "oder"})
WORD_MIN_RATIO = 80.0
MIN_INDEXED_WORD = 4
"""Fuzzy candidates are the phrases sharing a word of this length with the utterance (if any)."""
QUESTION_WORDS = frozenset({"warum", "wieso", "weshalb", "wozu", "wofuer", "woher"})
"""Cues starting with these only count when the question word comes first ("warum bin ich")."""
NO_JOIN = frozenset({"zu", "zum", "zur", "an", "am", "im", "in", "da", "so", "es", "mit"})
MIN_COMPOUND = 7
"""Only joined words this long count as a compound (avoids "wie so" -> "wieso" surprises)."""
MAX_FUZZY_CHARS = 60
MAX_FUZZY_WORDS = 7
"""Longer utterances are matched by cues only (a near-miss of a long phrase means little)."""


@dataclass(frozen=True)
class Match:
    """One candidate intent."""

    intent: str
    """Intent name."""
    confidence: float
    """0..1."""
    kind: str
    """``exact``, ``fuzzy`` or ``cue``."""
    weight: float = 0.0
    """For cue and part matches: words matched plus the intent's priority (specificity)."""


@dataclass(frozen=True)
class _Cue:
    words: frozenset[str]
    intent: str
    weight: float
    lead: str | None = None
    """A question word the cue starts with; it must come before the cue's other words."""


class Matcher:
    """Phrase and cue index over an :class:`IntentBook`; built once, then read-only."""

    def __init__(self, book: IntentBook, extra_vocabulary: Iterable[str] = ()) -> None:
        self.ignore = book.ignore
        self._exact: dict[str, str] = {}
        self._choices: list[str] = []
        self._owners: list[str] = []
        cues: list[_Cue] = []
        self._priority = {intent.name: intent.priority for intent in book.intents.values()}
        for intent in book.intents.values():
            for phrase in intent.phrases:
                self._exact.setdefault(phrase, intent.name)
                self._choices.append(phrase)
                self._owners.append(intent.name)
            for cue in intent.cues:
                weight = len(set(cue)) + intent.priority + len("".join(cue)) / 100
                lead = cue[0] if cue[0] in QUESTION_WORDS and len(cue) > 1 else None
                cues.append(_Cue(frozenset(cue), intent.name, weight, lead))
        self._cues = _index(cues)
        order = sorted(range(len(self._choices)), key=lambda i: len(self._choices[i]))
        self._by_length = [self._choices[i] for i in order]
        self._by_length_owner = [self._owners[i] for i in order]
        self._lengths = [len(p) for p in self._by_length]
        self._by_word: dict[str, list[int]] = {}
        for position, phrase in enumerate(self._by_length):
            for word in set(phrase.split()):
                if len(word) >= MIN_INDEXED_WORD:
                    self._by_word.setdefault(word, []).append(position)
        self._longest_phrase = max((p.count(" ") + 1 for p in self._choices), default=1)
        words = {w for p in self._choices for w in p.split()} | {w for c in cues for w in c.words}
        for intent in book.intents.values():
            words.update(w for p in intent.values for w in fold_phrase(p).split())
            words.update(w for t in intent.topics for w in t)
        words.update(extra_vocabulary)
        words.update(book.ignore)
        self.vocabulary = frozenset(words)
        self._variants = book.variants
        self._long_words = sorted(w for w in words if len(w) >= 5)
        self._corrections: dict[str, str] = {}

    def standardise(self, tokens: Tokens) -> Tokens:
        """Regional and spoken forms to standard words ("i mog ned" -> "ich mag nicht")."""
        if not any(w in self._variants for w in tokens.folded):
            return tokens
        folded: list[str] = []
        shown: list[str] = []
        for word, said in zip(tokens.folded, tokens.shown):
            replacement = self._variants.get(word)
            if replacement is None:
                folded.append(word)
                shown.append(said)
            else:
                folded.extend(replacement)
                shown.extend(replacement)
        return Tokens(tuple(folded), tuple(shown))

    def join_compounds(self, tokens: Tokens) -> Tokens:
        """Join words Vosk split apart when the joined word is known ("selbst hilfe gruppe").

        Short joins only for a split comparative ("laut er" -> "lauter").
        """
        folded, shown = list(tokens.folded), list(tokens.shown)
        index = 0
        while index < len(folded) - 1:
            if folded[index] in NO_JOIN:  # "zu gehen" stays apart
                index += 1
                continue
            for size in (3, 2):
                comparative = size == 2 and folded[index + 1] == "er"  # "leise er" -> "leiser"
                joined = _comparative(folded[index]) if comparative else "".join(folded[index:index + size])
                long_enough = len(joined) >= MIN_COMPOUND or comparative
                if len(folded) - index >= size and long_enough and joined in self.vocabulary:
                    folded[index:index + size] = [joined]
                    shown[index:index + size] = [_comparative(shown[index]) if comparative
                                                 else "".join(shown[index:index + size])]
                    break
            index += 1
        return Tokens(tuple(folded), tuple(shown))

    def correct(self, words: Sequence[str]) -> tuple[str, ...]:
        """Replace unknown words by a very close known word (misheard or mistyped)."""
        return tuple(self._correct_word(w) for w in words)

    def _correct_word(self, word: str) -> str:
        if word in self.vocabulary or len(word) < 5 or word.isdigit():
            return word
        cached = self._corrections.get(word)
        if cached is None:
            best = process.extractOne(word, self._long_words, scorer=fuzz.ratio,
                                      score_cutoff=CORRECTION_MIN_RATIO)
            cached = best[0] if best else word
            if len(self._corrections) < 20_000:
                self._corrections[word] = cached
        return cached

    def strip(self, words: Sequence[str]) -> tuple[str, ...]:
        """Drop ignore-words ("bitte", "mal", ...), keeping at least one word.

        When only ignore-words were said, those that are a phrase on their own stay
        ("eigentlich schon" -> "schon"), else all of them.
        """
        kept = tuple(w for w in words if w not in self.ignore)
        return kept or tuple(w for w in words if w in self._exact) or tuple(words)

    def whole(self, key: str, allowed: Collection[str] | None = None,
              min_ratio: float = FUZZY_MIN_RATIO, strict: bool = False) -> Match | None:
        """The utterance as a whole: exact phrase, else the closest phrase.

        A near miss never differs in negation; ``strict`` also requires every word to resemble
        its counterpart (used where a false command would cut the person off).
        """
        owner = self._exact.get(key)
        if owner is not None and (allowed is None or owner in allowed):
            return Match(owner, EXACT_CONFIDENCE, "exact")
        if not key or len(key) > MAX_FUZZY_CHARS or key.count(" ") >= MAX_FUZZY_WORDS:
            return None
        candidates, owners = self._candidates(key, min_ratio)
        for phrase, score, index in process.extract(key, candidates, scorer=fuzz.ratio,
                                                    limit=6, score_cutoff=min_ratio):
            owner = owners[index]
            if _negated(key) != _negated(phrase) or (strict and not _aligned(key, phrase)):
                continue  # "hab ich nicht gemacht" is not "hab ich gemacht"; strict: "grübeln" is not "reden"
            if allowed is None or owner in allowed:
                return Match(owner, round(score / 100 * 0.96, 3), "fuzzy")
        return None

    def _candidates(self, key: str, min_ratio: float) -> tuple[list[str], list[str]]:
        """Phrases of a fitting length, narrowed to those sharing a long word with ``key`` if any do."""
        # ratio >= r needs the lengths within a factor r / (2 - r) of each other
        factor = min_ratio / (200 - min_ratio)
        low = bisect_left(self._lengths, int(len(key) * factor))
        high = bisect_right(self._lengths, int(len(key) / factor) + 1)
        shared: set[int] = set()
        for word in key.split():
            shared.update(i for i in self._by_word.get(word, ()) if low <= i < high)
        if not shared:
            return self._by_length[low:high], self._by_length_owner[low:high]
        ordered = sorted(shared)
        return [self._by_length[i] for i in ordered], [self._by_length_owner[i] for i in ordered]

    def by_cues(self, words: Sequence[str], allowed: Collection[str] | None = None,
                boost: Collection[str] = ()) -> Match | None:
        """The most specific cue whose words all occur in ``words``."""
        present = set(words)
        negated = _negated_words(words)
        best: _Cue | None = None
        best_weight = 0.0
        for word in present:
            for cue in self._cues.get(word, ()):
                if allowed is not None and cue.intent not in allowed:
                    continue
                if cue.intent not in NEGATION_PROOF and cue.words & negated and not cue.words & NEGATIONS:
                    continue
                weight = cue.weight + (1.5 if cue.intent in boost else 0.0)
                if weight > best_weight and cue.words <= present and _leads(words, cue):
                    best, best_weight = cue, weight
        if best is None:
            return None
        coverage = len(best.words) / max(len(present), 1)
        confidence = min(0.97, 0.64 + 0.07 * min(len(best.words), 3) + 0.2 * coverage)
        return Match(best.intent, round(confidence, 3), "cue", best_weight)


    def contained(self, words: Sequence[str], allowed: Collection[str] | None = None) -> Match | None:
        """The longest phrase (2+ words) that occurs as a run of words inside the utterance.

        Counts only when it covers more than half of the words ("hallo wie geht es dir heute").
        """
        best: tuple[int, str] | None = None
        for start in range(len(words)):
            for size in range(min(self._longest_phrase, len(words) - start), 1, -1):
                if best is not None and size <= best[0]:
                    break
                owner = self._exact.get(" ".join(words[start:start + size]))
                if owner is not None and (allowed is None or owner in allowed):
                    best = (size, owner)
                    break
        if best is None or best[0] * 2 <= len(words):
            return None
        coverage = best[0] / len(words)
        return Match(best[1], round(min(0.95, 0.6 + 0.35 * coverage), 3), "part", best[0])


def _leads(words: Sequence[str], cue: _Cue) -> bool:
    """"warum bin ich" is a question only when "warum" comes first ("ich bin ... weiß nicht warum")."""
    if cue.lead is None:
        return True
    after = set(words[words.index(cue.lead) + 1:])
    return all(w in after for w in cue.words if w != cue.lead)


def _negated(text: str) -> bool:
    return not NEGATIONS.isdisjoint(text.split())


_NOT_ALIKE = ({"nicht", "nichts"}, {"nicht", "nix"})
"""Word pairs close in spelling but not in meaning."""


def _aligned(key: str, phrase: str) -> bool:
    """Same number of words: each word must still resemble its counterpart (a misheard word, not another)."""
    said, known = key.split(), phrase.split()
    if len(said) != len(known):
        return True
    # "nichts weiter" is not "nicht weiter" (but "keinen plan" is "kein plan")
    return all(a == b or (fuzz.ratio(a, b) >= WORD_MIN_RATIO and {a, b} not in _NOT_ALIKE)
               for a, b in zip(said, known))


def _negated_words(words: Sequence[str]) -> frozenset[str]:
    """Content words right after a negation, up to two words on ("keine übung", "nicht mehr gemacht")."""
    found = set()
    for index, word in enumerate(words):
        if word in NEGATIONS:
            found.update(w for w in words[index + 1:index + 3] if len(w) >= 4 and w not in _NOT_NEGATED)
    return frozenset(found)


def _index(cues: list[_Cue]) -> dict[str, list[_Cue]]:
    """Each cue filed under its rarest word, so a lookup touches few cues."""
    frequency = Counter(w for c in cues for w in c.words)
    index: dict[str, list[_Cue]] = {}
    for cue in cues:
        rarest = min(cue.words, key=lambda w: (frequency[w], w))
        index.setdefault(rarest, []).append(cue)
    return index


def _comparative(word: str) -> str:
    """The comparative a split "<word> er" stands for ("laut" -> "lauter", "leise" -> "leiser")."""
    return word + ("r" if word.endswith("e") else "er")
