"""Clocks: simulated time runs on; nothing else asks the OS for the time."""

from __future__ import annotations

import re
import time
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from assistant.clock import SimulatedClock, SystemClock, local_zone, make_clock, parse_now
from assistant.errors import BegleiterError

BERLIN = ZoneInfo("Europe/Berlin")


def test_simulated_clock_starts_at_the_given_local_time_and_runs_on() -> None:
    clock = make_clock("2026-11-27T09:00", BERLIN)
    first = clock.now()
    assert first.tzinfo is not None
    assert first.replace(tzinfo=None) == datetime(2026, 11, 27, 9, 0)
    time.sleep(1.1)
    assert clock.now() - first >= timedelta(seconds=1)


def test_simulated_clock_crosses_daylight_saving_correctly() -> None:
    clock = SimulatedClock(datetime(2027, 3, 28, 1, 30), BERLIN)
    clock.advance(timedelta(hours=1))
    moment = clock.now()
    assert (moment.hour, moment.minute) == (3, 30)  # 02:00 -> 03:00 that night
    assert moment.utcoffset() == timedelta(hours=2)


def test_system_clock_is_close_to_real_time() -> None:
    now = SystemClock(BERLIN).now()
    assert abs(now.timestamp() - time.time()) < 5


@pytest.mark.parametrize("text", ["morgen", "2026-13-01T09:00", "2026-11-27 09:00", ""])
def test_bad_now_gives_a_german_error(text: str) -> None:
    with pytest.raises(BegleiterError, match="Zeitangabe"):
        parse_now(text)


def test_unknown_time_zone_is_a_german_error() -> None:
    with pytest.raises(BegleiterError, match="Zeitzone"):
        local_zone("Mars/Olympus")


def test_no_code_calls_datetime_now_directly() -> None:
    package = Path(__file__).resolve().parent.parent / "assistant"
    pattern = re.compile(r"datetime\.now\(|datetime\.today\(|date\.today\(|time\.localtime\(")
    offenders = [f"{path.relative_to(package)}:{number}"
                 for path in package.rglob("*.py") if path.name != "clock.py"
                 for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
                 if pattern.search(line)]
    assert offenders == []
