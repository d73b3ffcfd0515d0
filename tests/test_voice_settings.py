"""'langsamer', 'schneller', 'lauter', 'leiser': one step, stored, never the wrong way."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from assistant.clock import SimulatedClock
from assistant.dialog.engine import Engine
from assistant.store import open_store
from tests.helpers_dialog import ZONE, prompts, understander


def engine(data_dir: Path, rate: int, volume: float) -> Engine:
    store = open_store(data_dir)
    clock = SimulatedClock(datetime(2026, 11, 27, 9, 0), ZONE)
    engine = Engine(prompts(), understander(), clock, store, speech_rate=rate, volume=volume)
    engine.start()
    return engine


@pytest.mark.parametrize("rate, said, expected_rate, key", [
    (165, "schneller bitte", 185, "dialog.faster"),
    (165, "sprich langsamer", 145, "dialog.slower"),
    (300, "schneller bitte", None, "dialog.faster_limit"),   # configured above our steps: never slower
    (300, "sprich langsamer", 280, "dialog.slower"),
    (90, "sprich langsamer", None, "dialog.slower_limit"),   # configured below: never faster
])
def test_rate_steps_towards_the_limit_only(data_dir: Path, rate: int, said: str,
                                           expected_rate: int | None, key: str) -> None:
    talk = engine(data_dir, rate, 0.9)
    turn = talk.handle(said)
    assert turn.replies[0].key == key
    assert talk.ctx.memory.setting("speech_rate", None) == expected_rate


def test_volume_steps_and_stops_at_full(data_dir: Path) -> None:
    talk = engine(data_dir, 165, 0.9)
    assert talk.handle("lauter").replies[0].key == "dialog.louder"
    assert talk.ctx.memory.setting("volume", None) == 1.0
    assert talk.handle("lauter").replies[0].key == "dialog.louder_limit"
    assert talk.handle("leiser").replies[0].key == "dialog.quieter"
    assert talk.ctx.memory.setting("volume", None) == 0.9
