"""Safety lexicon and patterns, read once from ``intents/safety/*.toml``.

``lexicon.toml`` holds ``[settings]`` (negation cues, barriers, fuzzy matching)
and ``[classes]`` (reusable word lists, referenced as ``@name``) and optional
``[aliases]`` (dialect or colloquial spellings read as one standard word:
``nich = "nicht"``, ``mi = "mich"``). Every other
file has ``level = "acute" | "concern" | "none"`` and a list of
``[[pattern]]`` tables. ``none`` patterns are idioms: where one matches, its
words are hidden from the risk patterns ("ich lach mich tot").

A pattern's ``seq`` is a row of slots separated by spaces. A slot lists
alternatives separated by ``|``: a word, ``@class``, a prefix ``stem*``, a
suffix ``*end``, an infix ``*part*``, ``$`` (the end of the clause) or ``#``
(a number of two or more digits). A trailing ``?`` makes a slot optional. Between two slots up to ``gap``
other words may stand, but never a word of the pattern's ``barrier`` class.
All words are folded like the input (umlauts to ae/oe/ue, ß to ss).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from assistant.datafiles import read_data_file
from assistant.errors import DataFileError
from assistant.nlu.normalize import fold

LEVELS = ("none", "concern", "acute")
MAX_GAP = 6
MAX_SLOTS = 10


@dataclass(frozen=True)
class Slot:
    """One position of a pattern: the words that may stand there."""

    words: frozenset[str]
    """Exact (folded) words."""
    prefixes: tuple[str, ...] = ()
    suffixes: tuple[str, ...] = ()
    infixes: tuple[str, ...] = ()
    optional: bool = False
    """The slot may be left out."""
    end: bool = False
    """``$`` is one alternative: the end of a clause matches, consuming nothing."""
    number: bool = False
    """``#`` is one alternative: a number of ten or more written in digits ("30 Tabletten")."""

    def matches(self, word: str) -> bool:
        if word in self.words:
            return True
        if self.prefixes and word.startswith(self.prefixes):
            return True
        if self.suffixes and word.endswith(self.suffixes):
            return True
        if self.number and word.isdigit() and len(word) >= 2:
            return True
        return bool(self.infixes) and any(i in word for i in self.infixes)


@dataclass(frozen=True)
class Pattern:
    """A row of slots that signals one safety level (or an idiom, level ``none``)."""

    id: str
    level: str
    slots: tuple[Slot, ...]
    gap: int
    """How many other words may stand between two slots."""
    negatable: bool
    """A nearby negation ("nicht", "kein") lowers the level by one."""
    barrier: frozenset[str]
    """Words a gap may not skip."""
    examples: tuple[str, ...]
    """Utterances this pattern must match (checked by the tests)."""
    source: str
    unless: Slot | None = None
    """Context words that switch the pattern off for the whole clause ("vom arzt verordnet")."""


@dataclass(frozen=True)
class Settings:
    """Scalar knobs and word sets from ``lexicon.toml [settings]``."""

    negations: frozenset[str]
    negation_window: int
    not_negation_after: frozenset[str]
    """A cue followed by one of these is no negation ("nicht mehr", "nicht ob")."""
    not_negation_before: frozenset[str]
    """A cue preceded by one of these is no negation ("weiss nicht")."""
    clause_breaks: frozenset[str]
    """Words that end a negation's reach ("aber", "sondern")."""
    clause_starters: frozenset[str]
    """Words after which ``$`` counts as the end of a clause."""
    fillers: frozenset[str]
    """Words ``$`` may skip ("so", "einfach")."""
    fiction: frozenset[str]
    """Words that mark talk about a story ("krimi", "film")."""
    first_person: frozenset[str]
    fuzzy_min_length: int
    fuzzy_score: float
    fuzzy_targets: Slot
    """The only words (and stems) a misheard word may be read as."""
    protected: frozenset[str]
    """Real words that must never be fuzzily read as a lexicon word."""
    split_prefixes: frozenset[str]
    """First parts of words Vosk splits ("um bringen"): their joins are read fuzzily too."""


@dataclass(frozen=True)
class Rules:
    """Everything the detector needs, validated."""

    settings: Settings
    classes: dict[str, Slot]
    patterns: tuple[Pattern, ...]
    idioms: tuple[Pattern, ...]
    aliases: dict[str, str] = field(default_factory=dict)
    """Folded spelling -> folded standard word ("nich" -> "nicht")."""


