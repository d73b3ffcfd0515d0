"""Every feature can be asked for by voice: what `help` names works when said, the WHO-5 and
"was ist Depression" included."""

from __future__ import annotations

import random
from datetime import datetime
from pathlib import Path

import pytest

from assistant.clock import SimulatedClock
from assistant.dialog.engine import Engine
from assistant.store import open_store
from tests.helpers_dialog import ZONE, prompts, understander


@pytest.fixture
def engine(tmp_path: Path) -> Engine:
    with open_store(tmp_path / "data") as store:
        store.settings.update(address="du", country="DE", onboarding_done=True)
        engine = Engine(prompts(), understander(), SimulatedClock(datetime(2026, 11, 27, 10), ZONE), store,
                        rng=random.Random(3))
        engine.start()
        yield engine


@pytest.mark.parametrize(("said", "first_key"), [
    ("check-in", "checkin.intro"), ("kleiner schritt", "steps.*"), ("übung", "exercises.*"),
    ("erinnerung", "reminders.ask_what"), ("rückblick", "review.intro"), ("fragebogen", "who5.intro"),
    ("den fragebogen bitte", "who5.intro"), ("wie geht es mir insgesamt", "who5.intro"), ("who fünf", "who5.intro"),
    ("was ist depression", "learn.depression.text"), ("was ist eigentlich eine depression", "learn.depression.text"),
    ("wo gibt es hilfe", "support*"),
])
def test_what_help_names_works_when_said(engine: Engine, said: str, first_key: str) -> None:
    import fnmatch
    keys = [reply.key for reply in engine.handle(said).replies]
    assert keys and fnmatch.fnmatchcase(keys[0], first_key), (said, keys)


def test_help_names_the_questionnaire_and_depression_in_two_sentences() -> None:
    import re
    for form in ("du", "sie"):
        for text in prompts()["dialog.help"].variants(form):
            assert len(re.findall(r"[.!?](?:\s|$)", text)) == 2, text
            assert "Fragebogen" in text and "Depression" in text


def test_the_questionnaire_is_not_read_inside_a_reminder(engine: Engine) -> None:
    keys = [reply.key for reply in engine.handle("erinnere mich morgen um neun an den fragebogen").replies]
    assert keys[0] == "reminders.confirm"


def test_depression_is_told_when_asked_not_in_the_round_of_topics(engine: Engine) -> None:
    told = []
    turn = engine.handle("erklär mir warum ich mich zurückziehe")
    for _ in range(8):
        told += [r.key for r in turn.replies if r.key.startswith("learn.") and r.key.endswith(".text")]
        turn = engine.handle("ja")
    assert told and "learn.depression.text" not in told


def test_a_listed_answer_is_the_answer_whatever_command_the_matcher_reads(engine: Engine) -> None:
    """The semantic layer reads a bare "meistens" in free text as "stop" (0.91); to a WHO-5 item
    it is the answer "most of the time", never the end of the questionnaire."""
    assert engine.understander.understand("meistens", "free_text").intent == "stop"  # the reason for the rule
    engine.handle("den fragebogen")
    assert [r.key for r in engine.handle("meistens").replies] == ["who5.items.item2"]
    assert [r.key for r in engine.handle("stopp").replies][0] == "dialog.stopped"  # a real stop still stops
