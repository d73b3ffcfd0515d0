"""The result of understanding one utterance: the ``nlu`` JSON contract."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

EXPECTATIONS = ("none", "yes_no", "scale", "free_text")
"""What the dialogue waits for; ``none`` means idle."""

SAFETY_LEVELS = ("none", "concern", "acute")


@dataclass(frozen=True)
class NluResult:
    """One understood utterance, as printed by ``begleiter nlu``."""

    text: str
    """The utterance as given."""
    intent: str | None
    """Intent name from DESIGN.md, or None when nothing fits well enough."""
    confidence: float
    """0..1; how sure the matcher is about ``intent``."""
    slots: dict[str, Any] = field(default_factory=dict)
    """``value``, ``when``, ``what``, ``repeat``, ``topic``, ``text``, as found."""
    safety: str = "none"
    """``none``, ``concern`` or ``acute``; when acute, ``intent`` is ``crisis``."""
    why: dict[str, Any] | None = field(default=None, compare=False)
    """Only when asked for (``nlu --explain``): which layer decided, and the scores."""

    def to_json(self) -> dict[str, Any]:
        out = {"text": self.text, "intent": self.intent,
               "confidence": round(self.confidence, 3), "slots": dict(self.slots),
               "safety": self.safety}
        if self.why is not None:
            out["why"] = self.why
        return out
