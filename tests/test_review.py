"""The 7-day look back: trend words and closing sentences from real data."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from assistant.dialog.prompts import load_prompts
from assistant.dialog.review import CheckinPoint, mood_trend, weekly_review
from assistant.resources import prompts_dir

TODAY = date(2026, 11, 26)


def week(moods: list[int | None], contact: list[bool] | None = None) -> list[CheckinPoint]:
    """One check-in per day ending today, oldest first."""
    start = TODAY - timedelta(days=len(moods) - 1)
    contact = contact or [False] * len(moods)
    return [CheckinPoint(start + timedelta(days=i), mood, 5, contact[i]) for i, mood in enumerate(moods)]


def keys(lines) -> list[str]:
    return [line.key for line in lines]


def render(lines, address: str = "du") -> str:
    book = load_prompts(prompts_dir())
    return " ".join(book.render(line.key, address, 0, line.data) for line in lines)


def test_empty_week_says_so_and_makes_nothing_up() -> None:
    lines = weekly_review([], steps_done=0, today=TODAY)
    assert keys(lines) == ["review.checkins.none", "review.steps.none", "review.encourage.empty"]
    text = render(lines)
    assert "Stimmung" not in text


def test_hard_week_is_named_honestly_and_kindly() -> None:
    lines = weekly_review(week([3, 2, 2, 1, 2]), steps_done=0, today=TODAY)
    assert keys(lines)[0] == "review.checkins.many" and lines[0].data == {"count": 5}
    assert "review.encourage.hard" in keys(lines)
    assert "schwere Woche" in render(lines)


def test_hard_week_with_a_step_done_acknowledges_the_step() -> None:
    lines = weekly_review(week([6, 5, 4, 3, 2]), steps_done=1, today=TODAY)
    assert "review.trend.falling" in keys(lines)
    assert keys(lines)[-2:] == ["review.steps.one", "review.encourage.hard_steps"]


def test_good_week_rising_with_contact_and_steps() -> None:
    lines = weekly_review(week([3, 4, 5, 6, 7, 8], [False, True, False, True, True, False]),
                          steps_done=3, today=TODAY)
    assert keys(lines) == ["review.checkins.many", "review.trend.rising", "review.contact.many",
                           "review.steps.many", "review.encourage.good"]
    assert lines[2].data == {"count": 3} and lines[3].data == {"count": 3}
    text = render(lines, "sie")
    assert "3 kleine Schritte" in text and "Ihre Stimmung" in text


def test_two_days_are_too_few_for_a_trend() -> None:
    lines = weekly_review(week([2, 9]), steps_done=0, today=TODAY)
    assert "review.trend.little_data" in keys(lines)
    assert keys(lines)[-1] == "review.encourage.little"


@pytest.mark.parametrize(("moods", "trend"), [
    ([5, 5, 6, 5, 5, 6, 5], "steady"),
    ([2, 8, 3, 8, 2, 7, 3], "up_and_down"),
    ([8, 7, 6, 5, 4], "falling"),
    ([4, 5, 5, 6, 6], "rising"),
])
def test_trend_words(moods: list[int], trend: str) -> None:
    assert mood_trend(week(moods)) == trend


def test_only_the_last_seven_days_count_and_skipped_moods_are_ignored() -> None:
    old = [CheckinPoint(TODAY - timedelta(days=7), 0)]
    recent = week([6, None, 6, 7])
    lines = weekly_review(old + recent, steps_done=0, today=TODAY)
    assert lines[0].data == {"count": 4}
    assert "review.trend.steady" in keys(lines)


def test_several_checkins_a_day_use_the_daily_mean() -> None:
    day = TODAY - timedelta(days=2)
    points = [CheckinPoint(day, 2), CheckinPoint(day, 8), *week([5, 5])]
    assert mood_trend(points) == "steady"


@pytest.mark.parametrize("moods, steps, closing", [
    ([1], 0, "review.encourage.little"),
    ([2, 1], 1, "review.encourage.steps"),
    ([9], 0, "review.encourage.little"),
])
def test_one_or_two_days_give_no_verdict_on_the_week(moods: list[int], steps: int, closing: str) -> None:
    """A single low (or high) check-in is no 'hard week' (or 'good week'): nothing made up."""
    lines = weekly_review(week(moods), steps_done=steps, today=TODAY)
    assert keys(lines)[-1] == closing
