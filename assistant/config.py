"""Settings: defaults, overridden by the TOML config file, overridden by the CLI.

The file lives at ``$XDG_CONFIG_HOME/begleiter/config.toml`` unless ``--config``
names another. ``config.example.toml`` in the repository documents every key.
Unknown keys and wrong types stop the program with a German message naming
the key and the file.
"""

from __future__ import annotations

import dataclasses
import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from assistant.errors import ConfigError

ADDRESS_FORMS = ("du", "sie")
COUNTRIES = ("DE", "AT", "CH")
ACTIVATIONS = ("wake", "push_to_talk")


@dataclass(frozen=True)
class GeneralSettings:
    """Who the assistant talks to and where."""

    address: str = "du"
    """Default address form, ``du`` or ``sie`` (the person can change it by voice)."""
    country: str = "DE"
    """Country for crisis numbers: ``DE``, ``AT`` or ``CH``."""
    timezone: str = ""
    """IANA time zone; empty means the system's."""


@dataclass(frozen=True)
class SpeechSettings:
    """Microphone, speech recognition and voice."""

    model_dir: str = ""
    """Vosk model folder; empty means ``<data dir>/models/vosk-model-small-de-0.15``."""
    activation: str = "wake"
    """``wake`` (wake phrase) or ``push_to_talk`` (Enter key)."""
    wake_phrase: str = "hallo begleiter"
    input_device: str = ""
    """Part of the microphone's name; empty means the system default."""
    output_device: str = ""
    """Part of the speaker's name; empty means the system default."""
    rate: int = 165
    """Speaking rate in words per minute (espeak-ng)."""
    volume: float = 0.9
    """Volume from 0.0 to 1.0."""
    listen_timeout_s: float = 8.0
    """Seconds of silence after which the assistant stops listening."""


@dataclass(frozen=True)
class ReminderSettings:
    """When and how reminders are spoken."""

    snooze_minutes: int = 15
    quiet_start: str = "21:30"
    """Start of quiet hours (HH:MM): non-urgent reminders wait until the end."""
    quiet_end: str = "08:00"


@dataclass(frozen=True)
class UnderstandingSettings:
    """How utterances are understood."""

    semantic: bool = True
    """The semantic layer beside the rules (sentence embeddings, docs/nlu.md). Off: the rules alone."""


@dataclass(frozen=True)
class Settings:
    """All settings, grouped as in the config file."""

    general: GeneralSettings = field(default_factory=GeneralSettings)
    speech: SpeechSettings = field(default_factory=SpeechSettings)
    reminders: ReminderSettings = field(default_factory=ReminderSettings)
    understanding: UnderstandingSettings = field(default_factory=UnderstandingSettings)
    data_dir: Path = Path()
    """Where the person's data lives (``--data-dir``; not set in the file)."""
    config_file: Path | None = None
    """The file these settings came from, if any."""

    @property
    def model_dir(self) -> Path:
        if self.speech.model_dir:
            return Path(self.speech.model_dir).expanduser()
        return self.data_dir / "models" / "vosk-model-small-de-0.15"


_SECTIONS = {"general": GeneralSettings, "speech": SpeechSettings, "reminders": ReminderSettings,
             "understanding": UnderstandingSettings}
_CHOICES = {
    ("general", "address"): ADDRESS_FORMS,
    ("general", "country"): COUNTRIES,
    ("speech", "activation"): ACTIVATIONS,
}
_TYPE_NAMES = {str: "Text", int: "ganze Zahl", float: "Zahl", bool: "Angabe true oder false"}
_CLOCK_TIMES = {("reminders", "quiet_start"), ("reminders", "quiet_end")}
_RANGES = {("speech", "volume"): (0.0, 1.0), ("speech", "rate"): (80, 400),
           ("reminders", "snooze_minutes"): (1, 240), ("speech", "listen_timeout_s"): (1.0, 120.0)}


def xdg_dir(variable: str, fallback: str) -> Path:
    value = os.environ.get(variable, "")
    return Path(value) if value and Path(value).is_absolute() else Path.home() / fallback


