"""Repository behaviour on real files: round trips, ids, validation, partitioning."""

from __future__ import annotations

import json
import os
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from assistant.store import (SafetyPlan, StoreError, StoreUsageError, StoreWriteError, open_store)
from tests.helpers_store import NOW, ZONE, fill_everything


def _reopen(data_dir: Path):
    return open_store(data_dir)


def test_every_repository_round_trips_through_the_files(data_dir: Path) -> None:
    with open_store(data_dir) as store:
        fill_everything(store)
    with _reopen(data_dir) as store:
        moods = [c.mood for c in store.checkins.all()]
        assert moods == [2, 7]  # oldest first
        assert store.checkins.all()[0].note == "Notiz-Alt-äöü"
        assert [s.state for s in store.steps.all()] == ["declined", "accepted"]
        assert {e.text for e in store.journal.all()} == {"Tagebuch-Gedanke „ß“, mit Komma",
                                                         "Tagebuch-Licht\nzweite Zeile"}
        assert [r.what for r in store.reminders.active()] == ["Erinnerung-Tabletten",
                                                               "Erinnerung-Gruppe"]
        settings = store.settings.get()
        assert (settings.address, settings.country, settings.speech_rate) == ("sie", "AT", 150)
        assert settings.paused_exercise == {"exercise": "Pause-Übung", "turn": 2}
        assert store.safety_plan.get().people_to_ask == ["Plan-Schwester"]
        assert [e.level for e in store.safety_events.all()] == ["concern"]
        result = store.who5.all()[0]
        assert (result.raw, result.percent, result.answers) == (15, 60, [1, 2, 3, 4, 5])
        assert store.prompt_history.used_since("checkin.ask_mood", NOW) == {3}


def test_times_come_back_as_the_same_instant(data_dir: Path) -> None:
    with open_store(data_dir) as store:
        added = store.checkins.add(NOW, mood=5)
    with _reopen(data_dir) as store:
        loaded = store.checkins.get(added.id)
    assert loaded.at == NOW and loaded.at.utcoffset() == timedelta(hours=1)


def test_naive_datetimes_are_refused(data_dir: Path) -> None:
    with open_store(data_dir) as store:
        with pytest.raises(StoreUsageError):
            store.checkins.add(datetime(2026, 11, 26, 9, 0), mood=5)
        with pytest.raises(StoreUsageError):
            store.reminders.add("x", datetime(2026, 11, 26, 9, 0, tzinfo=timezone.utc)
                                .replace(tzinfo=None))
        assert store.checkins.all() == []


@pytest.mark.parametrize("call", [
    lambda s: s.checkins.add(NOW, mood=11),
    lambda s: s.checkins.add(NOW, energy=-1),
    lambda s: s.checkins.add(NOW, mood=True),
    lambda s: s.safety_events.add("sad", NOW),
    lambda s: s.steps.add("k", "l", NOW, state="maybe"),
    lambda s: s.reminders.add("x", NOW, repeat="hourly"),
    lambda s: s.reminders.add("  ", NOW),
    lambda s: s.settings.update(address="ihr"),
    lambda s: s.settings.update(quiet_start="25:00"),
    lambda s: s.settings.update(colour="blue"),
    lambda s: s.who5.add(NOW, [1, 2, 3, 4]),
    lambda s: s.who5.add(NOW, [1, 2, 3, 4, 6]),
    lambda s: s.steps.mark_done("2026-11-99", NOW),
    lambda s: s.steps.mark_done("nonsense", NOW),
    lambda s: s.reminders.cancel("17"),
])
def test_bad_values_and_unknown_ids_raise_without_writing(data_dir: Path, call) -> None:
    with open_store(data_dir) as store:
        with pytest.raises(StoreUsageError):
            call(store)
    assert not (data_dir / "store" / "core.json").exists()
    assert not list((data_dir / "store").glob("history-*"))


