"""Safety assessment of one utterance (placeholder until the safety detector lands)."""


def assess(text: str) -> str:
    """``none``, ``concern`` or ``acute``."""
    return "none"
