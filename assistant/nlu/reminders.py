"""Reminder content ("what") and list positions, cut out of an utterance.

"erinnere mich morgen um neun an den spaziergang mit anna" -> "spaziergang mit anna";
"erinnere mich daran meine schwester anzurufen" -> "meine schwester anrufen";
"dass ich meine tabletten nehme" -> "meine tabletten nehmen".
The word tables are grammar (function words), not dialogue text.
"""

from __future__ import annotations

import re
from typing import Sequence

from assistant.nlu.numbers import ordinal_value, word_value

ARTICLES = frozenset({"den", "die", "das", "dem", "der", "des", "ein", "eine", "einen", "einem", "einer"})
FRAME = frozenset({
    "erinnere", "erinner", "erinnern", "erinnerst", "erinnert", "erinnerung", "erinnerungen", "mich", "mir",
    "bitte", "mal", "kannst", "koenntest", "magst", "wuerdest", "willst", "du", "sie", "neue", "neuen", "stell",
    "stelle", "setz", "setze", "leg", "lege", "mach", "mache", "sag", "sage", "gib", "bescheid", "ich",
    "brauche", "moechte", "will", "haette", "gern", "gerne", "hätte", "doch", "noch", "an", "daran", "dran",
    "dass", "ob", "wegen", "bezueglich", "zu", "fuer", "um", "und", "dann", "loesch", "loesche", "loeschen",
    "entfern", "entferne", "entfernen", "streich", "streiche", "streichen", "weg", "vergiss", "brauch",
    "nicht", "mehr", "die", "meine", "alle", "bis", "ja", "okay", "ok", "also", "hey", "hallo", "begleiter",
    "auch", "schon", "einfach", "notier", "notiere", "merk", "merke", "dir", "denk", "denke", "dich",
    "hilf", "hilfst", "vergessen", "vergesse", "nicht", "lass", "lasse", "soll", "sollst", "bescheidsagen",
    "wecker", "timer", "immer", "oft", "ständig", "staendig", "vergesse", "vergess",
})
LEADING_TRIM = FRAME - {"meine", "die", "nicht", "noch", "weg", "ob", "alle"}
TRAILING_TRIM = frozenset({"erinnern", "erinnerst", "erinnert", "erinnere", "zu", "bitte", "mal", "kannst",
                           "du", "dran", "daran", "und", "an", "um", "bescheid", "sagen", "geben", "ob",
                           "loeschen", "entfernen", "streichen", "weg", "vergessen", "denken", "wecken",
                           "machen", "vorbei", "ja", "okay", "noch", "stellen", "setzen", "gibst", "sagst", "nicht",
                           "mehr", "kann", "koennen", "brauche", "brauch", "ich", "bin", "sollst", "werden", "mich", "mir",
                           "rausnehmen", "wegmachen", "canceln", "stornieren", "wollte", "wolltest",
                           "anlegen", "erstellen", "einrichten", "hinzufuegen", "eintragen", "erledigt", "hat",
                           "sich", "ist",
                           "wirst", "lassen", "raus"})
VERB_PHRASE_KEEPS = frozenset({"machen", "stellen", "setzen", "geben", "sagen"})
"""Frame verbs ("erinnerung stellen") that end a real verb phrase after "daran/dass" ("den wecker stellen")."""
_PRONOUNS = frozenset({"ich", "wir"})
_MODALS = frozenset({"muss", "soll", "will", "moechte", "sollte", "kann", "darf", "muesste", "wollte", "werde"})
_ZU_INFINITIVE = re.compile(
    r"^(an|auf|ab|aus|ein|mit|nach|vor|zurück|zurueck|weg|los|raus|rein|hin|her|vorbei|zusammen|fern|"
    r"fest|frei|heim|durch|um|weiter|spazieren|einkaufen|kennen|sauber|fertig|wieder)zu(\w{3,}(?:en|ern|eln))$")


