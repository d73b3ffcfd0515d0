"""What the engine returns for one turn: replies and what it expects next."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Reply:
    """One thing the assistant says."""

    key: str
    """Prompt key in ``prompts_de/``."""
    text: str
    """The rendered German text."""
    data: dict[str, Any] = field(default_factory=dict)
    """The values filled into the prompt's placeholders."""


@dataclass(frozen=True)
class Expectation:
    """What the dialogue waits for next, for the matcher and a speech grammar."""

    kind: str = "none"
    """``none``, ``yes_no``, ``scale`` or ``free_text``."""
    phrases: tuple[str, ...] = ()
    """Phrases a speech grammar may allow besides the global commands."""


@dataclass(frozen=True)
class Turn:
    """The engine's answer to one utterance (or to the start of a session)."""

    replies: tuple[Reply, ...]
    expect: Expectation = Expectation()
    finished: bool = False
    """True when the conversation has ended (goodbye)."""

    @property
    def text(self) -> str:
        return " ".join(reply.text for reply in self.replies)
