"""Where the data folders ``intents/`` and ``prompts_de/`` are.

In a source checkout (and an editable install) they sit beside the package;
in an installed wheel they are packed into ``assistant/_data/``.
"""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def data_folder(name: str) -> Path:
    """The folder ``name`` (``intents`` or ``prompts_de``), wherever it was installed."""
    for candidate in (_PACKAGE / "_data" / name, _PACKAGE.parent / name):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"data folder {name!r} not found next to {_PACKAGE}")


def intents_dir() -> Path:
    return data_folder("intents")


def prompts_dir() -> Path:
    return data_folder("prompts_de")