def load_rules(folder: Path) -> Rules:
    """Read and validate ``folder``; raise :class:`DataFileError` on any problem."""
    lexicon_path = folder / "lexicon.toml"
    if not lexicon_path.is_file():
        raise DataFileError(lexicon_path, "", "die Datei fehlt.")
    lexicon = read_data_file(lexicon_path)
    classes = _classes(lexicon_path, lexicon.get("classes"))
    settings = _settings(lexicon_path, lexicon.get("settings"), classes)
    patterns: list[Pattern] = []
    for path in sorted(folder.glob("*.toml")):
        if path.name != "lexicon.toml":
            patterns.extend(_pattern_file(path, read_data_file(path), classes))
    _check_unique(patterns)
    risks = tuple(p for p in patterns if p.level != "none")
    if not risks:
        raise DataFileError(folder, "", "keine Muster für „acute“ oder „concern“ gefunden.")
    aliases = _aliases(lexicon_path, lexicon.get("aliases", {}))
    return Rules(settings, classes, risks, tuple(p for p in patterns if p.level == "none"), aliases)


def _word_list(path: Path, key: str, value: Any) -> list[str]:
    if not isinstance(value, list) or not value or not all(isinstance(v, str) and v.strip() for v in value):
        raise DataFileError(path, key, "muss eine nicht leere Liste von Wörtern sein.")
    return value


def _classes(path: Path, table: Any) -> dict[str, Slot]:
    if not isinstance(table, dict) or not table:
        raise DataFileError(path, "classes", "muss eine Tabelle [classes] mit Wortlisten sein.")
    classes: dict[str, Slot] = {}
    for name, value in table.items():
        words = _word_list(path, f"classes.{name}", value)
        classes[name] = _slot(path, f"classes.{name}", "|".join(words), classes)
    return classes


def _aliases(path: Path, table: Any) -> dict[str, str]:
    if not isinstance(table, dict):
        raise DataFileError(path, "aliases", "muss eine Tabelle [aliases] sein (Schreibweise = Wort).")
    aliases: dict[str, str] = {}
    for spelling, word in table.items():
        if not isinstance(word, str) or not word.strip() or len(word.split()) != 1:
            raise DataFileError(path, f"aliases.{spelling}", "muss genau ein Wort sein.")
        aliases[fold(spelling)] = fold(word)
    return aliases


def _set(path: Path, table: dict[str, Any], key: str, classes: dict[str, Slot]) -> frozenset[str]:
    value = table.get(key)
    if isinstance(value, str) and value.startswith("@") and value[1:] in classes:
        return classes[value[1:]].words
    return frozenset(fold(w) for w in _word_list(path, f"settings.{key}", value))


def _number(path: Path, table: dict[str, Any], key: str, low: float, high: float) -> float:
    value = table.get(key)
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not low <= value <= high:
        raise DataFileError(path, f"settings.{key}", f"muss eine Zahl von {low:g} bis {high:g} sein.")
    return value


def _settings(path: Path, table: Any, classes: dict[str, Slot]) -> Settings:
    if not isinstance(table, dict):
        raise DataFileError(path, "settings", "muss eine Tabelle [settings] sein.")
    names = ("negations", "not_negation_after", "not_negation_before", "clause_breaks",
             "clause_starters", "fillers", "fiction", "first_person", "protected", "split_prefixes")
    sets = {name: _set(path, table, name, classes) for name in names}
    targets = _word_list(path, "settings.fuzzy_targets", table.get("fuzzy_targets"))
    return Settings(negation_window=int(_number(path, table, "negation_window", 1, 8)),
                    fuzzy_targets=_slot(path, "settings.fuzzy_targets", "|".join(targets), classes),
                    fuzzy_min_length=int(_number(path, table, "fuzzy_min_length", 4, 30)),
                    fuzzy_score=float(_number(path, table, "fuzzy_score", 70, 100)), **sets)


