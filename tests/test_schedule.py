"""Reminder timing: occurrences, DST in Europe/Berlin, quiet hours, missed, snooze, skip."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from assistant.dialog import schedule as s
from assistant.errors import BegleiterError

BERLIN = ZoneInfo("Europe/Berlin")
UTC = ZoneInfo("UTC")
QUIET = s.QuietHours()


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=BERLIN)


def timing(anchor: str, repeat: str | None = None) -> s.Timing:
    return s.Timing.create(datetime.fromisoformat(anchor), "Europe/Berlin", repeat, QUIET)


def test_one_off_occurs_once() -> None:
    anchor = datetime(2026, 11, 27, 9, 0)
    assert s.next_occurrence(anchor, BERLIN, None, at("2026-11-26T20:00")) == at("2026-11-27T09:00")
    assert s.next_occurrence(anchor, BERLIN, None, at("2026-11-27T09:00")) is None


def test_weekdays_skip_the_weekend() -> None:
    anchor = datetime(2026, 11, 27, 7, 0)  # a Friday
    following = s.next_occurrence(anchor, BERLIN, "weekdays", at("2026-11-27T07:00"))
    assert following == at("2026-11-30T07:00")  # Monday


def test_weekly_keeps_the_weekday() -> None:
    anchor = datetime(2026, 11, 27, 18, 0)
    following = s.next_occurrence(anchor, BERLIN, "weekly", at("2026-11-28T10:00"))
    assert following == at("2026-12-04T18:00")


def test_unknown_repeat_is_a_german_error() -> None:
    with pytest.raises(BegleiterError):
        s.next_occurrence(datetime(2026, 1, 1, 8), BERLIN, "monthly", at("2026-01-01T00:00"))


def test_daily_stays_at_wall_time_across_spring_forward() -> None:
    daily = timing("2027-03-27T09:00", "daily")
    saturday = s.occurrence(daily)
    sunday = s.occurrence(s.advance(daily, saturday))
    assert sunday == at("2027-03-28T09:00")
    assert sunday.utcoffset() == timedelta(hours=2)
    assert s.utc(sunday) - s.utc(saturday) == timedelta(hours=23)  # one real hour less, same wall time


def test_daily_stays_at_wall_time_across_fall_back() -> None:
    daily = timing("2027-10-30T09:00", "daily")
    saturday = s.occurrence(daily)
    sunday = s.occurrence(s.advance(daily, saturday))
    assert sunday.astimezone(BERLIN).hour == 9
    assert s.utc(sunday) - s.utc(saturday) == timedelta(hours=25)


def test_spring_forward_gap_moves_0230_to_0330_and_back_next_day() -> None:
    daily = timing("2027-03-27T02:30", "daily")
    gap_day = s.advance(daily, s.occurrence(daily))
    assert gap_day.pending == "2027-03-28T02:30"
    due = s.occurrence(gap_day)
    assert (due.hour, due.minute, due.utcoffset()) == (3, 30, timedelta(hours=2))
    monday = s.occurrence(s.advance(gap_day, due))
    assert (monday.day, monday.hour, monday.minute) == (29, 2, 30)


def test_fall_back_fold_speaks_the_first_0230_only() -> None:
    daily = timing("2027-10-31T02:30", "daily")
    due = s.occurrence(daily)
    assert due.utcoffset() == timedelta(hours=2)  # summer time, the first 02:30
    after_speaking = s.mark_spoken(s.mark_spoken(daily, due, timedelta(minutes=15)), due, timedelta())
    assert after_speaking.pending == "2027-11-01T02:30"
    second_0230 = datetime(2027, 10, 31, 1, 30, tzinfo=UTC)  # 02:30 CET
    assert s.check(after_speaking, second_0230, QUIET) == s.WAIT


def test_quiet_hours_span_midnight() -> None:
    assert QUIET.contains(at("2026-11-26T23:00"))
    assert QUIET.contains(at("2026-11-27T07:59"))
    assert not QUIET.contains(at("2026-11-27T08:00"))
    assert not QUIET.contains(at("2026-11-26T21:29"))
    assert QUIET.end_after(at("2026-11-26T22:00")) == at("2026-11-27T08:00")
    assert QUIET.end_after(at("2026-11-27T06:00")) == at("2026-11-27T08:00")


def test_snooze_into_quiet_hours_waits_until_morning() -> None:
    evening = timing("2026-11-26T21:20")
    assert not evening.urgent
    snoozed = s.snooze(evening, at("2026-11-26T21:20"), 15)
    assert s.check(snoozed, at("2026-11-26T21:40"), QUIET) == s.WAIT
    assert s.effective_due(snoozed, QUIET) == at("2026-11-27T08:00")
    assert s.check(snoozed, at("2026-11-27T08:00"), QUIET) == s.SPEAK


def test_reminder_set_on_purpose_in_quiet_hours_is_spoken() -> None:
    pills = timing("2026-11-26T22:30")
    assert pills.urgent
    assert s.check(pills, at("2026-11-26T22:30"), QUIET) == s.SPEAK


def test_missed_by_more_than_two_hours() -> None:
    walk = timing("2026-11-27T09:00")
    assert s.check(walk, at("2026-11-27T08:59"), QUIET) == s.WAIT
    assert s.check(walk, at("2026-11-27T11:00"), QUIET) == s.SPEAK
    assert s.check(walk, at("2026-11-27T11:01"), QUIET) == s.MISSED


def test_never_spoken_more_than_twice() -> None:
    walk = timing("2026-11-27T09:00", "daily")
    once = s.mark_spoken(walk, at("2026-11-27T09:00"), timedelta(minutes=15))
    assert s.can_snooze(walk) and not s.can_snooze(once)
    assert s.check(once, at("2026-11-27T09:10"), QUIET) == s.WAIT
    assert s.check(once, at("2026-11-27T09:15"), QUIET) == s.SPEAK
    twice = s.mark_spoken(once, at("2026-11-27T09:15"), timedelta(minutes=15))
    assert twice.pending == "2026-11-28T09:00" and twice.spoken == 0
    assert s.check(twice, at("2026-11-27T09:45"), QUIET) == s.WAIT


def test_one_off_finishes_after_two_speakings() -> None:
    walk = timing("2026-11-27T09:00")
    done = s.mark_spoken(s.mark_spoken(walk, at("2026-11-27T09:00"), timedelta(minutes=15)),
                         at("2026-11-27T09:15"), timedelta(minutes=15))
    assert done.finished


def test_not_today_moves_to_the_next_day() -> None:
    weekdays = timing("2026-11-27T07:00", "weekdays")  # Friday
    assert s.skip_today(weekdays, at("2026-11-27T07:00")).pending == "2026-11-30T07:00"
    once = timing("2026-11-27T07:00")
    moved = s.skip_today(once, at("2026-11-27T07:05"))
    assert moved.pending == "2026-11-28T07:00" and not moved.finished


def test_timing_round_trips_through_a_dict() -> None:
    snoozed = s.snooze(timing("2026-11-27T09:00", "weekly"), at("2026-11-27T09:00"), 15)
    assert s.Timing.from_dict(snoozed.to_dict()) == snoozed


def test_snooze_across_spring_forward_counts_real_minutes() -> None:
    late = timing("2027-03-28T01:50")
    snoozed = s.snooze(late, s.occurrence(late), 15)
    assert datetime.fromisoformat(snoozed.snoozed_until) == at("2027-03-28T03:05")


def test_bad_quiet_hours_text_is_a_german_error() -> None:
    with pytest.raises(BegleiterError, match="Uhrzeit"):
        s.QuietHours.from_text("halb zehn", "08:00")
