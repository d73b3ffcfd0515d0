"""Intent phrase data, loaded once from ``intents/*.toml``.

Each file holds tables named after intents, each with a ``phrases`` list.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from assistant.errors import DataFileError
from assistant.nlu.normalize import fold


@dataclass(frozen=True)
class Intent:
    """One intent and the folded phrases that express it."""

    name: str
    phrases: tuple[str, ...]
    source: str


def load_intents(folder: Path) -> list[Intent]:
    files = sorted(folder.glob("*.toml"))
    if not files:
        raise DataFileError(folder, "", "keine Intent-Dateien (*.toml) gefunden.")
    intents: list[Intent] = []
    for path in files:
        for name, table in _read(path).items():
            intents.append(_build(path, name, table))
    return intents


def _read(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except tomllib.TOMLDecodeError as error:
        raise DataFileError(path, "", f"kein gültiges TOML ({error}).") from None
    except UnicodeDecodeError:
        raise DataFileError(path, "", "die Datei ist nicht in UTF-8 geschrieben.") from None


def _build(path: Path, name: str, table: Any) -> Intent:
    if not isinstance(table, dict):
        raise DataFileError(path, name, "muss eine Tabelle [name] mit „phrases“ sein.")
    phrases = table.get("phrases")
    if not isinstance(phrases, list) or not phrases or not all(isinstance(p, str) and p.strip() for p in phrases):
        raise DataFileError(path, f"{name}.phrases", "muss eine nicht leere Liste von Texten sein.")
    return Intent(name, tuple(fold(p) for p in phrases), str(path))
