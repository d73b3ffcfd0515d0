"""The engine's rules that scripts alone do not pin down: safety in every state, stop
everywhere, low-confidence confirmation, repeat word for word, steps and variety."""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from assistant.clock import SimulatedClock
from assistant.dialog.engine import Engine
from assistant.dialog.flows import register
from assistant.dialog.flows.base import Flow, Outcome
from assistant.dialog.flows.steps import choose_step
from assistant.dialog.proactive import Announcement
from assistant.dialog.turn import Expectation
from assistant.dialog.variety import VariantPicker
from assistant.nlu.result import NluResult
from assistant.store import open_store
from tests.helpers_dialog import ZONE, prompts, squeeze, understander

START = datetime(2026, 11, 27, 9, 0)


@pytest.fixture
def store(tmp_path: Path):
    with open_store(tmp_path / "data") as opened:
        opened.settings.update(address="du", country="DE", onboarding_done=True)
        yield opened


def make_engine(store, understand=None, **kwargs) -> Engine:
    clock = SimulatedClock(START, ZONE)
    return Engine(prompts(), understand or understander(), clock, store, rng=random.Random(5), **kwargs)


def keys(turn) -> list[str]:
    return [reply.key for reply in turn.replies]


# Utterances that bring the engine into each state, from a fresh session (after start()).
STATES = {
    "idle": ["nein"],
    "checkin_offer": [],
    "checkin_mood": ["ja"],
    "checkin_contact": ["ja", "fünf", "fünf"],
    "step_offer": ["ja", "fünf", "fünf", "ja"],
    "exercise": ["nein", "ich möchte eine übung machen"],
    "learn": ["nein", "erklär mir warum ich mich zurückziehe"],
    "support": ["nein", "wo finde ich hilfe"],
    "feeling": ["mir geht es heute richtig mies"],
}


@pytest.mark.parametrize("state", STATES)
def test_acute_crisis_interrupts_every_state(state: str, store) -> None:
    engine = make_engine(store)
    engine.start()
    for line in STATES[state]:
        engine.handle(line)
    turn = engine.handle("ich will mich umbringen")
    assert "08001110111" in squeeze(turn.text) and "112" in squeeze(turn.text)
    assert store.safety_events.all()[-1].level == "acute"
    assert engine.flow is None or engine.flow.name not in ("checkin", "exercise", "step", "learn", "support")


@pytest.mark.parametrize("state", [s for s in STATES if s != "idle"])
def test_stop_ends_every_state_and_saves_nothing_half_done(state: str, store) -> None:
    engine = make_engine(store)
    engine.start()
    for line in STATES[state]:
        engine.handle(line)
    turn = engine.handle("stopp")
    assert keys(turn) == ["dialog.stopped"]
    assert turn.expect.kind == "none" and engine.flow is None
    complete_checkins = 1 if state == "step_offer" else 0
    assert len(store.checkins.all()) == complete_checkins
    assert keys(engine.handle("stopp")) == ["dialog.stopped_idle"]


class Unsure:
    """The real understander, but unsure about numbers (as with a noisy microphone)."""

    def __init__(self) -> None:
        self.inner = understander()

    def understand(self, text: str, expect: str = "none", now=None, question: str = "") -> NluResult:
        result = self.inner.understand(text, expect, now)
        if "value" in result.slots:
            return replace(result, confidence=0.4)
        return result


def test_unsure_numbers_are_confirmed_before_saving(store) -> None:
    engine = make_engine(store, Unsure())
    engine.start()
    engine.handle("ja")
    turn = engine.handle("vier")
    assert keys(turn) == ["checkin.confirm_value"] and "4" in turn.text
    assert turn.expect.kind == "yes_no"
    assert keys(engine.handle("nein")) == ["checkin.confirm_again", "checkin.ask_mood"]
    assert keys(engine.handle("fünf")) == ["checkin.confirm_value"]
    assert keys(engine.handle("ja")) == ["checkin.ask_energy"]
    engine.handle("zwei")
    engine.handle("ja")
    engine.handle("nein")
    assert [(c.mood, c.energy, c.contact) for c in store.checkins.all()] == [(5, 2, False)]


