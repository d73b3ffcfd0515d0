"""Reminder scenarios through the real ``chat`` command (real processes, real store files, --now)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from assistant.store import open_store
from tests.conftest import run_cli

pytestmark = pytest.mark.slow

CONFIG = """
[general]
timezone = "Europe/Berlin"

[reminders]
snooze_minutes = 10
"""


@pytest.fixture
def home(tmp_path: Path) -> tuple[Path, Path]:
    """A data dir past onboarding and a config file (Berlin time, 10 minutes snooze)."""
    data = tmp_path / "data"
    with open_store(data) as store:
        store.settings.update(onboarding_done=True)
    config = tmp_path / "config.toml"
    config.write_text(CONFIG, encoding="utf-8")
    return data, config


def chat(home: tuple[Path, Path], now: str, *lines: str) -> str:
    data, config = home
    proc = run_cli("chat", "--data-dir", str(data), "--config", str(config), "--now", now, "--seed", "1",
                   input="\n".join(lines) + "\n")
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr
    return proc.stdout


def reminders(home: tuple[Path, Path]) -> list:
    with open_store(home[0], read_only=True) as store:
        return store.reminders.all()


def test_set_confirm_and_a_second_process_sees_it(home) -> None:
    out = chat(home, "2026-11-26T20:00", "erinnere mich morgen um neun an den spaziergang mit anna", "ja")
    assert "Morgen, Freitag, um 9 Uhr erinnere ich dich an den Spaziergang mit Anna." in out
    [saved] = reminders(home)
    assert saved.when.strftime("%Y-%m-%dT%H:%M") == "2026-11-27T09:00" and saved.state == "active"
    listing = chat(home, "2026-11-26T20:05", "welche erinnerungen habe ich")
    assert "Nummer 1: morgen, Freitag, um 9 Uhr, Spaziergang mit Anna." in listing


def test_no_stores_nothing_until_corrected(home) -> None:
    out = chat(home, "2026-11-26T20:00", "erinnere mich morgen um neun an den spaziergang mit anna",
               "nein", "um zehn")
    assert "Morgen, Freitag, um 10 Uhr" in out
    assert reminders(home) == []  # not yet confirmed
    chat(home, "2026-11-26T20:01", "erinnere mich morgen um neun an den spaziergang mit anna",
         "nein", "um zehn", "ja")
    assert [r.when.hour for r in reminders(home)] == [10]


def test_due_at_start_then_done_moves_a_daily_reminder_to_tomorrow(home) -> None:
    chat(home, "2026-11-26T20:00", "erinnere mich jeden morgen um acht an meine tabletten", "ja")
    assert "tabletten" not in chat(home, "2026-11-27T07:59", "hallo")
    out = chat(home, "2026-11-27T08:00", "erledigt")
    first_line = out.splitlines()[0]
    assert "Du wolltest" in first_line and "an deine Tabletten denken" in first_line
    assert "später oder nicht heute" in first_line
    [daily] = reminders(home)
    assert daily.when.strftime("%Y-%m-%dT%H:%M") == "2026-11-28T08:00" and daily.times_spoken == 0


def test_snooze_comes_back_once_and_never_a_third_time(home) -> None:
    chat(home, "2026-11-26T20:00", "erinnere mich morgen um neun an den spaziergang mit anna", "ja")
    out = chat(home, "2026-11-27T09:00", "später")
    assert "in 10 minuten" in out.lower()
    assert "Spaziergang" not in chat(home, "2026-11-27T09:05", "hallo")
    again = chat(home, "2026-11-27T09:10", "später")
    assert "an den Spaziergang mit Anna denken" in again.splitlines()[0]
    assert "nicht noch einmal" in again
    assert "Spaziergang" not in chat(home, "2026-11-27T09:25", "hallo")
    assert reminders(home)[0].state == "done"


def test_quiet_hours_hold_a_snoozed_reminder_until_morning(home) -> None:
    chat(home, "2026-11-26T20:00", "erinnere mich heute um einundzwanzig uhr fünfundzwanzig an den tee", "ja")
    out = chat(home, "2026-11-26T21:25", "später")  # back at 21:35: inside quiet hours
    assert "Tee" in out
    assert "Tee" not in chat(home, "2026-11-26T21:40", "hallo")
    assert "Tee" not in chat(home, "2026-11-27T07:50", "hallo")
    morning = chat(home, "2026-11-27T08:00", "erledigt")
    assert "Tee" in morning.splitlines()[0]
    assert reminders(home)[0].state == "done"


def test_missed_reminder_is_mentioned_once_not_spoken(home) -> None:
    chat(home, "2026-11-26T20:00", "erinnere mich morgen um neun an den spaziergang mit anna", "ja")
    out = chat(home, "2026-11-27T12:00", "hallo")
    line = next(l for l in out.splitlines() if "Spaziergang" in l)
    assert line.startswith("Heute Morgen") and "später oder nicht heute" not in line
    assert "Spaziergang" not in chat(home, "2026-11-27T12:05", "hallo")
    assert reminders(home)[0].state == "done"


def test_daily_reminder_keeps_nine_oclock_across_the_spring_dst_change(home) -> None:
    chat(home, "2027-03-27T07:00", "erinnere mich jeden tag um neun an die blumen", "ja")
    chat(home, "2027-03-27T09:00", "erledigt")
    assert "Blumen" not in chat(home, "2027-03-28T08:58", "hallo")
    assert "Blumen" in chat(home, "2027-03-28T09:00", "erledigt").splitlines()[0]
    assert reminders(home)[0].when.strftime("%Y-%m-%dT%H:%M") == "2027-03-29T09:00"


def test_daily_reminder_keeps_nine_oclock_across_the_autumn_dst_change(home) -> None:
    chat(home, "2027-10-30T07:00", "erinnere mich jeden tag um neun an die blumen", "ja")
    chat(home, "2027-10-30T09:00", "erledigt")
    assert "Blumen" not in chat(home, "2027-10-31T08:58", "hallo")
    assert "Blumen" in chat(home, "2027-10-31T09:00", "erledigt").splitlines()[0]


def test_not_today_skips_to_the_next_weekday(home) -> None:
    chat(home, "2026-11-26T20:00", "erinnere mich werktags um sieben an die zeitung", "ja")
    out = chat(home, "2026-11-27T07:00", "nicht heute")  # a Friday
    assert "am Montag um 7 Uhr" in out
    assert reminders(home)[0].when.strftime("%Y-%m-%dT%H:%M") == "2026-11-30T07:00"


def test_cancel_by_position_and_by_content(home) -> None:
    chat(home, "2026-11-26T18:00", "erinnere mich morgen um neun an den spaziergang mit anna", "ja",
         "erinnere mich morgen um zehn an den arzt", "ja",
         "erinnere mich morgen um elf an die tabletten", "ja")
    out = chat(home, "2026-11-26T18:05", "lösche die zweite erinnerung", "ja")
    assert "Arzt" in out and "gelöscht" in out.lower()
    out = chat(home, "2026-11-26T18:06", "lösche die erinnerung mit anna", "nein")
    assert "Spaziergang mit Anna" in out
    assert sorted(r.what for r in reminders(home) if r.state == "active") == ["Spaziergang mit Anna", "Tabletten"]
    chat(home, "2026-11-26T18:07", "lösche die erinnerung mit anna", "ja")
    assert [r.what for r in reminders(home) if r.state == "active"] == ["Tabletten"]


def test_an_accepted_small_step_can_become_a_reminder(home) -> None:
    with open_store(home[0]) as store:
        now = datetime(2026, 11, 26, 19, 0, tzinfo=ZoneInfo("Europe/Berlin"))
        step = store.steps.offer("steps.message_friend", "Anna kurz schreiben", now)
        store.steps.accept(step.id, now)
    out = chat(home, "2026-11-26T20:00", "erinnere mich morgen um zehn", "ja", "ja")
    assert "Schritt: Anna kurz schreiben?" in out
    assert "Morgen, Freitag, um 10 Uhr" in out
    [saved] = reminders(home)
    assert saved.what == "Anna kurz schreiben" and saved.when.hour == 10
