"""Reminder pieces in-process: time phrases, finding a reminder to cancel, the voice-loop hook,
and the texts of reminders, look back, WHO-5 and chart (keys used in code exist, short sentences)."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from assistant.app import build_app
from assistant.clock import SimulatedClock
from assistant.dialog.flows.due import asleep_reminders
from assistant.dialog.flows.reminder_cancel import by_content, position_in
from assistant.dialog.prompts import load_prompts
from assistant.dialog.timephrase import TimePhrases, capitalized
from assistant.nlu.result import NluResult
from assistant.resources import prompts_dir
from assistant.store import Reminder

ROOT = Path(__file__).resolve().parent.parent
BOOK = load_prompts(prompts_dir())
BERLIN = ZoneInfo("Europe/Berlin")
NOW = datetime(2026, 11, 26, 20, 0)  # a Thursday


@pytest.mark.parametrize(("wall", "repeat", "phrase"), [
    (datetime(2026, 11, 26, 21, 15), None, "heute um 21:15 Uhr"),
    (datetime(2026, 11, 27, 9, 0), None, "morgen, Freitag, um 9 Uhr"),
    (datetime(2026, 11, 30, 19, 30), None, "am Montag um 19:30 Uhr"),
    (datetime(2026, 12, 24, 18, 0), None, "am Donnerstag, 24. Dezember, um 18 Uhr"),
    (datetime(2026, 11, 27, 8, 0), "daily", "jeden Tag um 8 Uhr"),
    (datetime(2026, 11, 27, 7, 0), "weekdays", "werktags um 7 Uhr"),
    (datetime(2026, 11, 29, 10, 0), "weekly", "jeden Sonntag um 10 Uhr"),
])
def test_when_phrases(wall: datetime, repeat: str | None, phrase: str) -> None:
    text = TimePhrases(BOOK).when(wall, NOW, repeat)
    assert text == phrase
    assert not re.search(r"\d Uhr \d", text)  # shown as written: "19:30 Uhr", never "19 Uhr 30"


@pytest.mark.parametrize(("moment", "phrase"), [
    (datetime(2026, 11, 26, 9, 0), "heute Morgen"),
    (datetime(2026, 11, 25, 20, 0), "gestern Abend"),
    (datetime(2026, 11, 25, 15, 0), "gestern Nachmittag"),
    (datetime(2026, 11, 23, 9, 0), "am Montag"),
])
def test_past_phrases(moment: datetime, phrase: str) -> None:
    assert TimePhrases(BOOK).past(moment, NOW) == phrase
    assert capitalized(phrase)[0].isupper()


def reminder(what: str) -> Reminder:
    return Reminder(what=what, when=datetime(2026, 11, 27, 9, tzinfo=BERLIN))


@pytest.mark.parametrize(("query", "expected"), [
    ("mit anna", "Spaziergang mit Anna"), ("die mit der anna", "Spaziergang mit Anna"),
    ("tabletten", "Tabletten nehmen"), ("den arzt", "Arzt anrufen"), ("zahnarzt", None),
    ("", None),
])
def test_cancel_by_content(query: str, expected: str | None) -> None:
    found = by_content([reminder("Spaziergang mit Anna"), reminder("Arzt anrufen"),
                        reminder("Tabletten nehmen")], query)
    assert (found.what if found else None) == expected


@pytest.mark.parametrize(("slots", "text", "position"), [
    ({"position": 2}, "lösche die zweite", 2), ({}, "die zweite", 2), ({}, "nummer drei", 3),
    ({}, "die letzte", 3), ({"position": -1}, "die letzte", 3), ({}, "die fünfte", None),
    ({}, "die mit anna", None),
])
def test_cancel_by_position(slots: dict, text: str, position: int | None) -> None:
    assert position_in(NluResult(text, "answer", 0.9, slots), 3) == position


def test_voice_loop_hook_speaks_due_ones_and_keeps_missed_ones_for_the_conversation(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text('[general]\ntimezone = "Europe/Berlin"\n', encoding="utf-8")
    app = build_app(str(config), str(tmp_path / "data"), "2026-11-27T09:00")
    try:
        app.store.settings.update(onboarding_done=True)
        app.store.reminders.add("Spaziergang", datetime(2026, 11, 27, 9, 0, tzinfo=BERLIN))
        app.store.reminders.add("Zeitung", datetime(2026, 11, 27, 6, 0, tzinfo=BERLIN))
        engine = app.engine(seed=1)
        replies = asleep_reminders(engine)
        assert [r.key for r in replies] == ["reminders.due"] and "Spaziergang" in replies[0].text
        assert asleep_reminders(engine) == ()  # not twice
        assert {r.what: r.state for r in app.store.reminders.all()}["Zeitung"] == "active"
        turn = engine.handle("erledigt")  # a conversation: now the missed one is mentioned, once
        assert [r.key for r in turn.replies] == ["reminders.missed", "reminders.done"]
        assert "Zeitung" in turn.replies[0].text and turn.replies[0].text.startswith("Heute Morgen")
        assert {r.what: r.state for r in app.store.reminders.all()} == {"Spaziergang": "done", "Zeitung": "done"}
        assert isinstance(app.clock, SimulatedClock)
        app.clock.advance(timedelta(minutes=1))
        assert not any(r.key.startswith("reminders.") for r in engine.handle("hallo").replies)
    finally:
        app.store.close()


MY_FILES = ("reminders", "review", "who5", "chart")
CODE = ("assistant/dialog/flows/due.py", "assistant/dialog/flows/reminders.py",
        "assistant/dialog/flows/reminder_cancel.py", "assistant/dialog/flows/who5.py",
        "assistant/dialog/flows/review.py", "assistant/dialog/review.py", "assistant/dialog/who5.py",
        "assistant/dialog/timephrase.py")


def test_every_literal_prompt_key_in_the_code_exists() -> None:
    pattern = re.compile(r'"((?:reminders|review|who5|chart)\.[a-z_.0-9]+)"')
    found = {key for path in CODE for key in pattern.findall((ROOT / path).read_text(encoding="utf-8"))}
    chart = (ROOT / "assistant/commands/chart.py").read_text(encoding="utf-8")
    found |= {f"chart.{key}" for key in re.findall(r'_text\(book, "([a-z_.0-9]+)"', chart)}
    assert len(found) > 30
    missing = [key for key in found if key not in BOOK and not BOOK.under(key)]
    assert missing == []


def test_spoken_texts_are_short_and_ask_at_most_one_question() -> None:
    for prompt in (p for name in MY_FILES for p in BOOK.under(name)):
        for text in (*prompt.du, *prompt.sie):
            assert text.count("?") <= 1, (prompt.key, text)
            for sentence in re.split(r"(?<=[.!?])\s+", text):
                assert len(sentence.split()) <= 20, (prompt.key, sentence)


def test_an_utterance_said_before_the_reminder_is_never_taken_as_its_answer(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text('[general]\ntimezone = "Europe/Berlin"\n', encoding="utf-8")
    app = build_app(str(config), str(tmp_path / "data"), "2026-11-27T08:58")
    try:
        app.store.settings.update(onboarding_done=True)
        app.store.reminders.add("Spaziergang", datetime(2026, 11, 27, 9, 0, tzinfo=BERLIN), "daily")
        engine = app.engine(seed=2)
        assert not any(r.key.startswith("reminders.") for r in engine.start().replies)
        engine.handle("nein")  # declines the check-in offer
        app.clock.advance(timedelta(minutes=3))
        turn = engine.handle("nein")  # meant for nothing in particular, said as the reminder falls due
        assert turn.replies[0].key == "reminders.due"
        [waiting] = app.store.reminders.active()
        assert (waiting.when.day, waiting.times_spoken) == (27, 1)  # not skipped by that "nein"
        answer = engine.handle("nicht heute")
        assert [r.key for r in answer.replies] == ["reminders.skipped"]
        assert "morgen, Samstag, um 9 Uhr" in answer.replies[0].text
        [moved] = app.store.reminders.active()
        assert (moved.when.day, moved.times_spoken) == (28, 0)
    finally:
        app.store.close()