def test_step_lifecycle_open_done_declined(data_dir: Path) -> None:
    with open_store(data_dir) as store:
        old = store.steps.offer("steps.call", "Mama anrufen", NOW - timedelta(days=45))
        store.steps.accept(old.id, NOW - timedelta(days=45), label="Mama kurz anrufen")
        new = store.steps.offer("steps.walk", "Spaziergang", NOW)
        declined = store.steps.offer("steps.coffee", "Kaffee", NOW)
        store.steps.decline(declined.id, NOW)
        assert [s.label for s in store.steps.open()] == ["Mama kurz anrufen"]
        store.steps.mark_done(new.id, NOW)  # done without an explicit accept
        done = store.steps.mark_done(old.id, NOW)
        assert done.state == "done" and done.done_at == NOW
    with _reopen(data_dir) as store:
        assert store.steps.open() == []
        assert store.steps.get(new.id).accepted_at == NOW
        since = NOW - timedelta(days=1)
        assert sorted(s.key for s in store.steps.offered_since(since)) == ["steps.coffee",
                                                                           "steps.walk"]


def test_history_is_filed_by_month_and_ids_find_their_file(data_dir: Path) -> None:
    with open_store(data_dir) as store:
        october = store.journal.add(NOW - timedelta(days=40), "e", "q", "Oktober")
        november = store.journal.add(NOW, "e", "q", "November")
        store.steps.offer("steps.x", "x", NOW)
    files = sorted(p.name for p in (data_dir / "store").glob("history-*.json"))
    assert files == ["history-2026-10.json", "history-2026-11.json"]
    assert october.id.startswith("2026-10-") and november.id.startswith("2026-11-")
    raw = json.loads((data_dir / "store" / "history-2026-10.json").read_text(encoding="utf-8"))
    assert [d["text"] for d in raw["journal"].values()] == ["Oktober"]
    with _reopen(data_dir) as store:
        assert store.journal.get(october.id).text == "Oktober"
        assert [e.text for e in store.journal.since(NOW - timedelta(days=1))] == ["November"]


def test_prompt_history_filters_by_key_and_time(data_dir: Path) -> None:
    with open_store(data_dir) as store:
        store.prompt_history.record("a.greet", 0, NOW - timedelta(days=5))
        store.prompt_history.record("a.greet", 1, NOW - timedelta(days=1))
        store.prompt_history.record("a.greet", 2, NOW)
        store.prompt_history.record("b.other", 3, NOW)
        assert store.prompt_history.used_since("a.greet", NOW - timedelta(days=3)) == {1, 2}
        assert store.prompt_history.used_since("c.none", NOW - timedelta(days=30)) == set()


def test_reminders_keep_wall_time_and_zone_across_daylight_saving(data_dir: Path) -> None:
    before_dst = datetime(2026, 3, 28, 9, 0, tzinfo=ZONE)
    with open_store(data_dir) as store:
        reminder = store.reminders.add("Tabletten", before_dst, repeat="daily")
        store.reminders.update(reminder.id, when=before_dst + timedelta(days=2), times_spoken=2)
        store.reminders.add("Einmal", NOW)
        cancelled = store.reminders.add("Weg", NOW)
        store.reminders.cancel(cancelled.id)
    raw = json.loads((data_dir / "store" / "core.json").read_text(encoding="utf-8"))
    doc = raw["reminders"][reminder.id]
    assert (doc["when"], doc["zone"]) == ("2026-03-30T09:00", "Europe/Berlin")
    with _reopen(data_dir) as store:
        loaded = store.reminders.get(reminder.id)
        assert (loaded.when.hour, loaded.when.utcoffset()) == (9, timedelta(hours=2))
        assert loaded.times_spoken == 2
        assert [r.what for r in store.reminders.active()] == ["Tabletten", "Einmal"]
        assert store.reminders.get(cancelled.id).state == "cancelled"


