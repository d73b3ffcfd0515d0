"""The whole voice loop with scripted ears (text in place of audio) and real speech synthesis.

Only two edges are replaced, at the thinnest boundary: the ears (microphone +
Vosk) by a script of :class:`Heard` events, and the sound device by a player
that consumes samples in (scaled) real time. The engine, the prompts and
espeak-ng synthesis through pyttsx3 are real.
"""

from __future__ import annotations

import io
import os
import threading
import time
from pathlib import Path
from typing import Callable, Sequence

import pytest

from assistant.app import build_app
from assistant.dialog.turn import Expectation, Reply, Turn
from assistant.loop import Commands, LoopOptions, VoiceLoop
from assistant.speech.stt import Heard
from assistant.speech.tts import TTS_RATE, Speaker
from assistant.speech.wake import PushToTalk
from tests.helpers_audio import IdlePlayer

COMMANDS = Commands(stop=("stopp", "halt", "ruhe"),
                    phrases=("stopp", "halt", "ruhe", "nochmal", "hilfe", "später"))


class ScriptedEars:
    """Hands out scripted events; what arrives while muted is lost, as with a real mic."""

    def __init__(self, script: Sequence[tuple[float, str, str]]) -> None:
        self.script = list(script)  # (seconds after the previous event, kind, text)
        self.grammars: list[list[str] | None] = []
        self.muted = False
        self.unmutes: list[float] = []
        self.dropped: list[str] = []
        self._since = time.monotonic()

    def set_grammar(self, phrases: Sequence[str] | None) -> None:
        self.grammars.append(None if phrases is None else list(phrases))

    def hear(self, timeout: float) -> Heard | None:
        if not self.script:
            time.sleep(timeout)
            return None
        delay, kind, text = self.script[0]
        due = self._since + delay
        if due > time.monotonic() + timeout:
            time.sleep(timeout)
            return None
        time.sleep(max(0.0, due - time.monotonic()))
        self.script.pop(0)
        self._since = time.monotonic()
        if self.muted:
            self.dropped.append(text)
            return None
        now = time.monotonic()
        return Heard(kind, text, now - 0.1 if kind == "final" else None, now)

    def mute(self) -> None:
        self.muted = True

    def unmute(self, holdoff_s: float) -> None:
        self.muted = False
        self.unmutes.append(holdoff_s)
        self._since = time.monotonic()


class PacedPlayer(IdlePlayer):
    """Consumes PCM at ``speed`` times real time, in 20 ms blocks (the device edge)."""

    def __init__(self, speed: float = 1.0) -> None:
        super().__init__()
        self.speed = speed
        self.clips: list[tuple[bytes, Callable[[float], None] | None]] = []
        self.played_bytes = 0
        self.stops = 0
        self._lock = threading.Lock()
        threading.Thread(target=self._run, daemon=True).start()

    def _run(self) -> None:
        block = int(TTS_RATE * 0.02 * self.speed) * 2     # 20 ms of real time per tick
        while True:
            with self._lock:
                clip = self.clips[0] if self.clips else None
                if clip is None:
                    self._idle.set()
                else:
                    pcm, on_start = clip
                    if on_start is not None:
                        on_start(time.monotonic())
                        self.clips[0] = (pcm, None)
                    self.played_bytes += min(block, len(pcm))
                    rest = pcm[block:]
                    if rest:
                        self.clips[0] = (rest, None)
                    else:
                        self.clips.pop(0)
            time.sleep(0.02)

    def play(self, pcm: bytes, on_start: Callable[[float], None] | None = None) -> None:
        with self._lock:
            self.clips.append((pcm, on_start))
            self._idle.clear()

    def stop(self) -> None:
        with self._lock:
            self.clips.clear()
            self.stops += 1
            self._idle.set()


@pytest.fixture(scope="module")
def speaker_factory():
    speakers: list[Speaker] = []

    def make(speed: float = 80.0) -> tuple[Speaker, PacedPlayer]:
        player = PacedPlayer(speed)
        speaker = Speaker(player, rate=175, volume=0.9)
        speakers.append(speaker)
        return speaker, player
    yield make
    for speaker in speakers:
        speaker.close()


def make_loop(data_dir: Path, ears: ScriptedEars, speaker: Speaker, **options) -> VoiceLoop:
    app = build_app(None, str(data_dir), None)
    defaults = dict(listen_timeout_s=0.15, poll_s=0.05, holdoff_s=0.05)
    loop = VoiceLoop(app.engine(seed=1), ears, speaker, COMMANDS, LoopOptions(**{**defaults, **options}))
    return loop


