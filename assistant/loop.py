"""The voice loop: ears -> engine -> voice, with wake phrase, timeouts and barge-in.

States: asleep (waiting for the wake phrase or Enter, speaking due reminders
through :attr:`VoiceLoop.due_reminders`), then a conversation (listen with a
timeout, answer, repeat) until goodbye or silence.

The ears are a protocol: the real ones turn microphone audio into
:class:`~assistant.speech.stt.Heard` events, the tests feed text events in.
Without echo cancellation the microphone hears our own voice, so the ears
are muted while we speak and for a short hold-off after; with echo
cancellation (``barge_in``) they listen for "stopp" during playback instead.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from typing import Any, Callable, Protocol, Sequence

from assistant.dialog.engine import Engine
from assistant.dialog.turn import Expectation, Reply, Turn
from assistant.nlu.normalize import fold
from assistant.nlu.understand import GLOBAL_INTENTS, Understander
from assistant.speech.stt import Heard
from assistant.speech.wake import PushToTalk, WakePhrase

log = logging.getLogger(__name__)

GRAMMAR_KINDS = ("yes_no", "scale")
STOP_WORDS_MAX = 3
GRAMMAR_WORDS_MAX = 3
STATS_KEPT = 200
"""Longer command phrases stay out of recogniser grammars (they would only dilute them)."""


class Ears(Protocol):
    """Where heard text comes from (microphone + Vosk, or a test script)."""

    def set_grammar(self, phrases: Sequence[str] | None) -> None: ...
    def hear(self, timeout: float) -> Heard | None: ...
    def mute(self) -> None: ...
    def unmute(self, holdoff_s: float) -> None: ...


class Voice(Protocol):
    """Where replies are spoken (:class:`~assistant.speech.tts.Speaker`)."""

    def say(self, text: str) -> Any: ...
    def stop(self) -> None: ...
    def set_voice(self, rate: int, volume: float) -> None: ...


@dataclass(frozen=True)
class Commands:
    """The global voice commands' phrases (from ``intents/``)."""

    stop: tuple[str, ...]
    """Phrases that stop our speech at once ("stopp", "halt", "ruhe"), as written."""
    phrases: tuple[str, ...]
    """Every global command phrase as written (umlauts kept), for the per-turn grammar."""

    @classmethod
    def from_understander(cls, understander: Understander) -> "Commands":
        """The phrases the understander already loaded from ``intents/`` (read once)."""
        phrases = tuple(p for name in GLOBAL_INTENTS for p in understander.shown_phrases(name))
        return cls(understander.shown_phrases("stop"), phrases)

    def is_stop(self, text: str) -> bool:
        """True when ``text`` is a stop phrase, or a short utterance (up to
        :data:`STOP_WORDS_MAX` words) containing one ("stopp bitte"), not a sentence
        that happens to contain the word ("ich will aufhören zu grübeln")."""
        folded = fold(text)
        if len(folded.split()) > STOP_WORDS_MAX:
            return False
        padded = f" {folded} "
        return any(f" {fold(phrase)} " in padded for phrase in self.stop)


@dataclass(frozen=True)
class LoopOptions:
    """How the loop behaves (from the speech settings)."""

    activation: str = "wake"
    wake_phrase: str = "hallo begleiter"
    listen_timeout_s: float = 8.0
    barge_in: bool = False
    """True only with echo cancellation: listen for "stopp" while speaking."""
    holdoff_s: float = 0.35
    """Without echo cancellation: how long after our speech the microphone stays ignored."""
    poll_s: float = 0.25


@dataclass(frozen=True)
class TurnLatency:
    """Latency figures of one answered utterance (milliseconds)."""

    speech_end_to_final_ms: float | None
    final_to_audio_ms: float | None


@dataclass
class LoopStats:
    """What happened recently (the last :data:`STATS_KEPT` of each), for logs, tests and
    the benchmark; bounded, since the loop runs for weeks."""

    latencies: deque[TurnLatency] = field(default_factory=lambda: deque(maxlen=STATS_KEPT))
    grammars: deque[list[str] | None] = field(default_factory=lambda: deque(maxlen=STATS_KEPT))
    interruptions: deque[float] = field(default_factory=lambda: deque(maxlen=STATS_KEPT))
    """Seconds from hearing "stopp" to the speech being stopped."""
    spoken: deque[str] = field(default_factory=lambda: deque(maxlen=STATS_KEPT))