def default_config_file() -> Path:
    return xdg_dir("XDG_CONFIG_HOME", ".config") / "begleiter" / "config.toml"


def default_data_dir() -> Path:
    return xdg_dir("XDG_DATA_HOME", ".local/share") / "begleiter"


def load_settings(config: str | os.PathLike | None = None,
                  data_dir: str | os.PathLike | None = None) -> Settings:
    """Read the settings; ``config``/``data_dir`` are the CLI overrides.

    A missing default config file is fine (defaults apply); a missing file
    named explicitly with ``--config`` is an error.
    """
    path = Path(config).expanduser() if config else default_config_file()
    raw: dict[str, Any] = {}
    if path.is_file():
        raw = _read_toml(path)
    elif config:
        raise ConfigError(f"Die Konfigurationsdatei {path} gibt es nicht.")
    sections = {name: _build_section(path, name, cls, raw.pop(name, {}))
                for name, cls in _SECTIONS.items()}
    for unknown in raw:
        raise ConfigError(f"Unbekannter Eintrag „{unknown}“ in {path}.")
    directory = Path(data_dir).expanduser() if data_dir else default_data_dir()
    return Settings(**sections, data_dir=directory.absolute(),
                    config_file=path if path.is_file() else None)


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"Die Konfigurationsdatei {path} ist kein gültiges TOML ({error}).") from None
    except UnicodeDecodeError:
        raise ConfigError(f"Die Konfigurationsdatei {path} ist nicht in UTF-8 geschrieben.") from None
    except OSError as error:
        raise ConfigError(f"Die Konfigurationsdatei {path} kann ich nicht lesen ({error.strerror}).") from None


def _build_section(path: Path, name: str, cls: type, values: Any) -> Any:
    if not isinstance(values, dict):
        raise ConfigError(f"„{name}“ in {path} muss ein Abschnitt [{name}] sein.")
    fields = {f.name: f for f in dataclasses.fields(cls)}
    checked: dict[str, Any] = {}
    for key, value in values.items():
        if key not in fields:
            raise ConfigError(f"Unbekannter Eintrag „{name}.{key}“ in {path}.")
        checked[key] = _check_value(path, name, key, fields[key].type, value)
    return cls(**checked)


def _check_value(path: Path, section: str, key: str, type_name: str, value: Any) -> Any:
    expected = {"str": str, "int": int, "float": float, "bool": bool}[type_name]
    ok = isinstance(value, expected) and (expected is bool or not isinstance(value, bool))
    if expected is bool:
        if not ok:
            raise ConfigError(f"„{section}.{key}“ in {path} muss true oder false sein, nicht {value!r}.")
        return value
    if expected is float and isinstance(value, int) and not isinstance(value, bool):
        value, ok = float(value), True
    if not ok:
        raise ConfigError(f"„{section}.{key}“ in {path} muss eine {_TYPE_NAMES[expected]} sein, "
                          f"nicht {value!r}.")
    choices = _CHOICES.get((section, key))
    if choices and value not in choices:
        raise ConfigError(f"„{section}.{key}“ in {path} muss eins von {', '.join(choices)} sein, "
                          f"nicht „{value}“.")
    if (section, key) in _CLOCK_TIMES and not _is_clock_time(value):
        raise ConfigError(f"„{section}.{key}“ in {path} muss eine Uhrzeit wie „21:30“ sein, "
                          f"nicht „{value}“.")
    low, high = _RANGES.get((section, key), (value, value))
    if not low <= value <= high:
        raise ConfigError(f"„{section}.{key}“ in {path} muss zwischen {low} und {high} liegen, "
                          f"nicht {value}.")
    return value


def _is_clock_time(value: str) -> bool:
    hours, _, minutes = value.partition(":")
    return (len(hours) == 2 and len(minutes) == 2 and hours.isdigit() and minutes.isdigit()
            and int(hours) < 24 and int(minutes) < 60)