def _slot(path: Path, key: str, text: str, classes: dict[str, Slot]) -> Slot:
    optional = text.endswith("?") and len(text) > 1
    body = text[:-1] if optional else text
    alts = body.split("|")
    end = "$" in alts
    number = "#" in alts
    words: set[str] = set()
    prefixes: list[str] = []
    suffixes: list[str] = []
    infixes: list[str] = []
    for alt in alts:
        if alt in ("$", "#"):
            continue
        if alt.startswith("@"):
            if alt[1:] not in classes:
                raise DataFileError(path, key, f"unbekannte Wortklasse „{alt}“.")
            cls = classes[alt[1:]]
            number = number or cls.number
            words |= cls.words
            prefixes += cls.prefixes
            suffixes += cls.suffixes
            infixes += cls.infixes
            continue
        word = fold(alt.strip("*"))
        if not word or " " in word:
            raise DataFileError(path, key, f"„{alt}“ ist kein einzelnes Wort.")
        if alt.startswith("*") and alt.endswith("*") and len(alt) > 2:
            infixes.append(word)
        elif alt.endswith("*"):
            prefixes.append(word)
        elif alt.startswith("*"):
            suffixes.append(word)
        else:
            words.add(word)
    return Slot(frozenset(words), tuple(prefixes), tuple(suffixes), tuple(infixes), optional, end, number)


def _pattern_file(path: Path, data: dict[str, Any], classes: dict[str, Slot]) -> list[Pattern]:
    level = data.get("level")
    if level not in LEVELS:
        raise DataFileError(path, "level", f"muss eins von {', '.join(LEVELS)} sein.")
    tables = data.get("pattern")
    if not isinstance(tables, list) or not tables:
        raise DataFileError(path, "pattern", "braucht mindestens eine Tabelle [[pattern]].")
    return [_pattern(path, f"pattern[{n}]", level, table, classes) for n, table in enumerate(tables)]


def _pattern(path: Path, key: str, level: str, table: Any, classes: dict[str, Slot]) -> Pattern:
    if not isinstance(table, dict):
        raise DataFileError(path, key, "muss eine Tabelle sein.")
    ident = table.get("id")
    if not isinstance(ident, str) or not ident.isidentifier():
        raise DataFileError(path, f"{key}.id", "muss ein Name aus Buchstaben, Ziffern und _ sein.")
    key = f"{key} ({ident})"
    seq = table.get("seq")
    if not isinstance(seq, str) or not seq.split():
        raise DataFileError(path, f"{key}.seq", "muss ein nicht leerer Text sein.")
    slots = tuple(_slot(path, f"{key}.seq", part, classes) for part in seq.split())
    if slots[0].optional or slots[0].end or len(slots) > MAX_SLOTS:
        raise DataFileError(path, f"{key}.seq", f"das erste Glied darf nicht optional oder „$“ sein "
                            f"(höchstens {MAX_SLOTS} Glieder).")
    gap = table.get("gap", 2)
    if isinstance(gap, bool) or not isinstance(gap, int) or not 0 <= gap <= MAX_GAP:
        raise DataFileError(path, f"{key}.gap", f"muss eine ganze Zahl von 0 bis {MAX_GAP} sein.")
    negatable = table.get("negatable", False)
    if not isinstance(negatable, bool):
        raise DataFileError(path, f"{key}.negatable", "muss true oder false sein.")
    barrier_name = table.get("barrier", "barrier")
    if barrier_name != "" and barrier_name not in classes:
        raise DataFileError(path, f"{key}.barrier", f"unbekannte Wortklasse „{barrier_name}“.")
    examples = table.get("examples", [])
    if not isinstance(examples, list) or not all(isinstance(e, str) and e.strip() for e in examples):
        raise DataFileError(path, f"{key}.examples", "muss eine Liste von Texten sein.")
    unless = table.get("unless", "")
    if not isinstance(unless, str):
        raise DataFileError(path, f"{key}.unless", "muss ein Text wie „arzt|rezept|@klasse“ sein.")
    unknown = set(table) - {"id", "seq", "gap", "negatable", "barrier", "unless", "examples", "note"}
    if unknown:
        raise DataFileError(path, f"{key}.{sorted(unknown)[0]}", "unbekannter Eintrag.")
    barrier = classes[barrier_name].words if barrier_name else frozenset()
    return Pattern(ident, level, slots, gap, negatable, barrier, tuple(examples), str(path),
                   _slot(path, f"{key}.unless", unless, classes) if unless else None)


def _check_unique(patterns: list[Pattern]) -> None:
    seen: dict[str, str] = {}
    for pattern in patterns:
        if pattern.id in seen:
            raise DataFileError(pattern.source, pattern.id,
                                f"der Name ist schon in {seen[pattern.id]} vergeben.")
        seen[pattern.id] = pattern.source
