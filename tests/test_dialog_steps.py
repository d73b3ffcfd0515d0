"""Steps that fit the moment: time of day, energy, and what the person declined lately."""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from assistant.clock import SimulatedClock
from assistant.dialog.engine import Engine
from assistant.dialog.flows.steps import DECLINED_DAYS, choose_step
from assistant.store import open_store
from tests.helpers_dialog import ZONE, prompts, understander


@pytest.fixture
def store(tmp_path: Path):
    with open_store(tmp_path / "data") as opened:
        opened.settings.update(address="du", country="DE", onboarding_done=True)
        yield opened


def context(store, at: datetime, seed: int = 1):
    return Engine(prompts(), understander(), SimulatedClock(at, ZONE), store, rng=random.Random(seed)).ctx


def test_evening_offers_only_steps_that_can_still_be_done_today(store) -> None:
    day_only = {step.key for step in context(store, datetime(2026, 11, 27, 10)).content.steps if step.latest <= 19}
    assert len(day_only) >= 5  # walks, visits, groups: the filter has something to filter
    evening, morning = set(), set()
    for seed in range(60):
        for energy in ("low", "medium", "high"):
            evening.add(choose_step(context(store, datetime(2026, 11, 27, 19, 30), seed), energy, set()).key)
            morning.add(choose_step(context(store, datetime(2026, 11, 27, 10), seed), energy, set()).key)
    assert not evening & day_only
    assert morning & day_only  # by day they are offered
    assert "steps.plan_tomorrow" in evening


def test_a_declined_step_rests_for_two_weeks(store) -> None:
    at = datetime(2026, 11, 27, 10)
    ctx = context(store, at)
    before = ctx.now() - timedelta(days=4)
    lows = [step for step in ctx.content.steps if step.energy == "low" and step.earliest <= 10 < step.latest]
    for step in lows[:-1]:  # all low steps but one declined four days ago
        record = ctx.memory.offer_step(step.key, step.label, before)
        ctx.memory.set_step_state(record, "declined", before)
    chosen = {choose_step(context(store, at, seed), "low", set()).key for seed in range(30)}
    assert chosen == {lows[-1].key}
    later = at + timedelta(days=DECLINED_DAYS)
    assert len({choose_step(context(store, later, seed), "low", set()).key for seed in range(30)}) > 1


def test_two_declines_in_a_week_make_the_next_offer_smaller(store) -> None:
    at = datetime(2026, 11, 27, 10)
    ctx = context(store, at)
    assert {choose_step(context(store, at, s), "high", set()).energy for s in range(20)} == {"high"}
    for step in [s for s in ctx.content.steps if s.energy == "high"][:2]:
        record = ctx.memory.offer_step(step.key, step.label, ctx.now() - timedelta(days=1))
        ctx.memory.set_step_state(record, "declined", ctx.now() - timedelta(days=1))
    assert {choose_step(context(store, at, s), "high", set()).energy for s in range(20)} == {"medium"}
