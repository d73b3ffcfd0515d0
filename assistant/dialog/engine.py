"""The dialogue engine: pure, given its content, understanding, clock, store and randomness.

No audio, terminal or file I/O happens here (the store is passed in); ``chat``,
the voice loop and the tests all drive this same class. The order of checks
for every utterance is fixed: safety first, then global commands, then the
active flow, then a new flow by intent. See :mod:`assistant.dialog.flows`.
"""

from __future__ import annotations

import logging
import random
from typing import Any, Iterable

from assistant.clock import Clock
from assistant.dialog.content import Content, load_content
from assistant.dialog.context import Context
from assistant.dialog.flows import FlowFactory, crisis, default_registry
from assistant.dialog.flows.base import TOPIC_INTENTS, Flow, Outcome
from assistant.dialog.flows.checkin import CheckinFlow
from assistant.dialog.flows.exercise import ExerciseFlow, forget_paused_exercise, paused_exercise
from assistant.dialog.flows.offer import OfferFlow
from assistant.dialog.flows.onboarding import OnboardingFlow
from assistant.dialog.globals import GLOBAL_INTENTS, handle_global
from assistant.dialog.memory import Memory
from assistant.dialog.proactive import SOURCES, ProactiveSource
from assistant.dialog.prompts import PromptBook
from assistant.dialog.turn import Expectation, Reply, Turn
from assistant.dialog.variety import VariantPicker
from assistant.errors import BegleiterError
from assistant.nlu.result import NluResult
from assistant.nlu.understand import Understander

LOG = logging.getLogger(__name__)
CLARIFY_BELOW = 0.6
"""An idle utterance understood with less confidence is confirmed first."""
SWITCH_ABOVE = 0.7
"""How sure a topic request must be to leave a question that waits for an answer."""
SURE = 0.9
"""A command matched at least this well is not second-guessed."""
WORDY = 6
"""An answer of this many words may be a request that happens to hold a number ("um neun")."""
SOCIAL = {"greeting": "social.greeting", "thanks": "social.thanks"}
ANSWERS = ("yes", "no", "scale_answer", "answer", "skip", "next", "repeat")


