"""The compact phrase template syntax of ``intents/*.toml``, expanded at load time.

Syntax (words are separated by spaces):

- ``(a|b|c)``  one of the alternatives (an alternative may hold several words);
- ``[a|b]``    optional: nothing or one of the alternatives;
- ``<name>``   a shared rule from ``intents/_rules.toml`` (itself a template).

Example: ``"(hör|hören sie) [jetzt|bitte] auf"`` gives six phrases.
Errors are :class:`TemplateError` with a message; the loader adds file and key.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Mapping, Union

MAX_EXPANSIONS = 4000
"""Upper bound of phrases one template may produce (guards against typos that explode)."""


class TemplateError(ValueError):
    """A template cannot be parsed or expanded; the message says why."""


@dataclass(frozen=True)
class Alternatives:
    """A choice between sequences; ``optional`` adds the empty choice."""

    choices: tuple["Sequence", ...]
    """Each choice is a sequence of parts."""
    optional: bool
    """True for ``[...]``."""


@dataclass(frozen=True)
class RuleRef:
    """A reference ``<name>`` to a shared rule."""

    name: str
    """The rule name without angle brackets."""


Part = Union[str, Alternatives, RuleRef]
Sequence = tuple[Part, ...]

_CLOSERS = {"(": ")", "[": "]"}


def parse(template: str) -> Sequence:
    """Parse ``template`` into a tree; raises :class:`TemplateError` on bad syntax."""
    sequence, position = _parse_sequence(template, 0, None)
    if position != len(template):
        raise TemplateError(f"unerwartetes Zeichen „{template[position]}“ an Stelle {position + 1}")
    return sequence


def _parse_sequence(text: str, position: int, closer: str | None) -> tuple[Sequence, int]:
    parts: list[Part] = []
    word = ""
    while position < len(text):
        char = text[position]
        if char in "([":
            if word:
                parts.append(word)
                word = ""
            group, position = _parse_group(text, position + 1, char)
            parts.append(group)
            continue
        if char in ")]|":
            if closer is None:
                raise TemplateError(f"„{char}“ ohne öffnende Klammer an Stelle {position + 1}")
            break
        if char == "<":
            end = text.find(">", position)
            if end < 0 or not text[position + 1:end].strip():
                raise TemplateError(f"„<“ ohne gültigen Regelnamen an Stelle {position + 1}")
            if word:
                parts.append(word)
                word = ""
            parts.append(RuleRef(text[position + 1:end].strip()))
            position = end + 1
            continue
        if char == ">":
            raise TemplateError(f"„>“ ohne „<“ an Stelle {position + 1}")
        if char.isspace():
            if word:
                parts.append(word)
                word = ""
            parts.append(" ")
        else:
            word += char
        position += 1
    if word:
        parts.append(word)
    return tuple(parts), position


def _parse_group(text: str, position: int, opener: str) -> tuple[Alternatives, int]:
    closer = _CLOSERS[opener]
    choices: list[Sequence] = []
    while True:
        sequence, position = _parse_sequence(text, position, closer)
        if position >= len(text):
            raise TemplateError(f"„{opener}“ wird nicht mit „{closer}“ geschlossen")
        char = text[position]
        if char not in (closer, "|"):
            raise TemplateError(f"„{opener}“ wird mit „{char}“ statt „{closer}“ geschlossen")
        if not "".join(p for p in sequence if isinstance(p, str)).strip() and not any(
                not isinstance(p, str) for p in sequence):
            raise TemplateError(f"leere Alternative in „{opener}…{closer}“")
        choices.append(sequence)
        position += 1
        if char == closer:
            return Alternatives(tuple(choices), opener == "["), position


def expand(template: str, rules: Mapping[str, Sequence]) -> list[str]:
    """All phrases of ``template``, whitespace-normalised, duplicates removed, order kept."""
    results = _expand_sequence(parse(template), rules, ())
    seen: dict[str, None] = {}
    for phrase in results:
        cleaned = " ".join(phrase.split())
        if cleaned:
            seen[cleaned] = None
    return list(seen)


def _expand_sequence(sequence: Sequence, rules: Mapping[str, Sequence], stack: tuple[str, ...]) -> list[str]:
    options: list[list[str]] = []
    for part in sequence:
        if isinstance(part, str):
            options.append([part])
        elif isinstance(part, RuleRef):
            if part.name not in rules:
                raise TemplateError(f"unbekannte Regel <{part.name}>")
            if part.name in stack:
                raise TemplateError(f"Regel <{part.name}> verweist auf sich selbst")
            options.append(_expand_sequence(rules[part.name], rules, stack + (part.name,)))
        else:
            choices: list[str] = [""] if part.optional else []
            for choice in part.choices:
                choices.extend(_expand_sequence(choice, rules, stack))
            options.append(choices)
    total = 1
    for option in options:
        total *= max(len(option), 1)
        if total > MAX_EXPANSIONS:
            raise TemplateError(f"ergibt mehr als {MAX_EXPANSIONS} Sätze")
    return ["".join(combo) for combo in itertools.product(*options)]
