"""Intent phrase data, loaded once from the top-level ``intents/*.toml`` files.

Each intent is a table::

    [stop]
    phrases = ["(stopp|halt)", "hör [jetzt|bitte] auf"]   # the whole utterance
    cues = ["<aufhoeren> bitte"]      # all words of one form somewhere in the utterance
    priority = 1                      # optional tie breaker between cue matches
    [scale_answer.values]             # optional: value -> templates (scale words)
    "1" = ["ganz schlecht"]
    [learn.topics]                    # optional: topic id -> cue templates
    shame = ["scham"]

Files whose name starts with ``_`` hold shared data instead of intents:
``[rules]`` (name = template or list of templates, used as ``<name>``) and
``[lexicon]`` (``ignore`` = words dropped before matching; ``[lexicon.variants]`` = regional or
spoken forms and the standard words they stand for, "ned" = "nicht"). Sub-folders (e.g.
``intents/safety/``) belong to other parts and are not read here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from assistant.datafiles import read_data_file
from assistant.errors import DataFileError
from assistant.nlu.normalize import LEADING_FILLERS, fold_word
from assistant.nlu.templates import Alternatives, Sequence, TemplateError, expand, parse

_INTENT_KEYS = {"phrases", "cues", "priority", "values", "topics"}


@dataclass(frozen=True)
class Intent:
    """One intent and the folded forms that express it."""

    name: str
    """Intent name from DESIGN.md."""
    source: str
    """The file it came from."""
    phrases: tuple[str, ...]
    """Whole-utterance forms, folded, ignore-words removed."""
    shown: tuple[str, ...]
    """The same phrases as written (umlauts kept), for speech grammars."""
    cues: tuple[tuple[str, ...], ...] = ()
    """Word sets: the intent is a candidate when all words of one appear."""
    priority: int = 0
    """Added to cue scores; breaks ties between intents."""
    values: dict[str, int] = field(default_factory=dict)
    """Phrase as written -> 0..10 (scale words); fold with :func:`fold_phrase` to match."""
    topics: dict[tuple[str, ...], str] = field(default_factory=dict)
    """Folded cue words -> topic id."""


@dataclass(frozen=True)
class IntentBook:
    """All intents plus the shared lexicon."""

    intents: dict[str, Intent]
    """By name."""
    ignore: frozenset[str]
    """Words dropped before matching ("bitte", "mal", ...)."""
    variants: dict[str, tuple[str, ...]] = field(default_factory=dict)
    """Folded regional/spoken word -> folded standard words ("ned" -> ("nicht",)); empty: drop it."""


@dataclass(frozen=True)
class Lexicon:
    """Shared word lists from ``intents/_*.toml``."""

    ignore: frozenset[str] = frozenset()
    """Folded words dropped before matching."""
    variants: dict[str, tuple[str, ...]] = field(default_factory=dict)
    """Folded regional/spoken word -> folded standard words."""

    def fold(self, phrase: str) -> str:
        """A phrase in matching form (see :func:`fold_phrase`)."""
        return fold_phrase(phrase, self.ignore, self.variants)


def fold_phrase(phrase: str, ignore: frozenset[str] = frozenset(),
                variants: dict[str, tuple[str, ...]] | None = None) -> str:
    """Template output (already clean) to matching form, treated like an utterance.

    Same rules as :func:`assistant.nlu.normalize.tokenize` plus ``Matcher.standardise`` and
    ``Matcher.strip``: variants replaced, leading fillers go when more words follow,
    ignore-words go unless nothing would be left.
    """
    words = fold_word(phrase.lower()).replace("'", "").replace("’", "").split()
    if variants:
        words = [standard for word in words for standard in variants.get(word, (word,))] or words
    while len(words) > 1 and words[0] in LEADING_FILLERS:
        words.pop(0)
    kept = [w for w in words if w not in ignore]
    return " ".join(kept or words)


def load_intents(folder: Path) -> IntentBook:
    """Read, expand and validate every top-level ``*.toml`` in ``folder``."""
    files = sorted(folder.glob("*.toml"))
    if not [f for f in files if not f.name.startswith("_")]:
        raise DataFileError(folder, "", "keine Intent-Dateien (*.toml) gefunden.")
    rules: dict[str, Sequence] = {}
    ignore: set[str] = set()
    variants: dict[str, tuple[str, ...]] = {}
    for path in (f for f in files if f.name.startswith("_")):
        data = read_data_file(path)
        _read_shared(path, data, rules, ignore)
        variants.update(_variants(path, data))
    lexicon = Lexicon(frozenset(fold_phrase(w) for w in ignore), variants)
    intents: dict[str, Intent] = {}
    owners: dict[str, tuple[str, str]] = {}
    for path in (f for f in files if not f.name.startswith("_")):
        for name, table in read_data_file(path).items():
            if name in intents:
                raise DataFileError(path, name, f"das Intent ist schon in {intents[name].source} definiert.")
            intent = _build(path, name, table, rules, lexicon)
            _claim(intent, owners)
            intents[name] = intent
    return IntentBook(intents, lexicon.ignore, variants)


def _read_shared(path: Path, data: dict[str, Any], rules: dict[str, Sequence], ignore: set[str]) -> None:
    for name, value in data.get("rules", {}).items():
        templates = [value] if isinstance(value, str) else value
        if not isinstance(templates, list) or not templates or not all(isinstance(t, str) for t in templates):
            raise DataFileError(path, f"rules.{name}", "muss ein Text oder eine Liste von Texten sein.")
        try:
            choices = tuple(parse(t) for t in templates)
        except TemplateError as error:
            raise DataFileError(path, f"rules.{name}", f"fehlerhafte Vorlage: {error}.") from None
        rules[name] = (Alternatives(choices, False),)
    lexicon = data.get("lexicon", {})
    if not isinstance(lexicon, dict):
        raise DataFileError(path, "lexicon", "muss eine Tabelle sein.")
    words = lexicon.get("ignore", [])
    if not isinstance(words, list) or not all(isinstance(w, str) for w in words):
        raise DataFileError(path, "lexicon.ignore", "muss eine Liste von Wörtern sein.")
    ignore.update(words)
    unknown = set(data) - {"rules", "lexicon"}
    if unknown:
        raise DataFileError(path, sorted(unknown)[0], "unbekannte Tabelle (erlaubt: rules, lexicon).")


def _variants(path: Path, data: dict[str, Any]) -> dict[str, tuple[str, ...]]:
    table = data.get("lexicon", {}).get("variants", {})
    if not isinstance(table, dict) or not all(isinstance(v, str) for v in table.values()):
        raise DataFileError(path, "lexicon.variants", "muss eine Tabelle Wort = \"Standardwort(e)\" sein.")
    return {fold_phrase(word): tuple(fold_word(standard.lower()).split()) for word, standard in table.items()}


def _expand_all(path: Path, key: str, templates: Any, rules: dict[str, Sequence]) -> list[str]:
    if not isinstance(templates, list) or not all(isinstance(t, str) and t.strip() for t in templates):
        raise DataFileError(path, key, "muss eine Liste nicht leerer Texte sein.")
    phrases: list[str] = []
    for template in templates:
        try:
            phrases.extend(expand(template, rules))
        except TemplateError as error:
            raise DataFileError(path, key, f"fehlerhafte Vorlage „{template}“: {error}.") from None
    return phrases


def _build(path: Path, name: str, table: Any, rules: dict[str, Sequence], lexicon: Lexicon) -> Intent:
    if not isinstance(table, dict):
        raise DataFileError(path, name, "muss eine Tabelle [name] mit „phrases“ oder „cues“ sein.")
    unknown = set(table) - _INTENT_KEYS
    if unknown:
        raise DataFileError(path, f"{name}.{sorted(unknown)[0]}", "unbekannter Schlüssel.")
    if not table.get("phrases") and not table.get("cues"):
        raise DataFileError(path, name, "braucht „phrases“ oder „cues“.")
    shown = _expand_all(path, f"{name}.phrases", table.get("phrases", []), rules)
    cues = _expand_all(path, f"{name}.cues", table.get("cues", []), rules)
    priority = table.get("priority", 0)
    if not isinstance(priority, int):
        raise DataFileError(path, f"{name}.priority", "muss eine ganze Zahl sein.")
    phrases = tuple(dict.fromkeys(p for p in (lexicon.fold(s) for s in shown) if p))
    return Intent(name, str(path), phrases, tuple(shown),
                  tuple(dict.fromkeys(tuple(lexicon.fold(c).split()) for c in cues)), priority,
                  _values(path, name, table.get("values", {}), rules),
                  _topics(path, name, table.get("topics", {}), rules, lexicon))


def _values(path: Path, name: str, table: Any, rules: dict[str, Sequence]) -> dict[str, int]:
    values: dict[str, int] = {}
    for value, templates in table.items():
        if not value.isdigit() or not 0 <= int(value) <= 10:
            raise DataFileError(path, f"{name}.values.{value}", "der Schlüssel muss eine Zahl von 0 bis 10 sein.")
        for phrase in _expand_all(path, f"{name}.values.{value}", templates, rules):
            values[phrase] = int(value)
    return values


def _topics(path: Path, name: str, table: Any, rules: dict[str, Sequence],
            lexicon: Lexicon) -> dict[tuple[str, ...], str]:
    topics: dict[tuple[str, ...], str] = {}
    for topic, templates in table.items():
        for phrase in _expand_all(path, f"{name}.topics.{topic}", templates, rules):
            topics[tuple(lexicon.fold(phrase).split())] = topic
    return topics


def _claim(intent: Intent, owners: dict[str, tuple[str, str]]) -> None:
    """No phrase or cue may belong to two intents."""
    for form in (*intent.phrases, *(" ".join(c) for c in intent.cues)):
        owner = owners.setdefault(form, (intent.name, intent.source))
        if owner[0] != intent.name:
            raise DataFileError(intent.source, intent.name,
                                f"„{form}“ gehört schon zum Intent „{owner[0]}“ ({owner[1]}).")
