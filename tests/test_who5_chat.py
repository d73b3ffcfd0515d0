"""WHO-5 in the check-in and the weekly look back, through the real ``chat`` command."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from assistant.store import open_store
from tests.conftest import run_cli

pytestmark = pytest.mark.slow

BERLIN = ZoneInfo("Europe/Berlin")
NOW = datetime(2026, 11, 26, 10, 0, tzinfo=BERLIN)
OFFER = re.compile(r"fünf (kurze )?Fragen")
"""Every variant of ``who5.offer`` says this."""
CHECKIN = ["ich möchte einen check-in machen", "fünf", "fünf", "nein"]


def prepare(tmp_path: Path, moods: list[int], first_days_ago: int = 10, steps_done: int = 0) -> tuple[Path, Path]:
    data = tmp_path / "data"
    with open_store(data) as store:
        store.settings.update(onboarding_done=True)
        store.checkins.add(NOW - timedelta(days=first_days_ago), mood=5, energy=5, contact=False)
        for index, mood in enumerate(moods):
            store.checkins.add(NOW - timedelta(days=len(moods) - index), mood=mood, energy=3, contact=index == 0)
        for _ in range(steps_done):
            step = store.steps.offer("steps.message_friend", "Anna schreiben", NOW - timedelta(days=2))
            store.steps.accept(step.id, NOW - timedelta(days=2))
            store.steps.mark_done(step.id, NOW - timedelta(days=1))
    config = tmp_path / "config.toml"
    config.write_text('[general]\ntimezone = "Europe/Berlin"\n', encoding="utf-8")
    return data, config


def chat(home: tuple[Path, Path], *lines: str, now: str = "2026-11-26T10:00") -> str:
    data, config = home
    proc = run_cli("chat", "--data-dir", str(data), "--config", str(config), "--now", now, "--seed", "3",
                   input="\n".join(lines) + "\n")
    assert proc.returncode == 0 and "Traceback" not in proc.stderr, proc.stderr
    return proc.stdout


def test_who5_in_the_checkin_low_score_suggests_a_doctor_and_is_stored(tmp_path: Path) -> None:
    home = prepare(tmp_path, [])
    # answers: ab und zu (1), 2, zu keinem zeitpunkt (0), weniger als die hälfte (2), 3 -> raw 8, 32 %
    out = chat(home, *CHECKIN, "ja", "ab und zu", "2", "zu keinem zeitpunkt", "weniger als die hälfte", "drei")
    assert "In den letzten zwei Wochen war ich froh und guter Laune." in out
    assert "8 von 25 Punkten" in out and "32 Prozent" in out
    assert "Arzt" in out or "Hausarzt" in out
    with open_store(home[0], read_only=True) as store:
        [result] = store.who5.all()
    assert (result.raw, result.percent, result.answers) == (8, 32, [1, 2, 0, 2, 3])


def test_who5_can_be_declined_and_is_not_offered_again_the_next_day(tmp_path: Path) -> None:
    home = prepare(tmp_path, [])
    out = chat(home, *CHECKIN, "nein")
    assert OFFER.search(out)
    again = chat(home, *CHECKIN, now="2026-11-27T10:00")
    assert not OFFER.search(again)
    with open_store(home[0], read_only=True) as store:
        assert store.who5.all() == []


def test_not_offered_in_the_first_week(tmp_path: Path) -> None:
    home = prepare(tmp_path, [], first_days_ago=2)
    assert not OFFER.search(chat(home, *CHECKIN))


def test_progress_tells_a_hard_week_honestly(tmp_path: Path) -> None:
    home = prepare(tmp_path, [4, 3, 2, 2, 1], steps_done=1)
    out = chat(home, "wie war meine woche")
    assert "fünf Check-ins" in out  # the older check-in lies outside the week
    assert "Stimmung" in out and ("nach unten" in out or "schwerer" in out)
    assert "Schritt" in out
    assert "schwer" in out  # the closing sentence names the hard week