class VoiceLoop:
    """Wires ears, engine and voice together."""

    def __init__(self, engine: Engine, ears: Ears, voice: Voice, commands: Commands,
                 options: LoopOptions = LoopOptions(), push_to_talk: PushToTalk | None = None) -> None:
        self.engine = engine
        self.ears = ears
        self.voice = voice
        self.commands = commands
        self.options = options
        self.wake = WakePhrase(options.wake_phrase)
        self.push_to_talk = push_to_talk
        self.stopping = threading.Event()
        self.stats = LoopStats()
        self.due_reminders: Callable[[], Sequence[Reply]] = lambda: ()
        """Hook for the reminder part: returns the replies due now (quiet hours already
        respected); called while the loop is asleep, each is spoken at once."""
        self._welcomed = False
        self._voice_settings: tuple[int, float] | None = None

    # -- the main loop --------------------------------------------------------------

    def run(self) -> int:
        """Sleep, wake, converse, sleep again, until :attr:`stopping` is set or input ends."""
        self.sync_voice()
        while not self.stopping.is_set():
            self._speak_due_reminders()
            if not self._wait_for_activation():
                continue
            if not self._welcomed:
                self._welcomed = True
                turn = self.engine.start()
            else:
                turn = Turn((self.engine.say("speech.wake_ack"),), self.engine.expect)
            self.speak_turn(turn)
            self.converse(turn.expect)
        return 0

    def _wait_for_activation(self) -> bool:
        if self.push_to_talk is not None:
            if self.push_to_talk.closed.is_set():
                self.stopping.set()
                return False
            pressed = self.push_to_talk.wait(self.options.poll_s)
            if pressed:
                self.ears.unmute(0.0)
            return pressed
        self.ears.set_grammar(self.wake.grammar)
        heard = self.ears.hear(self.options.poll_s)
        return heard is not None and heard.kind == "final" and self.wake.heard_in(heard.text)

    def mode_text(self, key: str) -> str:
        """``key`` for the wake phrase, ``key_push`` for push-to-talk."""
        if self.push_to_talk is not None:
            return self.engine.say(f"{key}_push").text
        return self.engine.say(key, wake=self.wake.phrase).text

    def _speak_due_reminders(self) -> None:
        for reply in self.due_reminders():
            self.speak(reply.text)

    def converse(self, expect: Expectation) -> None:
        """Listen and answer until goodbye, or silence twice in a row.

        Silence is an event for the engine (:meth:`Engine.silence`): after a question it
        re-offers once, then drops the question; after the concern question it gives the
        crisis lines. With nothing open the loop says its own soft reprompt, then sleeps.
        """
        reprompted = False
        while not self.stopping.is_set():
            grammar = self.grammar_for(expect)
            self.ears.set_grammar(grammar)
            self.stats.grammars.append(grammar)
            heard = self.listen()
            if heard is None:
                if self.stopping.is_set():
                    return
                turn = self.engine.silence()
                if turn.replies:
                    self.speak(turn.text)
                if reprompted:
                    self.speak(self.mode_text("speech.going_to_sleep"))
                    return
                reprompted = True
                if not turn.replies:
                    self.speak(self.engine.say("speech.reprompt").text)
                expect = turn.expect
                continue
            reprompted = False
            turn = self.answer(heard)
            if turn.finished:
                return
            expect = turn.expect

    def listen(self) -> Heard | None:
        """The next final transcript, or ``None`` after the timeout without speech."""
        deadline = time.monotonic() + self.options.listen_timeout_s
        while not self.stopping.is_set() and (left := deadline - time.monotonic()) > 0:
            heard = self.ears.hear(min(left, self.options.poll_s))
            if heard is None:
                continue
            log.debug("heard %s: %s", heard.kind, _private(heard.text))
            if heard.kind == "final":
                return heard
            deadline = max(deadline, time.monotonic() + self.options.listen_timeout_s)
        return None

    def answer(self, heard: Heard) -> Turn:
        """Let the engine answer one utterance and speak the reply; logs the latencies."""
        turn = self.engine.handle(heard.text)
        self.sync_voice()
        if turn.replies:
            self.speak(turn.text, on_audio=lambda job: self._record_latency(heard, job))
        return turn

    def sync_voice(self) -> None:
        """Apply the speech rate and volume the person chose by voice ("langsamer",
        "lauter"; the engine stores them) to the voice, when they changed."""
        chosen = chosen_voice(self.engine)
        if chosen is not None and chosen != self._voice_settings:
            self._voice_settings = chosen
            self.voice.set_voice(*chosen)

    def _record_latency(self, heard: Heard, job: Any) -> None:
        first = getattr(job, "first_sample_at", None)
        to_audio = (first - heard.at) * 1000 if first is not None and heard.at else None
        end = (heard.at - heard.speech_end) * 1000 if heard.speech_end and heard.at else None
        self.stats.latencies.append(TurnLatency(end, to_audio))
        log.info("latency: speech end -> final %s ms, final -> first audio %s ms",
                 _ms(end), _ms(to_audio))

    # -- speaking ---------------------------------------------------------------------

    def grammar_for(self, expect: Expectation) -> list[str] | None:
        """The recogniser grammar for what the dialogue expects (``None``: free speech)."""
        if expect.kind not in GRAMMAR_KINDS:
            return None
        phrases = list(expect.phrases)
        helper = getattr(self.engine.understander, "grammar", None)
        if callable(helper):  # the NLU's expected answers, global commands included
            phrases.extend(helper(expect))
        else:
            phrases.extend(p for p in self.commands.phrases if len(p.split()) <= GRAMMAR_WORDS_MAX)
        return list(dict.fromkeys(phrases))

    def speak_turn(self, turn: Turn) -> Any:
        return self.speak(turn.text) if turn.replies else None

    def speak(self, text: str, on_audio: Callable[[Any], None] | None = None) -> Any:
        """Speak ``text`` and wait until it is played, or stopped by "stopp" (with echo
        cancellation) or by Enter (push-to-talk).

        ``on_audio(job)`` is called once, as soon as the first sample has been played
        (or when the speech ended without any).
        """
        self.stats.spoken.append(text)
        if not self.options.barge_in:
            self.ears.mute()
        else:
            self.ears.set_grammar([*self.commands.stop])
        job = self.voice.say(text)
        try:
            while not job.done.wait(0.0 if self.options.barge_in else 0.02):
                if on_audio is not None and getattr(job, "first_sample_at", None) is not None:
                    on_audio(job)
                    on_audio = None
                if self.options.barge_in:
                    self._listen_for_stop(job)
                elif self.push_to_talk is not None and self.push_to_talk.wait(0.0):
                    self.voice.stop()                # Enter while we speak: be quiet
        finally:
            if not self.options.barge_in:
                self.ears.unmute(self.options.holdoff_s)
        if on_audio is not None:
            on_audio(job)
        return job

    def _listen_for_stop(self, job: Any) -> None:
        heard = self.ears.hear(0.02)
        if heard is not None and self.commands.is_stop(heard.text):
            self.voice.stop()
            job.done.wait(0.3)
            self.stats.interruptions.append(time.monotonic() - (heard.at or time.monotonic()))
            log.info("speech stopped by %r", heard.text)


def chosen_voice(engine: Any) -> tuple[int, float] | None:
    """The rate and volume in effect: stored by the engine, else the configured ones."""
    ctx = getattr(engine, "ctx", None)
    if ctx is None:
        return None
    rate = ctx.memory.setting("speech_rate", None) or ctx.default_rate
    volume = ctx.memory.setting("volume", None) or ctx.default_volume
    return int(rate), float(volume)


def _private(text: str) -> str:
    """What the person said, only when debugging was asked for (``BEGLEITER_DEBUG=1``)."""
    return text if os.environ.get("BEGLEITER_DEBUG") == "1" else f"<{len(text)} chars>"


def _ms(value: float | None) -> str:
    return "-" if value is None else f"{value:.0f}"
