"""Fault injection: a real writer process is SIGKILLed at random moments, 200+ times.

After every kill the store must open without needing any repair (atomic
writes never leave a damaged file behind) and hold every record whose write
had been acknowledged. Seeded, so a failure can be replayed.
"""

from __future__ import annotations

import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from assistant.store import Store, open_store
from tests.conftest import ROOT
from tests.helpers_store import OPERATIONS

KILLS = 210
SEED = 20261126


def _spawn(data_dir: Path, start: int) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "tests.helpers_store", str(data_dir), str(start)],
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, cwd=ROOT)


def _kill_round(data_dir: Path, start: int, rng: random.Random) -> list[int]:
    """Start a writer, SIGKILL it after a random delay, return the acknowledged indices."""
    writer = _spawn(data_dir, start)
    assert writer.stdout is not None
    if rng.random() < 0.1:  # sometimes while it is still starting (opening, checking files)
        time.sleep(rng.uniform(0, 0.08))
    else:
        assert writer.stdout.readline().strip() == "ready"
        time.sleep(rng.uniform(0, 0.012))
    writer.send_signal(signal.SIGKILL)
    writer.wait()
    lines = writer.stdout.read().split()
    writer.stdout.close()
    return [int(n) for word, n in zip(lines, lines[1:]) if word == "ack"]


def _check(store: Store, acked: list[int]) -> None:
    texts = {e.text for e in store.journal.all()}
    notes = {c.note for c in store.checkins.all()}
    reminders = {r.what for r in store.reminders.all()}
    accepted = {s.label for s in store.steps.all() if s.state == "accepted"}
    found = {"journal": texts, "checkin": notes, "reminder": reminders, "step": accepted}
    settings_acks = [i for i in acked if OPERATIONS[i % len(OPERATIONS)] == "settings"]
    for index in acked:
        kind = OPERATIONS[index % len(OPERATIONS)]
        if kind != "settings":
            assert f"op-{index}" in found[kind], f"acknowledged {kind} op-{index} is missing"
    if settings_acks:
        paused = store.settings.get().paused_exercise or {}
        assert paused.get("op", -1) >= max(settings_acks)


@pytest.mark.slow
def test_sigkill_during_writes_never_loses_an_acknowledged_record(data_dir: Path) -> None:
    rng = random.Random(SEED)
    acked: list[int] = []
    start = 0
    for _ in range(KILLS):
        new = _kill_round(data_dir, start, rng)
        acked += new
        start = (max(new) + 2) if new else start + 1  # never reuse an index that may be on disk
        with open_store(data_dir) as store:
            assert store.recoveries == [], store.recoveries
            _check(store, acked)
    assert len(acked) > KILLS, "the writer hardly wrote anything: kills did not hit writes"
    months = sorted(p.name for p in (data_dir / "store").glob("history-*.json"))
    assert len(months) >= 2  # the run crossed into new monthly files
