"""All German text the assistant says, loaded once from ``prompts_de/*.toml``.

A prompt is a TOML table with ``du`` and ``sie`` entries, each one sentence
or a list of variants. Its key is the file name plus the table path, so
``[checkin.ask_mood]`` in ``prompts_de/checkin.toml`` is ``checkin.checkin.ask_mood``
(files usually keep one top-level table per topic to keep keys short:
``[ask_mood]`` in ``checkin.toml`` is ``checkin.ask_mood``).

Optional entries: ``section`` (the article section the content comes from;
set on a group table it applies to every prompt inside) and other scalar
attributes (``energy = "low"``) kept in :attr:`Prompt.attrs`.
Placeholders are ``{name}``; every variant of a prompt, du and Sie, must use
the same set. Errors name file, key and problem.
"""

from __future__ import annotations

import string
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Mapping

from assistant.config import ADDRESS_FORMS
from assistant.datafiles import read_data_file
from assistant.errors import DataFileError

_SCALAR = (str, int, float, bool)


@dataclass(frozen=True)
class Prompt:
    """One thing the assistant can say, in every variant and both address forms."""

    key: str
    """Dotted key: file stem plus table path."""
    du: tuple[str, ...]
    """Variants in the informal address form."""
    sie: tuple[str, ...]
    """Variants in the formal address form."""
    placeholders: frozenset[str]
    """Names of the ``{placeholders}`` every variant uses."""
    section: str = ""
    """Article section the content is derived from (empty for plain dialogue)."""
    attrs: Mapping[str, Any] = field(default_factory=dict)
    """Further scalar attributes of content items (for example ``energy``)."""
    source: str = ""
    """The file it came from (for error messages)."""

    def variants(self, address: str) -> tuple[str, ...]:
        return self.sie if address == "sie" else self.du


class PromptBook:
    """Every prompt by key; built once at start-up."""

    def __init__(self, prompts: Iterable[Prompt]) -> None:
        self._prompts = {prompt.key: prompt for prompt in prompts}

    def __contains__(self, key: str) -> bool:
        return key in self._prompts

    def __getitem__(self, key: str) -> Prompt:
        try:
            return self._prompts[key]
        except KeyError:
            raise KeyError(f"unknown prompt key {key!r}") from None

    def __len__(self) -> int:
        return len(self._prompts)

    def keys(self) -> list[str]:
        return sorted(self._prompts)

    def under(self, prefix: str) -> list[Prompt]:
        """All prompts whose key starts with ``prefix.``, sorted by key."""
        start = prefix.rstrip(".") + "."
        return [self._prompts[k] for k in sorted(self._prompts) if k.startswith(start)]

    def render(self, key: str, address: str, variant: int, data: Mapping[str, Any]) -> str:
        text = self[key].variants(address)[variant]
        return text.format_map(dict(data))


def load_prompts(folder: Path) -> PromptBook:
    """Read every ``*.toml`` in ``folder``; raise :class:`DataFileError` on any problem."""
    files = sorted(folder.glob("*.toml"))
    if not files:
        raise DataFileError(folder, "", "keine Textdateien (*.toml) gefunden.")
    prompts: list[Prompt] = []
    for path in files:
        prompts.extend(_prompts_in(path, read_data_file(path), path.stem, ""))
    return PromptBook(prompts)


def _prompts_in(path: Path, table: dict[str, Any], key: str, section: str) -> list[Prompt]:
    section = table.get("section", section)
    if not isinstance(section, str):
        raise DataFileError(path, f"{key}.section", "muss ein Text sein.")
    has_text = any(form in table for form in ADDRESS_FORMS)
    found: list[Prompt] = [_build_prompt(path, key, table, section)] if has_text else []
    for name, value in table.items():
        if isinstance(value, dict):
            found.extend(_prompts_in(path, value, f"{key}.{name}", section))
        elif not has_text and name != "section":
            raise DataFileError(path, f"{key}.{name}",
                                "Einträge außerhalb eines Textes brauchen „du“ und „sie“.")
    return found


def _build_prompt(path: Path, key: str, table: dict[str, Any], section: str) -> Prompt:
    forms = {form: _variants(path, key, form, table.get(form)) for form in ADDRESS_FORMS}
    placeholders = {text: _placeholders(path, key, text) for texts in forms.values() for text in texts}
    expected = next(iter(placeholders.values()))
    for text, names in placeholders.items():
        if names != expected:
            raise DataFileError(path, key, f"Platzhalter passen nicht zusammen: "
                                f"{sorted(expected)} gegenüber {sorted(names)} in „{text}“.")
    attrs = {}
    for name, value in table.items():
        if name in (*ADDRESS_FORMS, "section") or isinstance(value, dict):
            continue
        if not isinstance(value, _SCALAR) and not _is_text_list(value):
            raise DataFileError(path, f"{key}.{name}", "muss ein Text, eine Zahl oder eine Textliste sein.")
        attrs[name] = tuple(value) if isinstance(value, list) else value
    return Prompt(key, forms["du"], forms["sie"], frozenset(expected), section, attrs, str(path))


def _is_text_list(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(item, str) for item in value)


def _variants(path: Path, key: str, form: str, value: Any) -> tuple[str, ...]:
    if value is None:
        raise DataFileError(path, key, f"die Form „{form}“ fehlt (jeder Text braucht du und Sie).")
    texts = [value] if isinstance(value, str) else value
    if not isinstance(texts, list) or not texts:
        raise DataFileError(path, f"{key}.{form}", "muss ein Text oder eine nicht leere Liste von Texten sein.")
    for text in texts:
        if not isinstance(text, str) or not text.strip():
            raise DataFileError(path, f"{key}.{form}", f"enthält einen leeren oder falschen Eintrag: {text!r}.")
    return tuple(text.strip() for text in texts)


def _placeholders(path: Path, key: str, text: str) -> frozenset[str]:
    try:
        fields = [name for _, name, _, _ in string.Formatter().parse(text) if name is not None]
    except ValueError as error:
        raise DataFileError(path, key, f"fehlerhafter Platzhalter in „{text}“ ({error}).") from None
    for name in fields:
        if not name.isidentifier():
            raise DataFileError(path, key, f"Platzhalter „{{{name}}}“ muss ein einfacher Name sein.")
    return frozenset(fields)
