"""The 7-day look back (``progress``), computed from real data only.

The result is a list of prompt keys with their data (no German here); the
texts live in ``prompts_de/review.toml``. Rules:

- Check-ins of the last 7 local days (today included) are counted.
- The mood trend is a word, never a list of numbers, and needs mood values on
  at least :data:`MIN_TREND_DAYS` different days; with fewer, the review says
  honestly that there is too little to see a trend.
  Per day the mean mood is used; a least-squares line over the days gives the
  change across the week: at least +:data:`TREND_CHANGE` is ``rising``, at
  most -:data:`TREND_CHANGE` ``falling``; otherwise a mean day-to-day jump of
  at least :data:`SWING` is ``up_and_down``, else ``steady``.
- Contact is mentioned only when the person reported some.
- The closing sentence fits the data: ``empty`` (no check-in), ``little``
  (too few to judge), ``hard`` / ``hard_steps`` (low or falling mood, honest
  and kind), ``good`` (high or rising mood), ``steps`` (steps done), else
  ``steady``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from statistics import mean
from typing import Any, Iterable

WINDOW_DAYS = 7
MIN_TREND_DAYS = 3
TREND_CHANGE = 1.5
"""Fitted change of mood (0-10) across the week that counts as rising or falling."""
SWING = 2.5
"""Mean absolute day-to-day change of mood that counts as up and down."""
HARD_MEAN = 3.5
GOOD_MEAN = 6.5


@dataclass(frozen=True)
class CheckinPoint:
    """One check-in as the look back needs it."""

    day: date
    """Local date of the check-in."""
    mood: int | None = None
    """Mood 0-10, None when skipped."""
    energy: int | None = None
    """Energy 0-10, None when skipped."""
    contact: bool | None = None
    """Whether the person had contact with someone that day; None when unknown."""


@dataclass(frozen=True)
class ReviewLine:
    """One sentence of the look back: a prompt key and its placeholder values."""

    key: str
    data: dict[str, Any] = field(default_factory=dict)


def in_window(points: Iterable[CheckinPoint], today: date) -> list[CheckinPoint]:
    """The check-ins of the last :data:`WINDOW_DAYS` days up to ``today``, oldest first."""
    first = today - timedelta(days=WINDOW_DAYS - 1)
    return sorted((p for p in points if first <= p.day <= today), key=lambda p: p.day)


def daily_moods(points: list[CheckinPoint]) -> list[tuple[int, float]]:
    """(day number, mean mood) per day that has a mood, oldest first."""
    by_day: dict[date, list[int]] = {}
    for point in points:
        if point.mood is not None:
            by_day.setdefault(point.day, []).append(point.mood)
    if not by_day:
        return []
    start = min(by_day)
    return [((day - start).days, mean(values)) for day, values in sorted(by_day.items())]


def mood_trend(points: list[CheckinPoint]) -> str:
    """``little_data``, ``rising``, ``falling``, ``up_and_down`` or ``steady``."""
    series = daily_moods(points)
    if len(series) < MIN_TREND_DAYS:
        return "little_data"
    xs = [x for x, _ in series]
    ys = [y for _, y in series]
    x_mean, y_mean = mean(xs), mean(ys)
    spread = sum((x - x_mean) ** 2 for x in xs)
    slope = sum((x - x_mean) * (y - y_mean) for x, y in series) / spread
    change = slope * (xs[-1] - xs[0])
    if change >= TREND_CHANGE:
        return "rising"
    if change <= -TREND_CHANGE:
        return "falling"
    swing = mean(abs(b - a) for a, b in zip(ys, ys[1:]))
    return "up_and_down" if swing >= SWING else "steady"


def _counted(prefix: str, count: int) -> ReviewLine:
    if count == 0:
        return ReviewLine(f"{prefix}.none")
    if count == 1:
        return ReviewLine(f"{prefix}.one")
    return ReviewLine(f"{prefix}.many", {"count": count})


def encouragement(points: list[CheckinPoint], trend: str, steps_done: int) -> str:
    """The key of the closing sentence that fits the data."""
    if not points:
        return "review.encourage.empty"
    if trend == "little_data":  # one or two days say nothing about the week: no verdict
        return "review.encourage.steps" if steps_done else "review.encourage.little"
    moods = [p.mood for p in points if p.mood is not None]
    average = mean(moods) if moods else None
    hard = (average is not None and average <= HARD_MEAN) or trend == "falling"
    if hard:
        return "review.encourage.hard_steps" if steps_done else "review.encourage.hard"
    if trend == "rising" or (average is not None and average >= GOOD_MEAN):
        return "review.encourage.good"
    if steps_done:
        return "review.encourage.steps"
    return "review.encourage.steady"


def weekly_review(points: Iterable[CheckinPoint], steps_done: int, today: date) -> list[ReviewLine]:
    """The look back as prompt keys with data, in speaking order."""
    week = in_window(points, today)
    lines = [_counted("review.checkins", len(week))]
    trend = mood_trend(week)
    if week:
        lines.append(ReviewLine(f"review.trend.{trend}"))
    contact_days = len({p.day for p in week if p.contact})
    if contact_days:
        lines.append(_counted("review.contact", contact_days))
    lines.append(_counted("review.steps", steps_done))
    lines.append(ReviewLine(encouragement(week, trend, steps_done)))
    return lines
