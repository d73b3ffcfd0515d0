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
from assistant.dialog.flows import FlowFactory, crisis, crisis_lines, default_registry, safety_plan
from assistant.dialog.flows.base import SWITCH_INTENTS, TOPIC_INTENTS, Flow, Outcome
from assistant.dialog.flows.checkin import CheckinFlow
from assistant.dialog.flows.exercise import ExerciseFlow, forget_paused_exercise, paused_exercise
from assistant.dialog.flows.offer import OfferFlow
from assistant.dialog.flows.onboarding import OnboardingFlow
from assistant.dialog.flows.steps import StepOfferFlow
from assistant.dialog.flows.who5 import Who5Flow
from assistant.dialog.globals import GLOBAL_INTENTS, handle_global
from assistant.dialog.memory import Memory
from assistant.dialog.proactive import ProactiveSource
from assistant.dialog.prompts import PromptBook
from assistant.dialog.requests import Requests, load_requests
from assistant.dialog.turn import Expectation, Reply, Turn
from assistant.dialog.variety import VariantPicker
from assistant.errors import BegleiterError
from assistant.nlu.normalize import fold
from assistant.nlu.result import NluResult
from assistant.nlu.understand import Understander
from assistant.resources import intents_dir

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
ASKED_AT_MOST = 3
"""A question is asked at most this often (the repair ladder): then the dialogue moves on."""
CRISIS_FLOWS = ("crisis", "concern")


EXACT = 0.97
"""The rules match a whole request phrase ("welche erinnerungen habe ich"); semantic readings
stay below (at most 0.95) and topic words alone score lower."""


def sure_request(idle: NluResult) -> bool:
    """A topic request clear enough to leave an open question: a whole request phrase, or a
    reminder whose time was given ("erinnere mich übermorgen um neun ...").

    An open answer often names a topic ("ich ziehe mich zurück und schlafe schlecht" is about
    withdrawal, not a request to learn about it): topic words or a semantic reading never count.
    """
    if idle.intent not in TOPIC_INTENTS:
        return False
    return idle.confidence >= EXACT or (idle.intent == "reminder_set" and bool(idle.slots.get("when")))


