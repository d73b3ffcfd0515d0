"""Reading the TOML data files of ``intents/`` and ``prompts_de/``."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from assistant.errors import DataFileError


def read_data_file(path: Path) -> dict[str, Any]:
    """The parsed file; :class:`DataFileError` naming the file when it is not valid UTF-8 TOML."""
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except tomllib.TOMLDecodeError as error:
        raise DataFileError(path, "", f"kein gültiges TOML ({error}).") from None
    except UnicodeDecodeError:
        raise DataFileError(path, "", "die Datei ist nicht in UTF-8 geschrieben.") from None