class Engine:
    """Turns utterances into replies; holds the active flow between turns."""

    def __init__(self, prompts: PromptBook, understander: Understander, clock: Clock, store: Any,
                 address: str = "du", country: str = "DE", rng: random.Random | None = None,
                 content: Content | None = None, registry: dict[str, FlowFactory] | None = None,
                 proactive: Iterable[ProactiveSource] | None = None,
                 speech_rate: int = 165, volume: float = 0.9) -> None:
        self.understander = understander
        memory = Memory(store)
        picker = VariantPicker(memory, rng or random.Random())
        self.ctx = Context(prompts, content or load_content(prompts), memory, clock, picker,
                           address, country, speech_rate, volume)
        self.registry = registry if registry is not None else default_registry()
        self.proactive = list(SOURCES if proactive is None else proactive)
        self.flow: Flow | None = None
        self.interrupted: Flow | None = None
        self.expect = Expectation()
        self.last: Turn | None = None
        self.waiting: Flow | None = None
        """A flow a proactive source asked for (a due reminder's answer); it becomes active
        after this turn's utterance was handled, so that utterance is never taken as its answer."""

    @property
    def address(self) -> str:
        return self.ctx.address

    def say(self, key: str, **data: Any) -> Reply:
        return self.ctx.say(key, **data)

    # -- session start -------------------------------------------------------------------

    def start(self) -> Turn:
        """The first words of a session (onboarding on the very first start)."""
        lead = (*self._recovery_notice(), *self._announcements())
        if not self.ctx.memory.setting("onboarding_done", False):
            return self._turn(lead, self._begin(OnboardingFlow(CheckinFlow), None))
        welcome = (*lead, self.say("social.welcome"))
        if self.flow is None and self.waiting is None:
            offer = self._idle_offer()
            if offer is not None:
                return self._turn(welcome, self._begin(offer, None))
        return self._turn(welcome, Outcome((), self.expect))

    def _recovery_notice(self) -> tuple[Reply, ...]:
        """One gentle sentence when the store had to repair its file at start-up."""
        store = self.ctx.memory.store
        key = getattr(store, "recovery_notice", None)
        if not key or key not in self.ctx.prompts:
            return ()
        store.recovery_told()
        return (self.say(key),)

    def _idle_offer(self) -> Flow | None:
        """Once a day at most: continue a paused exercise, else a check-in."""
        memory, now = self.ctx.memory, self.ctx.now()
        paused = paused_exercise(self.ctx)
        if paused and not memory.said_today("exercise_dialog.offer_resume", now):
            title = self.ctx.prompts[paused[0].title_key].variants(self.address)[0]
            return OfferFlow("exercise_dialog.offer_resume", lambda: ExerciseFlow(paused[0].id),
                             ("exercise", "next"), on_decline=forget_paused_exercise, title=title)
        if not memory.checked_in_today(now) and not memory.said_today("dialog.offer_checkin", now):
            return OfferFlow("dialog.offer_checkin", CheckinFlow, ("checkin",))
        return None

    # -- one utterance -------------------------------------------------------------------

    def handle(self, text: str) -> Turn:
        """Understand ``text`` (with the current expectation and time) and answer it."""
        return self.handle_result(self.understander.understand(text, self.expect.kind, self.ctx.now(),
                                                               question=self.last_question()))

    def last_question(self) -> str:
        """What the person is answering: the last thing said, when it was a question (safety reads it)."""
        if self.last is None or not self.last.replies:
            return ""
        said = self.last.replies[-1].text.strip()
        return said if said.endswith("?") else ""

    def handle_result(self, result: NluResult) -> Turn:
        """Answer an utterance that was already understood (e.g. by the voice loop).

        A bug in a flow must not end the conversation: it is logged, the flow is
        dropped and the person hears one calm sentence. Errors meant for the person
        (:class:`BegleiterError`, e.g. a full disk) go up to the front end.
        """
        try:
            return self._handle(result)
        except BegleiterError:
            raise
        except Exception:
            LOG.exception("dialogue error while handling an utterance")
            self.flow, self.interrupted = None, None
            if result.safety == "acute" or result.intent == "crisis":
                return self._turn((), Outcome(self._crisis_belt()))
            return self._turn((), Outcome((self.say("dialog.sorry"),)))

    def _handle(self, result: NluResult) -> Turn:
        if result.safety == "acute" or result.intent == "crisis":
            self.flow, self.interrupted = None, None
            return self._turn((), self._begin(crisis.acute_flow(), result))
        if result.safety == "concern" and (self.flow is None or self.flow.name not in ("concern", "crisis")):
            self.interrupted, self.flow = self.flow, None
            return self._turn(self._announcements(), self._begin(crisis.concern_flow(), result))
        if result.intent == "repeat" and self.last is not None:
            return self.last
        result = self._maybe_new_topic(result)
        lead = self._announcements()
        if result.intent in GLOBAL_INTENTS:
            outcome, self.flow = handle_global(self.ctx, result, self.flow)
            self.interrupted = None if self.flow is None else self.interrupted
            return self._turn(lead, self._settle(outcome), finished=result.intent == "goodbye")
        if self._social_aside(result):
            again = self.flow.reprompt(self.ctx)  # "hallo" or "danke" in the middle: answer, ask again
            return self._turn(lead, Outcome((self.say(SOCIAL[result.intent]), *again.replies), again.expect))
        if self.flow is not None:
            outcome = self.flow.handle(self.ctx, result)
            if not outcome.unhandled:
                return self._turn(lead, self._settle(outcome))
            self.flow = None
        return self._turn(lead, self._idle(result))

    def _social_aside(self, result: NluResult) -> bool:
        """"hallo" (or "danke", except to an offer) while a flow waits: answer it, keep the flow."""
        if self.flow is None or self.expect.kind == "free_text":
            return False
        return result.intent == "greeting" or (result.intent == "thanks" and self.flow.name != "offer")

    def _maybe_new_topic(self, result: NluResult) -> NluResult:
        """Not a number or yes/no while one was expected: is it a request for another topic?

        The matcher only looks for answers when the dialogue waits for one, so an
        unmatched utterance is understood once more as if idle; a clear topic request
        ("erzähl mir lieber etwas über scham") then reaches the flow, which lets it through.
        """
        if self.expect.kind not in ("scale", "yes_no"):
            return result
        wordy_answer = result.intent in ANSWERS and len(result.text.split()) >= WORDY
        if result.intent is not None and not wordy_answer and (result.intent in ANSWERS or result.confidence >= SURE):
            return result
        idle = self.understander.understand(result.text, "none", self.ctx.now())
        bar = SWITCH_ABOVE if wordy_answer else max(SWITCH_ABOVE, result.confidence)
        if idle.intent in (*TOPIC_INTENTS, *SOCIAL) and idle.confidence >= bar:
            return idle
        return result

    def _idle(self, result: NluResult) -> Outcome:
        """No flow is active: start one by intent, answer socially, or clarify."""
        intent = result.intent
        if intent == "next" and paused_exercise(self.ctx):  # "weitermachen": the paused exercise
            return self._begin(ExerciseFlow(), result)
        if intent is None or intent in ANSWERS:
            again = self.last is not None and [r.key for r in self.last.replies][-1:] == ["dialog.clarify"]
            return Outcome((self.say("dialog.clarify_help" if again else "dialog.clarify"),))
        if result.confidence < CLARIFY_BELOW and f"dialog.option.{intent}" in self.ctx.prompts:
            option = self.say(f"dialog.option.{intent}").text
            confirm = OfferFlow("dialog.confirm_intent", lambda: self._flow_for(result),
                                (intent,), declined_key="dialog.clarify_again", option=option)
            return self._begin(confirm, None)
        if intent in SOCIAL:
            return self._social(intent)
        flow = self._flow_for(result)
        if flow is None:
            return Outcome((self.say("dialog.not_yet"),))
        return self._begin(flow, result)

    def _crisis_belt(self) -> tuple[Reply, ...]:
        """Safety belt when the crisis flow itself failed: calm words and the lines, still."""
        return (self.say("safety.acute"), self.say(f"safety.lines_{self.ctx.country}"))

    def _social(self, intent: str) -> Outcome:
        reply = self.say(SOCIAL[intent])
        offer = self._idle_offer() if intent == "greeting" else None
        if offer is None:
            return Outcome((reply,))
        outcome = self._begin(offer, None)
        return Outcome((reply, *outcome.replies), outcome.expect)

    def _flow_for(self, result: NluResult) -> Flow | None:
        factory = self.registry.get(result.intent or "")
        return factory(self.ctx, result) if factory else None

    # -- flow bookkeeping ----------------------------------------------------------------

    def _begin(self, flow: Flow, result: NluResult | None) -> Outcome:
        self.flow = flow
        return self._settle(flow.start(self.ctx, result))

    def _settle(self, outcome: Outcome) -> Outcome:
        """Apply ``done``/``handover``/``resume`` and merge the replies of what follows."""
        if not outcome.done:
            return outcome
        self.flow = None
        if outcome.handover is not None:
            if outcome.handover.name == "crisis":  # acute (e.g. "ja" to the concern question): never resume
                self.interrupted = None
            following = self._begin(outcome.handover, None)
            return Outcome((*outcome.replies, *following.replies), following.expect, following.done)
        if outcome.resume and self.interrupted is not None:
            self.flow, self.interrupted = self.interrupted, None
            again = self.flow.reprompt(self.ctx)
            return Outcome((*outcome.replies, *again.replies), again.expect, again.done)
        return Outcome(outcome.replies, done=True)

    def _announcements(self) -> tuple[Reply, ...]:
        """Due reminders and other proactive words (see :mod:`assistant.dialog.proactive`)."""
        replies: list[Reply] = []
        for source in self.proactive:
            said = source(self.ctx, self.flow)
            replies.extend(said.replies)
            if said.flow is not None and self.flow is None and self.waiting is None:
                self.waiting = said.flow
        return tuple(replies)

    def _turn(self, lead: tuple[Reply, ...], outcome: Outcome, finished: bool = False) -> Turn:
        waiting, self.waiting = self.waiting, None
        if waiting is not None and self.flow is None and not finished:
            self.flow = waiting
            outcome = Outcome(outcome.replies, waiting.start(self.ctx, None).expect)
        self.expect = outcome.expect if self.flow is not None else Expectation()
        turn = Turn((*lead, *outcome.replies), self.expect, finished)
        self.last = turn
        return turn