def test_repeat_gives_the_last_reply_word_for_word(store) -> None:
    engine = make_engine(store)
    engine.start()
    first = engine.handle("ja")
    again = engine.handle("wiederhole")
    assert again.text == first.text and keys(again) == keys(first)
    assert keys(engine.handle("sieben")) == ["checkin.ask_energy"]


def test_low_energy_gets_a_low_step_and_no_step_repeats_within_three_days(store) -> None:
    engine = make_engine(store)
    ctx = engine.ctx
    seen: list[tuple[datetime, str]] = []
    for day in range(12):
        step = choose_step(ctx, "low", set())
        assert step is not None and step.energy == "low"
        now = ctx.now()
        for when, key in seen:
            assert not (key == step.key and now - when < timedelta(days=3)), f"{key} again on day {day}"
        ctx.memory.offer_step(step.key, step.label, now)
        seen.append((now, step.key))
        ctx.clock.advance(timedelta(days=1))


def test_variants_do_not_repeat_within_three_days(store) -> None:
    clock = SimulatedClock(START, ZONE)
    picker = VariantPicker(make_engine(store).ctx.memory, random.Random(1))
    picks = []
    for _ in range(9):
        picks.append(picker.pick("checkin.ask_mood", 3, clock.now()))
        clock.advance(timedelta(days=1, minutes=-7))
    for first, second in zip(picks, picks[1:]):
        assert first != second
    for a, b, c in zip(picks, picks[1:], picks[2:]):
        assert len({a, b, c}) == 3


class Echo(Flow):
    name = "echo"

    def start(self, ctx, result):
        return Outcome((ctx.say("social.thanks"),), done=True)

    def handle(self, ctx, result):
        return Outcome((), done=True)


def test_flows_and_proactive_sources_plug_in(store) -> None:
    registry_engine = make_engine(store, proactive=[
        lambda ctx, active: Announcement((ctx.say("social.greeting"),))])
    register(registry_engine.registry, "progress", lambda ctx, result: Echo())
    start = registry_engine.start()
    assert keys(start)[0] == "social.greeting"
    registry_engine.handle("nein")
    turn = registry_engine.handle("wie war meine woche")
    assert keys(turn) == ["social.greeting", "social.thanks"]


def test_goodbye_in_an_exercise_keeps_the_place(store) -> None:
    engine = make_engine(store)
    engine.start()
    engine.handle("nein")
    first = engine.handle("ich möchte eine übung machen")
    question = first.replies[-1].key
    turn = engine.handle("tschüss")
    assert turn.finished and keys(turn) == ["social.goodbye"]
    engine.ctx.clock.advance(timedelta(hours=20))
    again = make_engine(store)
    again.ctx.clock.advance(timedelta(hours=20))
    assert keys(again.start())[-1] == "exercise_dialog.offer_resume"
    assert keys(again.handle("ja"))[-1] == question


@pytest.mark.parametrize("interruption", ["hilfe", "langsamer", "das blaue fahrrad"])
def test_a_question_asked_again_keeps_its_wording(interruption: str, store) -> None:
    """After help, a voice change or an unclear answer the same question comes back word for word."""
    engine = make_engine(store)
    engine.start()
    engine.handle("ja")
    engine.handle("fünf")
    engine.handle("fünf")
    offer = engine.handle("ja").replies[-1]
    assert offer.key.startswith("steps.")
    again = engine.handle(interruption).replies[-1]
    assert (again.key, again.text) == (offer.key, offer.text)


def test_exercise_question_after_help_is_the_same_question(store) -> None:
    engine = make_engine(store)
    engine.start()
    engine.handle("nein")
    question = engine.handle("ich möchte das gedankentagebuch machen").replies[-1]
    for _ in range(3):
        again = engine.handle("hilfe").replies[-1]
        assert (again.key, again.text) == (question.key, question.text)


