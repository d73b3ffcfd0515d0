"""A simulated month: one check-in a day, the clock moving on; no variant and no step
repeats within three days."""

from __future__ import annotations

import random
from collections import defaultdict
from datetime import datetime, timedelta
from pathlib import Path

from assistant.clock import SimulatedClock
from assistant.dialog.engine import Engine
from assistant.dialog.turn import Turn
from assistant.store import open_store
from tests.helpers_dialog import ZONE, prompts, understander

DAYS = 30
NUMBERS = ["null", "eins", "zwei", "drei", "vier", "fünf", "sechs", "sieben", "acht", "neun", "zehn"]


def _answer(turn: Turn, day: int, rng: random.Random) -> str | None:
    """What the scripted person says to the last question (None: the day is over)."""
    last = turn.replies[-1].key
    if last in ("dialog.offer_checkin", "checkin.ask_contact"):
        return "ja" if last == "dialog.offer_checkin" or day % 3 else "nein"
    if last == "checkin.ask_open_step":
        return "ja" if day % 2 else "nein"
    if last in ("checkin.ask_mood", "checkin.ask_energy"):
        return NUMBERS[rng.randint(0, 10)]
    if last == "who5.offer":
        return "nein"
    if last.startswith("steps."):
        return "ja" if day % 2 == 0 else "nein"
    return None


def _run_month(data_dir: Path) -> dict[str, list[tuple[datetime, str]]]:
    rng = random.Random(11)
    heard: dict[str, list[tuple[datetime, str]]] = defaultdict(list)
    with open_store(data_dir) as store:
        store.settings.update(address="du", country="DE", onboarding_done=True)
        clock = SimulatedClock(datetime(2026, 3, 1, 8, 30), ZONE)
        for day in range(DAYS):
            clock.advance(timedelta(days=1, minutes=rng.randint(-90, 90)))
            engine = Engine(prompts(), understander(), clock, store, rng=random.Random(day))
            turn = engine.start()
            answers = 0
            for _ in range(12):
                for reply in turn.replies:
                    heard[reply.key].append((clock.now(), reply.text))
                line = _answer(turn, day, rng)
                if line is None:
                    break
                turn = engine.handle(line)
                answers += 1
            assert answers <= 7, f"day {day}: a check-in should take a few answers, took {answers}"
            assert turn.replies[-1].key in ("step_dialog.accepted", "step_dialog.declined"), \
                f"day {day} ended at {turn.replies[-1].key}"
        steps = [(step.offered_at, step.key) for step in store.steps.all()]
        assert len(store.checkins.all()) == DAYS
    heard["__steps__"] = steps
    return heard


def test_a_month_of_check_ins_never_repeats_within_three_days(tmp_path: Path) -> None:
    heard = _run_month(tmp_path / "data")
    steps = heard.pop("__steps__")
    assert len(steps) == DAYS
    for index, (at, key) in enumerate(steps):
        for later_at, later_key in steps[index + 1:]:
            if later_key == key:
                assert (later_at.date() - at.date()).days >= 3, f"step {key} again after {later_at - at}"
    checked = 0
    for key, uses in heard.items():
        if len(prompts()[key].du) < 3:
            continue
        checked += 1
        for index, (at, text) in enumerate(uses):
            for later_at, later_text in uses[index + 1:]:
                if later_text == text:
                    assert (later_at.date() - at.date()).days >= 3, f"{key}: „{text}“ again after {later_at - at}"
    assert checked >= 12, "the month should exercise the daily prompts"
