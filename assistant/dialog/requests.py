"""Requests the engine reads beside the intent: help now, "was meinst du?" (in every state),
whether an answer to the contact question names a contact, and the WHO-5 asked for by name.

The words live in ``intents/dialog/requests.toml``; they are not intents of the ``nlu``
contract (a help request stays ``support`` or ``help`` there), only how the dialogue reads them.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from assistant.errors import DataFileError
from assistant.nlu.normalize import fold

FILE = "requests.toml"


@dataclass(frozen=True)
class Requests:
    help_now_cues: tuple[str, ...]
    help_now_intents: frozenset[str]
    help_request_cues: tuple[str, ...]
    explain_cues: tuple[str, ...]
    explain_extra_words: int
    explain_repair_words: tuple[str, ...]
    bare_yes: frozenset[str]
    bare_no: frozenset[str]
    contact_verbs: tuple[str, ...]
    contact_negations: frozenset[str]
    contact_near_negations: frozenset[str]
    who5_cues: tuple[str, ...] = ()
    who5_intents: frozenset[str] = frozenset()

    def asks_for_who5(self, text: str, intent: str | None) -> bool:
        """"den Fragebogen", "wie geht es mir insgesamt": the WHO-5, asked for by name."""
        if (intent or "none") not in self.who5_intents:
            return False
        return _found(fold(text), self.who5_cues) is not None

    def asks_for_help_now(self, text: str, intent: str | None) -> bool:
        """A number to call or help right now ("notfallnummer", "ich brauche sofort hilfe")."""
        if intent is not None and intent not in self.help_now_intents:
            return False
        if intent in ("yes", "no", "skip") and self.bare_answer(text) is not None:
            return False
        folded = fold(text)
        if _found(folded, self.help_now_cues) is not None:
            return True
        return intent in ("support", "help") and _found(folded, self.help_request_cues) is not None

    def asks_to_explain(self, text: str) -> bool:
        """"Was meinst du?", "wie bitte": the cue is (nearly) the whole utterance."""
        folded = fold(text)
        cue = _found(folded, self.explain_cues)
        return cue is not None and len(folded.split()) - len(cue.split()) <= self.explain_extra_words

    def asks_something_else(self, text: str) -> bool:
        """"Was meinst du, wie wird das Wetter?": the cue leads into a question of its own."""
        folded = fold(text)
        cue = _found(folded, self.explain_cues)
        if cue is None or len(folded.split()) - len(cue.split()) <= self.explain_extra_words:
            return False
        rest = f" {folded.replace(cue, ' ', 1)} "
        return not any(f" {word} " in rest for word in self.explain_repair_words)

    def asks_to_explain_at_length(self, text: str) -> bool:
        """"wie bitte, ich habe dich nicht verstanden": an explain cue with repair words around it."""
        folded = fold(text)
        cue = _found(folded, self.explain_cues)
        return cue is not None and not self.asks_to_explain(text) and not self.asks_something_else(text)

    def bare_answer(self, text: str) -> str | None:
        """``yes`` or ``no`` when the whole utterance is only that ("ja", "nein danke")."""
        folded = fold(text).strip(" .!?,")
        return "yes" if folded in self.bare_yes else "no" if folded in self.bare_no else None

    def names_contact(self, text: str) -> bool | None:
        """True for a contact named with a verb of contact, False when it is negated, else None."""
        folded = fold(text)
        verb = _found(folded, self.contact_verbs)
        if verb is None:
            return None
        words = folded.split()
        if set(words) & self.contact_negations:
            return False
        start = len(f" {folded} "[:f" {folded} ".index(f" {verb} ")].split())  # the verb's first word
        before = words[max(0, start - 2):start]
        return not (set(before) & self.contact_near_negations)


def _found(folded: str, cues: tuple[str, ...]) -> str | None:
    """The longest cue that occurs in ``folded`` as whole words."""
    padded = f" {folded} "
    hits = [cue for cue in cues if f" {cue} " in padded]
    return max(hits, key=len) if hits else None


def _words(path: Path, table: dict, key: str) -> tuple[str, ...]:
    value = table.get(key)
    if not isinstance(value, list) or not value or not all(isinstance(v, str) and v.strip() for v in value):
        raise DataFileError(path, key, "erwartet eine nicht leere Liste von Wörtern")
    return tuple(sorted({fold(v) for v in value if fold(v)}))


def _names(path: Path, table: dict, key: str) -> tuple[str, ...]:
    """Intent names as written ("scale_answer": folding would take the underscore)."""
    _words(path, table, key)
    return tuple(sorted({v.strip() for v in table[key]}))


@lru_cache(maxsize=4)
def load_requests(folder: Path) -> Requests:
    """Read ``folder/requests.toml`` (``folder`` is ``intents/dialog``); errors name file and key."""
    path = folder / FILE
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise DataFileError(path, "", "die Datei fehlt") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise DataFileError(path, "", f"kein gültiges TOML ({error})") from None
    tables = {}
    for name in ("help_now", "explain", "bare_answers", "contact", "who5"):
        if not isinstance(raw.get(name), dict):
            raise DataFileError(path, name, "der Abschnitt fehlt")
        tables[name] = raw[name]
    extra = tables["explain"].get("extra_words", 2)
    if isinstance(extra, bool) or not isinstance(extra, int) or extra < 0:
        raise DataFileError(path, "explain.extra_words", "erwartet eine ganze Zahl ab 0")
    return Requests(
        help_now_cues=_words(path, tables["help_now"], "cues"),
        help_now_intents=frozenset(_words(path, tables["help_now"], "with_intents")),
        help_request_cues=_words(path, tables["help_now"], "request_cues"),
        explain_cues=_words(path, tables["explain"], "cues"),
        explain_extra_words=extra,
        explain_repair_words=_words(path, tables["explain"], "repair_words"),
        bare_yes=frozenset(_words(path, tables["bare_answers"], "yes")),
        bare_no=frozenset(_words(path, tables["bare_answers"], "no")),
        contact_verbs=_words(path, tables["contact"], "verbs"),
        contact_negations=frozenset(_words(path, tables["contact"], "negations")),
        contact_near_negations=frozenset(_words(path, tables["contact"], "near_negations")),
        who5_cues=_words(path, tables["who5"], "cues"),
        who5_intents=frozenset(_names(path, tables["who5"], "with_intents")))