class UnsureIntent:
    """The real understander, but unsure about which action was meant."""

    def __init__(self) -> None:
        self.inner = understander()

    def understand(self, text: str, expect: str = "none", now=None, question: str = "") -> NluResult:
        result = self.inner.understand(text, expect, now)
        if result.intent == "exercise":
            return replace(result, confidence=0.45)
        return result


def test_an_unsure_request_is_confirmed_not_pretended(store) -> None:
    engine = make_engine(store, UnsureIntent())
    engine.start()
    engine.handle("nein")
    turn = engine.handle("übung")
    assert keys(turn) == ["dialog.confirm_intent"] and turn.expect.kind == "yes_no"
    assert "Übung" in turn.text
    assert keys(engine.handle("nein")) == ["dialog.clarify_again"]
    engine.handle("übung")
    started = engine.handle("ja")
    assert keys(started)[0].startswith("exercises.") and keys(started)[0].endswith(".intro")


def test_later_promises_a_resume_only_where_there_is_one(store) -> None:
    engine = make_engine(store)
    engine.start()
    engine.handle("ja")
    assert keys(engine.handle("später")) == ["dialog.later"]
    assert store.settings.get().paused_exercise is None
    engine.handle("ich möchte eine übung machen")
    assert keys(engine.handle("später")) == ["dialog.later_resume"]
    assert store.settings.get().paused_exercise["question"] == 0


class Broken(Flow):
    name = "broken"

    def start(self, ctx, result):
        return Outcome((ctx.say("social.thanks"),), Expectation("yes_no"))

    def handle(self, ctx, result):
        raise RuntimeError("a bug in a flow")


def test_a_bug_in_a_flow_does_not_end_the_conversation(store, caplog) -> None:
    engine = make_engine(store)
    register(engine.registry, "progress", lambda ctx, result: Broken())
    engine.start()
    engine.handle("nein")
    engine.handle("wie war meine woche")
    turn = engine.handle("ja")
    assert keys(turn) == ["dialog.sorry"] and engine.flow is None
    assert "a bug in a flow" in caplog.text
    assert keys(engine.handle("hallo")) == ["social.greeting"]


def test_the_crisis_lines_come_even_when_the_crisis_flow_breaks(store, monkeypatch) -> None:
    from assistant.dialog.flows import crisis

    monkeypatch.setattr(crisis, "acute_flow", lambda: BrokenStart())
    engine = make_engine(store)
    engine.start()
    turn = engine.handle("ich will mich umbringen")
    assert "08001110111" in squeeze(turn.text) and "112" in squeeze(turn.text)


class BrokenStart(Flow):
    name = "crisis"

    def start(self, ctx, result):
        raise RuntimeError("broken crisis flow")


@pytest.mark.parametrize("words", ["kaum", "ich bin total erschöpft", "nicht viel"])
def test_low_energy_in_words_counts_as_low(words: str, store) -> None:
    engine = make_engine(store)
    engine.start()
    engine.handle("ja")
    engine.handle("fünf")
    assert keys(engine.handle(words)) == ["checkin.ask_contact"]
    engine.handle("nein")
    assert store.checkins.all()[0].energy <= 3


def test_variants_rotate_even_within_one_second(store) -> None:
    """A prompt said again and again in one moment (e.g. "thanks" in an exercise) still rotates."""
    picker = VariantPicker(make_engine(store).ctx.memory, random.Random(2))
    moment = SimulatedClock(START, ZONE).now()
    picks = [picker.pick("exercise_dialog.thanks", 3, moment) for _ in range(9)]
    for index in range(0, 9, 3):
        assert sorted(picks[index:index + 3]) == [0, 1, 2], picks


def test_a_step_offer_lets_a_speech_grammar_hear_lieber_etwas_anderes(store) -> None:
    engine = make_engine(store)
    engine.start()
    engine.handle("nein")
    turn = engine.handle("schlag mir einen schritt vor")
    assert turn.expect.kind == "yes_no" and "lieber etwas anderes" in turn.expect.phrases
