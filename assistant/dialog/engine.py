"""The dialogue engine: pure, given its content, understanding, clock and randomness.

No audio, terminal or file I/O happens here; ``chat``, the voice loop and the
tests all drive this same class.
"""

from __future__ import annotations

import random
from typing import Any

from assistant.clock import Clock
from assistant.dialog.prompts import PromptBook
from assistant.dialog.turn import Expectation, Reply, Turn
from assistant.nlu.understand import Understander


class Engine:
    """Turns utterances into replies."""

    def __init__(self, prompts: PromptBook, understander: Understander, clock: Clock,
                 address: str = "du", rng: random.Random | None = None) -> None:
        self.prompts = prompts
        self.understander = understander
        self.clock = clock
        self.address = address
        self.rng = rng or random.Random()
        self.expect = Expectation()

    def say(self, key: str, **data: Any) -> Reply:
        variants = self.prompts[key].variants(self.address)
        index = self.rng.randrange(len(variants))
        return Reply(key, self.prompts.render(key, self.address, index, data), data)

    def start(self) -> Turn:
        return Turn((self.say("social.welcome"),), self.expect)

    def handle(self, text: str) -> Turn:
        result = self.understander.understand(text, self.expect.kind, self.clock.now())
        if result.intent == "greeting":
            return Turn((self.say("social.greeting"),), self.expect)
        if result.intent == "thanks":
            return Turn((self.say("social.thanks"),), self.expect)
        if result.intent == "goodbye":
            return Turn((self.say("social.goodbye"),), self.expect, finished=True)
        return Turn((self.say("social.not_understood"),), self.expect)