class Engine:
    """Turns utterances into replies; holds the active flow between turns."""

    def __init__(self, prompts: PromptBook, understander: Understander, clock: Clock, store: Any,
                 address: str = "du", country: str = "DE", rng: random.Random | None = None,
                 content: Content | None = None, registry: dict[str, FlowFactory] | None = None,
                 proactive: Iterable[ProactiveSource] | None = None,
                 speech_rate: int = 165, volume: float = 0.9, requests: Requests | None = None) -> None:
        self.understander = understander
        self.requests = requests or load_requests(intents_dir() / "dialog")
        memory = Memory(store)
        picker = VariantPicker(memory, rng or random.Random())
        self.ctx = Context(prompts, content or load_content(prompts), memory, clock, picker,
                           address, country, speech_rate, volume)
        self.ctx.requests = self.requests
        self.registry = registry if registry is not None else default_registry()
        self.proactive = list(proactive or ())
        self.flow: Flow | None = None
        self.interrupted: Flow | None = None
        self.expect = Expectation()
        self.last: Turn | None = None
        self.waiting: Flow | None = None
        """A flow a proactive source asked for (a due reminder's answer); it becomes active
        after this turn's utterance was handled, so that utterance is never taken as its answer."""
        self.asked = 1
        """How often the current question has been asked (the repair ladder)."""
        self._idle_reading: NluResult | None = None
        """This turn's utterance read as if idle (computed at most once)."""
        self._asking: int | None = None
        """The count for the question this turn asks again (None: a new question or none)."""
        self.silences = 0
        """Silences in a row after the last question (see :meth:`silence`)."""

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
        welcome = lead if self.waiting is not None else (*lead, self.say("social.welcome"))
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
        self.silences = 0
        in_crisis = self.flow is not None and self.flow.name in CRISIS_FLOWS
        self._idle_reading = None
        try:
            return self._handle(result)
        except BegleiterError:
            raise
        except Exception:
            LOG.exception("dialogue error while handling an utterance")
            return self._recover(in_crisis or result.safety == "acute" or result.intent == "crisis")

    def _recover(self, crisis_belt: bool) -> Turn:
        """After a bug: drop the flow, one calm sentence (in a crisis: the lines, still)."""
        self.flow, self.interrupted = None, None
        if crisis_belt:
            return self._turn((), Outcome(self._crisis_belt()))
        return self._turn((), Outcome((self.say("dialog.sorry"),)))

    def _handle(self, result: NluResult) -> Turn:
        if result.safety == "acute" or result.intent == "crisis":
            self.flow, self.interrupted = None, None
            return self._turn((), self._begin(crisis.acute_flow(), result))
        if result.safety == "concern" and (self.flow is None or self.flow.name not in ("concern", "crisis")):
            self.interrupted, self.flow = self.flow, None
            return self._turn(self._announcements(), self._begin(crisis.concern_flow(), result))
        if self._asks_for_help_now(result) or self._support_in_crisis(result):
            return self._turn((), self._help_now(result))
        if result.intent in (None, "repeat", "help", "skip") and (self.requests.asks_to_explain(result.text)
                                                                   or self.requests.asks_to_explain_at_length(result.text)):
            explained = self._explain()
            if explained is not None:
                return self._turn((), explained)
        if result.intent == "repeat" and self.requests.asks_something_else(result.text) and not self._in_crisis():
            return self._turn((), self._off_topic())
        if result.intent == "repeat" and self.last is not None:
            return self.last
        result = self._maybe_new_topic(result)
        if self._help_now_in_answer(result):
            return self._turn((), self._help_now(result))
        lead = self._announcements()
        if result.intent in GLOBAL_INTENTS and not self._listed_answer(result):
            outcome, self.flow = handle_global(self.ctx, result, self.flow)
            self.interrupted = None if self.flow is None else self.interrupted
            return self._turn(lead, self._settle(outcome), finished=result.intent == "goodbye")
        if self._social_aside(result):
            again = self.flow.reprompt(self.ctx)  # "hallo" or "danke" in the middle: answer, ask again
            key = SOCIAL[result.intent]
            if result.intent == "greeting" and isinstance(self.flow, OnboardingFlow) and self.flow.state == "address":
                key = "onboarding.greeting"  # before du or Sie is chosen: a greeting that addresses nobody
            return self._turn(lead, Outcome((self.say(key), *again.replies), again.expect))
        if self._asks_for_who5(result):
            parked = self.flow.park(self.ctx) if self.flow is not None else ()
            self.flow, self.interrupted = None, None
            started = self._begin(Who5Flow(), result)
            return self._turn(lead, Outcome((*parked, *started.replies), started.expect))
        if self.flow is not None:
            if self._switches_topic(result):
                return self._turn(lead, self._switch(result))
            outcome = self.flow.handle(self.ctx, result)
            if not outcome.unhandled:
                return self._turn(lead, self._settle(self._ladder(outcome)))
            self.flow = None
        return self._turn(lead, self._idle(result))

    # -- repair: switches, the ladder, explanations, help now ---------------------------------

    def _listed_answer(self, result: NluResult) -> bool:
        """The whole utterance is one of the answers the waiting question lists ("meistens" to a
        WHO-5 item): the question's answer, whatever command the matcher read into it."""
        if self.flow is None or self.expect.kind != "free_text" or not self.expect.phrases:
            return False  # yes/no and scale lists hold commands too ("später" to a due reminder)
        said = fold(result.text).strip(" .!?,")
        return any(said == fold(phrase) for phrase in self.expect.phrases)

    def _asks_for_who5(self, result: NluResult) -> bool:
        """"den Fragebogen" with nothing open or instead of a yes/no or a number (never inside an
        open answer, a crisis flow or the onboarding): the WHO-5 has no intent of its own."""
        flow = self.flow
        if flow is not None and (flow.name in CRISIS_FLOWS or isinstance(flow, (OnboardingFlow, Who5Flow))
                                 or self.expect.kind == "free_text"):
            return False
        return self.requests.asks_for_who5(result.text, result.intent)

    def _switches_topic(self, result: NluResult) -> bool:
        """A topic request or a feeling the active flow does not read as its answer."""
        flow = self.flow
        if flow is None or flow.name in CRISIS_FLOWS or result.intent not in SWITCH_INTENTS:
            return False
        return not flow.takes(result)

    def _switch(self, result: NluResult) -> Outcome:
        """Park the pending question with one kind word, then start the new topic.

        A feeling gets its empathic reply first, then the word about the parked question.
        """
        parked = self.flow.park(self.ctx) if self.flow is not None else ()
        self.flow, self.interrupted = None, None
        new = self._idle(result)
        if result.intent == "feeling" and new.replies:
            if [reply.key for reply in parked] == ["dialog.parked"]:
                parked = (self.say("dialog.parked_feeling"),)  # "dann machen wir das" fits no feeling
            return Outcome((new.replies[0], *parked, *new.replies[1:]), new.expect, new.done)
        return Outcome((*parked, *new.replies), new.expect, new.done)

    def _ladder(self, outcome: Outcome) -> Outcome:
        """Never a fourth asking: the second miss offers a way out, the third moves on.

        A flow marks a re-asked question with ``repair``; the first miss keeps the flow's own
        hint (the question said differently), the second replaces it with a way out, the
        third skips the question and says so.
        """
        if not outcome.repair or self._in_crisis():  # the crisis flows keep their own few words
            return outcome
        asked = self.asked + 1
        if asked < ASKED_AT_MOST:
            self._asking = asked
            return outcome
        if asked == ASKED_AT_MOST:
            self._asking = asked
            kind = outcome.expect.kind if outcome.expect.kind in ("yes_no", "scale") else "other"
            question = self._pending_question()
            again = (self.ctx.again(question.key, **question.data),) if question is not None else ()
            return Outcome((self.say(f"dialog.way_out_{kind}"), *again), outcome.expect, repair=True)
        moved = self.flow.move_on(self.ctx) if self.flow is not None else Outcome((), done=True)
        if moved.repair or moved.unhandled or not moved.replies:
            return Outcome((self.say("dialog.moving_on_end"),), done=True)
        return moved  # the flow says itself that the question is left out ("Gut, dann überspringen wir das.")

    def _explain(self) -> Outcome | None:
        """"Was meinst du?": what the pending question asks, then the question (None: no question)."""
        question = self._pending_question()
        if question is None or self.flow is None:
            return None
        specific = f"{question.key}_explain"
        key = specific if self.ctx.has(specific) else f"dialog.explain_{self._kind()}"
        if self.asked >= ASKED_AT_MOST and not self._in_crisis():  # once more would be a fourth asking
            return self._settle(self._ladder(Outcome((), self.expect, repair=True)))
        self._asking = self.asked + 1
        again = self.ctx.again(question.key, **question.data)
        return Outcome((self.say(key), again), self.expect)

    def _off_topic(self) -> Outcome:
        """A question Begleiter cannot answer: one honest sentence, then only the pending question."""
        question = self._pending_question()
        if question is None:
            return Outcome((self.say("dialog.off_topic"),), self.expect)
        return Outcome((self.say("dialog.off_topic"), self.ctx.again(question.key, **question.data)), self.expect)

    def _in_crisis(self) -> bool:
        return self.flow is not None and self.flow.name in CRISIS_FLOWS

    def _idle_reading_of(self, text: str) -> NluResult:
        """The utterance understood as if nothing were asked, once per turn."""
        if self._idle_reading is None or self._idle_reading.text != text:
            self._idle_reading = self.understander.understand(text, "none", self.ctx.now())
        return self._idle_reading

    def _pending_question(self):
        """The last reply, when it asked a question that still waits for its answer."""
        if self.last is None or not self.last.replies or self.flow is None:
            return None
        reply = self.last.replies[-1]
        return reply if reply.text.rstrip().endswith("?") else None

    def _kind(self) -> str:
        return self.expect.kind if self.expect.kind in ("yes_no", "scale", "free_text") else "other"

    def _asks_for_help_now(self, result: NluResult) -> bool:
        """Help now, unless the crisis flow just offered the numbers: "ja, sag mir die nummern
        nochmal" is its yes (the numbers slowly, digit by digit)."""
        if self._in_crisis() and result.intent in ("yes", "repeat", "slower"):
            return False
        return self.requests.asks_for_help_now(result.text, result.intent)

    def _help_now_in_answer(self, result: NluResult) -> bool:
        """Help asked for where an answer was expected ("notfallnummer" to the mood question).

        In free text the utterance is read once more as if idle; a safety plan's answers are
        left alone (they name help lines on purpose).
        """
        if self.expect.kind != "free_text":
            return self._asks_for_help_now(result)
        if self.flow is not None and self.flow.name == "safety_plan":
            return False
        if result.intent not in ("answer", None):
            return self.requests.asks_for_help_now(result.text, result.intent)
        return self.requests.asks_for_help_now(result.text, self._idle_reading_of(result.text).intent)

    def _support_in_crisis(self, result: NluResult) -> bool:
        """In the crisis flows every request for help ("wer kann mir helfen") is help now."""
        return (self.flow is not None and self.flow.name in CRISIS_FLOWS and result.intent == "support"
                and result.slots.get("topic") != "safety_plan") or self._plan_in_crisis(result)

    def _plan_in_crisis(self, result: NluResult) -> bool:
        return (self.flow is not None and self.flow.name in CRISIS_FLOWS and result.intent == "support"
                and result.slots.get("topic") == "safety_plan")

    def _help_now(self, result: NluResult) -> Outcome:
        """The number first, in two short sentences; then at most one offer.

        A flow that waits keeps waiting (its question is the one offer); in the crisis flows
        the person's own plan is read too ("sicherheitsplan": the whole plan).
        """
        if self._plan_in_crisis(result):
            plan = safety_plan.load_plan(self.ctx)
            replies = safety_plan.readback(self.ctx, plan) if safety_plan.has_plan(plan) else (
                self.say("safety.plan.none_in_crisis"), crisis_lines.number(self.ctx))
        else:
            replies = (crisis_lines.number(self.ctx),)
            if self.flow is not None and self.flow.name in CRISIS_FLOWS:
                replies += safety_plan.acute_readback(self.ctx)
        if self.flow is not None:
            again = self.flow.reprompt(self.ctx)
            if not again.done:
                return Outcome((*replies, *again.replies), again.expect)
            self.flow = None
        offer = OfferFlow("safety.number_offer", crisis.LinesFlow, ("repeat",),
                          declined_key="safety.number_offer_declined")
        begun = self._begin(offer, None)
        return Outcome((*replies, *begun.replies), begun.expect)

    def begin_waiting(self, flow: Flow) -> Expectation:
        """Make ``flow`` active from outside a turn (a reminder spoken while the loop sleeps), so
        the next utterance is its answer; does nothing while another flow is active."""
        if self.flow is None:
            self.flow = flow
            self.expect = flow.start(self.ctx, None).expect
        return self.expect

    # -- silence -------------------------------------------------------------------------

    def silence(self) -> Turn:
        """The person stayed silent after the last turn (the voice loop's listening timed out).

        After the concern question: the crisis lines once, gently. Elsewhere: one soft re-offer
        of the question, then it is dropped without a word. Idle: nothing is said.
        """
        if self.flow is None:
            self.silences = 0
            return Turn((), self.expect)
        self.silences += 1
        in_crisis = self.flow.name in CRISIS_FLOWS
        previous = self.last
        try:
            outcome = self.flow.on_silence(self.ctx, self.silences)
            if outcome.done:
                self.silences = 0
                self.interrupted = None
            turn = self._turn((), self._settle(outcome))
        except BegleiterError:
            raise
        except Exception:
            LOG.exception("dialogue error while handling a silence")
            return self._recover(in_crisis)
        if not turn.replies:
            self.last = previous  # "nochmal" afterwards repeats what was last said, not silence
        return turn

    def _social_aside(self, result: NluResult) -> bool:
        """"hallo" (or "danke", except to an offer) while a flow waits: answer it, keep the flow."""
        if self.flow is None or self.expect.kind == "free_text":
            return False
        return result.intent == "greeting" or (result.intent == "thanks" and self.flow.name != "offer")

    def _maybe_new_topic(self, result: NluResult) -> NluResult:
        """Not a plausible answer to the pending question: is it a request for another topic?

        The matcher only looks for answers when the dialogue waits for one, so an
        unmatched utterance is understood once more as if idle; a clear topic request
        ("erzähl mir lieber etwas über scham") or a feeling ("mir geht es heute mies" to a
        yes/no question) then reaches the engine, which parks the question. A number or
        yes/no that was understood stays the answer; in free text only a sure request
        counts (an open answer may well mention a topic).
        """
        kind = self.expect.kind
        if kind == "free_text":
            if result.intent not in ("answer", "help"):  # "help": a question to me may be a request
                return result
            idle = self._idle_reading_of(result.text)
            return idle if sure_request(idle) else result
        if kind not in ("scale", "yes_no"):
            return result
        wordy_answer = result.intent in ANSWERS and len(result.text.split()) >= WORDY
        if result.intent is not None and not wordy_answer and (result.intent in ANSWERS or result.confidence >= SURE):
            return result
        idle = self._idle_reading_of(result.text)
        bar = SWITCH_ABOVE if wordy_answer else max(SWITCH_ABOVE, result.confidence)
        switch = (*TOPIC_INTENTS, *SOCIAL) if wordy_answer else (*SWITCH_INTENTS, *SOCIAL)
        if idle.intent in switch and idle.confidence >= bar:
            return idle
        return result

    def _idle(self, result: NluResult) -> Outcome:
        """No flow is active: start one by intent, answer socially, or clarify."""
        intent = result.intent
        if intent == "next" and paused_exercise(self.ctx):  # "weitermachen": the paused exercise
            return self._begin(ExerciseFlow(), result)
        if intent == "skip":  # "weiß nicht" with nothing open: a state, not a parse error
            offer = OfferFlow("dialog.unsure_idle", lambda: StepOfferFlow("low"), ("suggest_step",),
                              declined_key="dialog.unsure_declined")
            return self._begin(offer, None)
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
        self.asked, self._asking = self._asking or 1, None
        turn = Turn((*lead, *outcome.replies), self.expect, finished)
        self.last = turn
        return turn