def run_until_asleep(loop: VoiceLoop, ears: ScriptedEars, limit_s: float = 20.0) -> None:
    """Run the loop on a thread until the script is used up and it said it goes to sleep
    (that prompt names the wake phrase)."""
    thread = threading.Thread(target=loop.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + limit_s
    while time.monotonic() < deadline:
        spoken = loop.stats.spoken
        if not ears.script and len(spoken) > 1 and loop.wake.phrase in spoken[-1]:
            break
        time.sleep(0.05)
    loop.stopping.set()
    thread.join(timeout=5)
    assert not thread.is_alive(), "loop did not stop"


def test_wake_answer_reprompt_then_sleep(data_dir: Path, speaker_factory) -> None:
    speaker, player = speaker_factory()
    ears = ScriptedEars([(0.0, "final", "guten morgen"),          # not the wake phrase: ignored
                         (0.05, "final", "hallo begleiter"),
                         (0.05, "partial", "hal"), (0.05, "final", "hallo")])
    loop = make_loop(data_dir, ears, speaker)
    run_until_asleep(loop, ears)
    spoken = loop.stats.spoken
    engine = loop.engine
    # welcome (engine.start), the answer to "hallo", after silence the question re-offered once
    # (the engine's silence event), then sleep
    assert len(spoken) == 4, spoken
    assert any(spoken[2].startswith(t) for t in _variants(engine, "dialog.silence_reoffer")), spoken[2]
    assert loop.wake.phrase in spoken[3]
    assert "guten morgen" not in " ".join(spoken)
    assert ears.grammars[0] == ["hallo begleiter", "[unk]"]       # asleep: wake grammar
    assert player.played_bytes > TTS_RATE * 2                      # real speech was played
    latency = loop.stats.latencies[0]
    assert latency.final_to_audio_ms is not None and latency.final_to_audio_ms > 0
    assert latency.speech_end_to_final_ms == pytest.approx(100, abs=20)


def test_silence_after_the_concern_question_gives_the_crisis_lines(data_dir: Path, speaker_factory) -> None:
    """The loop tells the engine about silence: after the concern question the lines come once."""
    speaker, _ = speaker_factory()
    ears = ScriptedEars([(0.0, "final", "hallo begleiter"), (0.05, "final", "es hat doch alles keinen sinn mehr")])
    loop = make_loop(data_dir, ears, speaker)
    run_until_asleep(loop, ears)
    spoken = loop.stats.spoken
    assert "?" in spoken[1]                                        # the concern question
    assert "0800" in spoken[2] and "?" not in spoken[2]            # silence: the lines, no question
    assert loop.wake.phrase in spoken[3] and len(spoken) == 4      # then sleep, no nagging


def _variants(engine, key: str) -> tuple[str, ...]:
    return tuple(engine.say(key).text for _ in range(20))


def test_grammar_follows_expectation_and_changes_between_utterances(data_dir: Path, speaker_factory) -> None:
    speaker, _ = speaker_factory()
    ears = ScriptedEars([(0.0, "final", "hallo begleiter"), (0.05, "final", "frag mich"),
                         (0.05, "final", "ja")])
    loop = make_loop(data_dir, ears, speaker)
    engine = loop.engine
    real_handle = engine.handle
    question = Expectation("yes_no", ("ja", "nein", "gern"))

    def scripted_handle(text: str) -> Turn:
        if text == "frag mich":
            engine.expect = question
            return Turn((Reply("x", "Magst du eine Frage?"),), question)
        engine.expect = Expectation()
        return real_handle(text) if text != "ja" else Turn((Reply("x", "Schön."),), Expectation())
    engine.handle = scripted_handle
    run_until_asleep(loop, ears)
    grammars = loop.stats.grammars
    assert grammars[0] is None                       # free speech after waking
    assert grammars[1] is not None                   # the yes/no question: a grammar
    assert {"ja", "nein", "gern", "stopp", "hilfe"} <= set(grammars[1])
    assert grammars[2] is None                       # back to free speech after the answer
    assert loop.grammar_for(Expectation("scale", ("null", "zehn")))[:2] == ["null", "zehn"]
    assert loop.grammar_for(Expectation("free_text")) is None


def test_stop_word_interrupts_speech_with_echo_cancellation(data_dir: Path, speaker_factory) -> None:
    speaker, player = speaker_factory(speed=1.0)
    ears = ScriptedEars([(0.4, "partial", "stopp")])
    loop = make_loop(data_dir, ears, speaker, barge_in=True)
    long_text = " ".join(["Das ist ein langer Satz, den ich jetzt in aller Ruhe vorlese."] * 6)
    started = time.monotonic()
    job = loop.speak(long_text)
    took = time.monotonic() - started
    assert job.stopped and job.done.is_set()
    assert player.stops >= 1 and not player.playing
    assert loop.stats.interruptions and loop.stats.interruptions[0] < 0.3
    assert took < 2.0                                # the full text would take about 20 s
    assert ears.grammars[-1] == ["stopp", "halt", "ruhe"]


def test_without_echo_cancellation_the_mic_is_ignored_while_speaking(data_dir: Path, speaker_factory) -> None:
    speaker, player = speaker_factory(speed=4.0)
    ears = ScriptedEars([(0.1, "partial", "stopp")])
    loop = make_loop(data_dir, ears, speaker, barge_in=False, holdoff_s=0.3)
    def listen_while_speaking() -> None:     # what a microphone thread would do meanwhile
        while not ears.muted:
            time.sleep(0.005)
        ears._since = time.monotonic()        # "stopp" comes 0.1 s into our speech
        for _ in range(20):
            ears.hear(0.05)
    ears_thread_hear = threading.Thread(target=listen_while_speaking, daemon=True)
    ears_thread_hear.start()
    job = loop.speak("Ich spreche jetzt einen Satz. Und noch einen zweiten dazu.")
    ears_thread_hear.join()
    assert not job.stopped and player.stops == 0
    assert ears.dropped == ["stopp"]                 # heard while muted: thrown away
    assert ears.unmutes == [0.3]                     # then listening again after the hold-off


def test_due_reminders_are_spoken_while_asleep(data_dir: Path, speaker_factory) -> None:
    speaker, _ = speaker_factory()
    ears = ScriptedEars([])
    loop = make_loop(data_dir, ears, speaker)
    due = [Reply("reminders.due", "Du wolltest Anna anrufen.")]
    loop.due_reminders = lambda: [due.pop()] if due else []
    thread = threading.Thread(target=loop.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 5
    while not loop.stats.spoken and time.monotonic() < deadline:
        time.sleep(0.02)
    time.sleep(0.3)                                  # time to (wrongly) say it twice
    loop.stopping.set()
    thread.join(timeout=5)
    assert list(loop.stats.spoken) == ["Du wolltest Anna anrufen."]


def test_push_to_talk_wakes_on_enter_and_ends_with_input(data_dir: Path, speaker_factory) -> None:
    speaker, _ = speaker_factory()
    read_end, write_end = os.pipe()
    push = PushToTalk(io.open(read_end, "rb", buffering=0))
    ears = ScriptedEars([])
    app = build_app(None, str(data_dir), None)
    loop = VoiceLoop(app.engine(seed=2), ears, speaker, COMMANDS,
                     LoopOptions(activation="push_to_talk", listen_timeout_s=0.3, poll_s=0.05), push)
    thread = threading.Thread(target=loop.run, daemon=True)
    thread.start()
    time.sleep(0.3)
    assert not loop.stats.spoken                     # nothing before Enter
    os.write(write_end, b"\n")
    deadline = time.monotonic() + 10
    while len(loop.stats.spoken) < 3 and time.monotonic() < deadline:
        time.sleep(0.05)
    os.close(write_end)                              # end of input ends the loop
    thread.join(timeout=10)
    assert not thread.is_alive()
    assert len(loop.stats.spoken) == 3               # welcome, re-prompt, back to sleep
    assert "Eingabetaste" in loop.stats.spoken[2]
    assert ears.grammars and all(g is None for g in ears.grammars)  # no wake grammar in this mode


class VoiceSpy:
    """The real speaker, with its voice changes recorded."""

    def __init__(self, speaker: Speaker) -> None:
        self.speaker = speaker
        self.voices: list[tuple[int, float]] = []

    def set_voice(self, rate: int, volume: float) -> None:
        self.voices.append((rate, volume))
        self.speaker.set_voice(rate, volume)

    def __getattr__(self, name: str):
        return getattr(self.speaker, name)


def test_voice_commands_change_the_spoken_rate_and_volume(data_dir: Path, speaker_factory) -> None:
    speaker, _ = speaker_factory()
    spy = VoiceSpy(speaker)
    ears = ScriptedEars([(0.0, "final", "hallo begleiter"), (0.05, "final", "langsamer bitte"),
                         (0.05, "final", "lauter")])
    app = build_app(None, str(data_dir), None)
    loop = VoiceLoop(app.engine(seed=4), ears, spy, COMMANDS,
                     LoopOptions(listen_timeout_s=0.15, poll_s=0.05, holdoff_s=0.05))
    run_until_asleep(loop, ears)
    speech = app.settings.speech
    # start-up applies the configured voice; each command then changes one of the two
    assert spy.voices[0] == (speech.rate, speech.volume)
    assert spy.voices[1][0] < speech.rate and spy.voices[1][1] == speech.volume
    assert spy.voices[2][0] == spy.voices[1][0] and spy.voices[2][1] > speech.volume


def test_stop_phrases_are_recognised_only_as_short_commands() -> None:
    assert COMMANDS.is_stop("Stopp!") and COMMANDS.is_stop("ruhe bitte jetzt")
    assert not COMMANDS.is_stop("ich will nicht halt sagen, sondern weiterreden")
    assert not COMMANDS.is_stop("weiter")


def test_enter_stops_speech_in_push_to_talk_mode(data_dir: Path, speaker_factory) -> None:
    speaker, player = speaker_factory(speed=1.0)
    read_end, write_end = os.pipe()
    push = PushToTalk(io.open(read_end, "rb", buffering=0))
    app = build_app(None, str(data_dir), None)
    loop = VoiceLoop(app.engine(seed=5), ScriptedEars([]), speaker, COMMANDS,
                     LoopOptions(activation="push_to_talk", holdoff_s=0.0), push)
    threading.Timer(0.3, lambda: os.write(write_end, b"\n")).start()
    started = time.monotonic()
    job = loop.speak(" ".join(["Ein ziemlich langer Satz, der eine Weile dauert."] * 5))
    assert job.stopped and player.stops == 1
    assert time.monotonic() - started < 1.5          # the whole text would take over 10 s
    os.close(write_end)
    push.close()

