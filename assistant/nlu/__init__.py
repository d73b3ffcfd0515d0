"""Understanding German utterances: normalisation, numbers, times, intents, safety."""

from assistant.nlu.result import EXPECTATIONS, SAFETY_LEVELS, NluResult

__all__ = ["EXPECTATIONS", "SAFETY_LEVELS", "NluResult"]