def test_settings_default_then_partial_updates(data_dir: Path) -> None:
    with open_store(data_dir) as store:
        assert store.settings.get().address is None
        store.settings.update(volume=0.5)
        store.settings.update(onboarding_done=True)
    with _reopen(data_dir) as store:
        settings = store.settings.get()
        assert (settings.volume, settings.onboarding_done, settings.address) == (0.5, True, None)


def test_safety_plan_save_replaces_and_validates(data_dir: Path) -> None:
    with open_store(data_dir) as store:
        store.safety_plan.save(SafetyPlan(warning_signs=["a"]), NOW)
        store.safety_plan.save(SafetyPlan(warning_signs=["b", "c"]), NOW + timedelta(hours=1))
        with pytest.raises(StoreUsageError):
            store.safety_plan.save(SafetyPlan(warning_signs="nicht als Liste"), NOW)  # type: ignore[arg-type]
    with _reopen(data_dir) as store:
        plan = store.safety_plan.get()
    assert plan.warning_signs == ["b", "c"] and plan.updated_at == NOW + timedelta(hours=1)


def test_safety_events_store_no_text(data_dir: Path) -> None:
    with open_store(data_dir) as store:
        event = store.safety_events.add("acute", NOW)
    raw = json.loads((data_dir / "store" / "history-2026-11.json").read_text(encoding="utf-8"))
    assert set(raw["safety_events"][event.id.rsplit("-", 1)[1]]) == {"at", "level"}


def test_a_failed_write_changes_neither_memory_nor_disk(data_dir: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    with open_store(data_dir) as store:
        store.journal.add(NOW, "e", "q", "bleibt")
        history = data_dir / "store" / "history-2026-11.json"
        before = history.read_bytes()

        def disk_full(*args: object) -> None:
            raise OSError(28, "No space left on device")

        monkeypatch.setattr(os, "replace", disk_full)
        with pytest.raises(StoreWriteError) as caught:
            store.journal.add(NOW, "e", "q", "geht verloren")
        monkeypatch.undo()
        assert "Speichern" in str(caught.value) and isinstance(caught.value, StoreError)
        assert [e.text for e in store.journal.all()] == ["bleibt"]
        assert history.read_bytes() == before
        assert not list((data_dir / "store").glob("*.tmp"))
        store.journal.add(NOW, "e", "q", "danach")
    with _reopen(data_dir) as store:
        assert [e.text for e in store.journal.all()] == ["bleibt", "danach"]


def test_many_months_stay_correct_when_old_months_leave_memory(data_dir: Path) -> None:
    from assistant.store.database import MAX_OPEN_MONTHS
    months = MAX_OPEN_MONTHS + 4
    with open_store(data_dir) as store:
        steps = [store.steps.offer("steps.x", f"Monat {m}", NOW - timedelta(days=31 * m))
                 for m in range(months)]
        assert len(store.steps.all()) == months
        oldest = steps[-1]
        store.steps.mark_done(oldest.id, NOW)  # its month was dropped from memory meanwhile
        assert store.steps.get(oldest.id).state == "done"
    with _reopen(data_dir) as store:
        loaded = store.steps.all()
        assert [s.label for s in loaded] == [f"Monat {m}" for m in reversed(range(months))]
        assert loaded[0].state == "done" and all(s.state == "offered" for s in loaded[1:])
    assert len(list((data_dir / "store").glob("history-*.json"))) == months


def test_since_finds_records_filed_under_another_zones_month(data_dir: Path) -> None:
    utc_evening = datetime(2026, 10, 31, 23, 50, tzinfo=timezone.utc)  # 1 November in Berlin
    with open_store(data_dir) as store:
        store.checkins.add(utc_evening, mood=4)  # filed under 2026-10 (its own zone)
        since = datetime(2026, 11, 1, 0, 15, tzinfo=ZONE)
        assert [c.mood for c in store.checkins.recent(since)] == [4]
        assert store.checkins.recent(since + timedelta(hours=1)) == []