def extract_what(shown: Sequence[str], folded: Sequence[str], used: frozenset[int]) -> str | None:
    """The reminder content, or None when nothing is left after the frame words."""
    pairs = [(folded[i], shown[i]) for i in range(len(folded)) if i not in used]
    pairs = _drop_not_forget(pairs)
    mode, rest = _anchor(pairs)
    if mode == "dass":
        rest = _finite_to_infinitive(rest)
    joined = _zu_infinitives(rest)
    if mode == "rest" and joined != rest:
        mode = "zu"  # "nicht vergessen, den arzt anzurufen": a verb phrase keeps its articles
    rest = joined
    # a noun after "an" loses its article ("an den spaziergang"); a verb phrase keeps it ("die katze füttern")
    if mode in ("zu", "dass"):
        leading = LEADING_TRIM - ARTICLES
    elif mode in ("an", "wegen", "fuer"):
        leading = ARTICLES | {"bitte", "mal", "doch", "noch", "dem", "das"}
    else:
        leading = ARTICLES | LEADING_TRIM
    while rest and rest[0][0] in leading:
        rest = rest[1:]
    trailing = TRAILING_TRIM - VERB_PHRASE_KEEPS if mode in ("zu", "dass") else TRAILING_TRIM
    while rest and rest[-1][0] in trailing:
        rest = rest[:-1]
    empty = ARTICLES if mode in ("an", "wegen", "fuer") else FRAME | ARTICLES  # "an den wecker" is content
    if not rest or all(f in empty for f, _ in rest):
        return None
    return " ".join(s for _, s in rest)


def _drop_not_forget(pairs: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """"ich will nicht vergessen, den arzt anzurufen": the frame "nicht vergessen" is no content."""
    for k in range(len(pairs) - 1):
        if pairs[k][0] == "nicht" and pairs[k + 1][0] in ("vergessen", "vergesse", "vergess"):
            return pairs[:k] + pairs[k + 2:]
    return pairs


def _anchor(pairs: list[tuple[str, str]]) -> tuple[str, list[tuple[str, str]]]:
    for k, (word, _) in enumerate(pairs):
        nxt = pairs[k + 1][0] if k + 1 < len(pairs) else ""
        if word in ("daran", "dran"):
            later = [j for j in range(k + 1, len(pairs)) if pairs[j][0] == "dass"]
            return ("dass", pairs[later[0] + 1:]) if later else ("zu", pairs[k + 1:])
        if word == "dass" or (word in ("das", "ob") and nxt in _PRONOUNS):
            return "dass", pairs[k + 1:]
        if word in ("an", "ans") and nxt and nxt not in ("mich", "dich"):
            return "an", pairs[k + 1:]
        if word in ("wegen", "bezueglich", "fuer", "fuers", "zum", "zur") and nxt and k > 0:
            if word in ("zum", "zur") and pairs[k - 1][0] not in ("erinnerung", "erinnerungen"):
                return word, pairs[k:]  # "dass ich zum arzt muss": part of a verb phrase
            return ("fuer" if word == "fuers" else word), pairs[k + 1:]  # "eine erinnerung zum yoga"
    return "rest", pairs


def _finite_to_infinitive(pairs: list[tuple[str, str]]) -> list[tuple[str, str]]:
    if pairs and pairs[0][0] in _PRONOUNS:
        pairs = pairs[1:]
    while pairs and pairs[-1][0] in TRAILING_TRIM:
        pairs = pairs[:-1]
    if len(pairs) >= 2 and pairs[-1][0] in _MODALS:
        return pairs[:-1]
    if pairs and pairs[-1][0].endswith("e") and len(pairs[-1][0]) >= 4:
        folded, shown = pairs[-1]
        return pairs[:-1] + [(folded + "n", shown + "n")]
    return pairs


def _zu_infinitives(pairs: list[tuple[str, str]]) -> list[tuple[str, str]]:
    result: list[tuple[str, str]] = []
    for index, (folded, shown) in enumerate(pairs):
        nxt = pairs[index + 1][0] if index + 1 < len(pairs) else ""
        if folded == "zu" and nxt.endswith(("en", "ern", "eln")) and index + 1 == len(pairs) - 1:
            continue
        match = _ZU_INFINITIVE.match(shown)
        if match:
            result.append((folded.replace("zu", "", 1) if folded.startswith(match.group(1).replace("ü", "ue"))
                           else folded, match.group(1) + match.group(2)))
            continue
        result.append((folded, shown))
    return result


def find_position(folded: Sequence[str]) -> int | None:
    """1-based list position ("die zweite", "nummer zwei"), -1 for "die letzte"; None when absent."""
    for index, word in enumerate(folded):
        value = ordinal_value(word)
        if value is not None:
            return value
        if word in ("nummer", "nr") and index + 1 < len(folded):
            number = word_value(folded[index + 1])
            if number is not None and number == int(number) and number > 0:
                return int(number)
    return None
