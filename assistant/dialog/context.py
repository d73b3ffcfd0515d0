"""What every flow gets: content, memory, clock, voice (variant choice), address form."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from assistant.clock import Clock
from assistant.dialog.content import Content
from assistant.dialog.memory import Memory
from assistant.dialog.prompts import PromptBook
from assistant.dialog.requests import Requests
from assistant.dialog.turn import Reply
from assistant.dialog.variety import VariantPicker


NUMBER_WORDS = "numbers.words"
"""Numbers written as words in shown text (index = number)."""


def shown_data(prompts: PromptBook, address: str, data: dict[str, Any]) -> dict[str, Any]:
    """Placeholder values as they are written: a ``count`` up to twelve in words
    ("zwei Erinnerungen", from ``numbers.words``), everything else as it is."""
    count = data.get("count")
    if isinstance(count, int) and not isinstance(count, bool) and NUMBER_WORDS in prompts:
        words = prompts[NUMBER_WORDS].variants(address)
        if 0 <= count < len(words):
            return {**data, "count": words[count]}
    return data


@dataclass
class Context:
    """The engine's shared services, handed to every flow."""

    prompts: PromptBook
    content: Content
    memory: Memory
    clock: Clock
    picker: VariantPicker
    default_address: str = "du"
    default_country: str = "DE"
    default_rate: int = 165
    """Speaking rate from the config file, until the person changes it by voice."""
    default_volume: float = 0.9
    """Volume from the config file, until the person changes it by voice."""
    requests: Requests | None = None
    """How requests beside the intent are read (help now, explain, a named contact)."""
    last_variant: dict[str, int] = field(default_factory=dict)
    """The variant each key was last said in (this session), for :meth:`again`."""

    @property
    def address(self) -> str:
        """``du`` or ``sie``: the person's choice, else the configured default."""
        return self.memory.setting("address", self.default_address)

    @property
    def country(self) -> str:
        """``DE``, ``AT`` or ``CH``: the person's choice, else the configured default."""
        return self.memory.setting("country", self.default_country)

    def now(self) -> datetime:
        return self.clock.now()

    def say(self, key: str, **data: Any) -> Reply:
        """Render a prompt in the person's address form, in a fresh variant."""
        variants = self.prompts[key].variants(self.address)
        index = self.picker.pick(key, len(variants), self.now())
        self.last_variant[key] = index
        return Reply(key, self.prompts.render(key, self.address, index, self.shown(data)), dict(data))

    def again(self, key: str, **data: Any) -> Reply:
        """The same wording as the last time ``key`` was said (asking a question again)."""
        index = self.last_variant.get(key)
        if index is None or index >= len(self.prompts[key].variants(self.address)):
            return self.say(key, **data)
        return Reply(key, self.prompts.render(key, self.address, index, self.shown(data)), dict(data))

    def shown(self, data: dict[str, Any]) -> dict[str, Any]:
        return shown_data(self.prompts, self.address, data)

    def has(self, key: str) -> bool:
        return key in self.prompts

    def attr(self, key: str, name: str, default: Any = None) -> Any:
        """An attribute of a prompt (e.g. the words that choose "du")."""
        return self.prompts[key].attrs.get(name, default)
