"""Wiring: settings, clock, data and engine, built once per command."""

from __future__ import annotations

import os
import random
from dataclasses import dataclass
from pathlib import Path

from assistant.clock import Clock, local_zone, make_clock
from assistant.config import Settings, load_settings
from assistant.dialog.engine import Engine
from assistant.dialog.prompts import PromptBook, load_prompts
from assistant.errors import DataDirError
from assistant.logs import setup_logging
from assistant.nlu.understand import Understander
from assistant.resources import intents_dir, prompts_dir
from assistant.store import Store, open_store


@dataclass
class App:
    """Everything a dialogue command needs."""

    settings: Settings
    clock: Clock
    prompts: PromptBook
    understander: Understander
    store: Store | None = None
    """The person's data (open, locked); None only where no data is needed."""

    def engine(self, seed: int | None = None) -> Engine:
        if self.store is None:
            raise DataDirError("Für das Gespräch brauche ich den Datenordner.")
        return Engine(self.prompts, self.understander, self.clock, self.store,
                      address=self.settings.general.address, country=self.settings.general.country,
                      rng=random.Random(seed), proactive=self.proactive_sources(),
                      speech_rate=self.settings.speech.rate, volume=self.settings.speech.volume)

    def __enter__(self) -> "App":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Close the store (flushes nothing: every write is already durable; frees the lock)."""
        if self.store is not None:
            self.store.close()

    def proactive_sources(self) -> list:
        """What the engine says by itself: due reminders."""
        from assistant.dialog.flows.due import DueReminders
        from assistant.dialog.reminder_book import ReminderPolicy
        return [DueReminders(ReminderPolicy.from_settings(self.settings.reminders))]


def ensure_data_dir(path: Path) -> Path:
    """Create the data dir (mode 0700) or fail with one German sentence."""
    try:
        path.mkdir(mode=0o700, parents=True, exist_ok=True)
        os.chmod(path, 0o700)
    except OSError as error:
        raise DataDirError(f"Den Datenordner {path} kann ich nicht anlegen ({error.strerror}).") from None
    if not os.access(path, os.W_OK | os.X_OK):
        raise DataDirError(f"In den Datenordner {path} darf ich nicht schreiben.")
    return path


def load_understander(settings: Settings | None = None) -> Understander:
    """The rules, plus the semantic layer unless the settings switch it off.

    The layer's artefact is checked now (a missing or stale one is a German error at start-up);
    its embedding model starts loading on a background thread, and the first utterance waits for it.
    """
    semantic = settings.understanding.semantic if settings is not None else True
    if not semantic:
        return Understander(intents_dir())
    from assistant.nlu.semantic import SemanticLayer
    rules = Understander(intents_dir())
    layer = SemanticLayer(intents_dir() / "semantic", rules.semantic_words)
    rules.semantic = layer
    layer.start()
    return rules


def build_app(config: str | None, data_dir: str | None, now: str | None) -> App:
    settings = load_settings(config, data_dir)
    ensure_data_dir(settings.data_dir)
    setup_logging(settings)
    clock = make_clock(now, local_zone(settings.general.timezone))
    prompts = load_prompts(prompts_dir())
    return App(settings, clock, prompts, load_understander(settings), open_store(settings.data_dir))
