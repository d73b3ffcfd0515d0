"""``progress``: the look back on the last 7 days, spoken from real data.

The sentences are chosen by :func:`assistant.dialog.review.weekly_review`;
this flow only gathers the data (check-ins of the window, steps marked done
in it) and says the result in one turn.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import TYPE_CHECKING

from assistant.dialog.flows.base import Flow, Outcome
from assistant.dialog.review import WINDOW_DAYS, CheckinPoint, weekly_review
from assistant.nlu.result import NluResult

if TYPE_CHECKING:
    from assistant.dialog.context import Context


def window_start(now: datetime) -> datetime:
    """Local midnight at the start of the 7-day window that ends today."""
    first_day = now.date() - timedelta(days=WINDOW_DAYS - 1)
    return datetime.combine(first_day, time(0), tzinfo=now.tzinfo)


def review_outcome(ctx: "Context") -> Outcome:
    now = ctx.now()
    since = window_start(now)
    points = [CheckinPoint(c.at.astimezone(now.tzinfo).date(), c.mood, c.energy, c.contact)
              for c in ctx.memory.checkins_since(since)]
    done = [s for s in ctx.memory.store.steps.all()
            if s.state == "done" and s.done_at is not None and s.done_at >= since]
    lines = weekly_review(points, len(done), now.date())
    replies = [ctx.say("review.intro"), *(ctx.say(line.key, **line.data) for line in lines)]
    return Outcome(tuple(replies), done=True)


class ReviewFlow(Flow):
    """One turn: the look back."""

    name = "progress"

    def start(self, ctx: "Context", result: NluResult | None) -> Outcome:
        return review_outcome(ctx)

    def handle(self, ctx: "Context", result: NluResult) -> Outcome:
        return Outcome((), done=True, unhandled=True)
