"""Fault injection: a real writer process is SIGKILLed at random moments, 200+ times.

After every kill the store must open without needing any repair (atomic
writes never leave a damaged file behind) and hold every record whose write
had been acknowledged. Seeded, so a failure can be replayed.
"""

from __future__ import annotations

import os
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


class Writers:
    """Forks writer processes through a zygote (see tests.helpers_store.zygote)."""

    def __init__(self, data_dir: Path) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "tests.helpers_store", "zygote", str(data_dir)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, cwd=ROOT)
        self.pid = 0

    def line(self) -> str:
        assert self.proc.stdout is not None
        text = self.proc.stdout.readline()
        assert text, "the zygote died"
        return text.strip()

    def kill_round(self, start: int, rng: random.Random) -> tuple[list[int], int]:
        """Fork a writer, SIGKILL it at a random moment; return (acked indices, acks awaited).

        Usually the kill comes after a random number of acknowledged writes plus
        a random fraction of a write, so it lands anywhere inside the write
        sequence however fast or loaded the machine is; sometimes it comes while
        the writer is still starting (opening and checking the files).
        """
        assert self.proc.stdin is not None
        self.proc.stdin.write(f"spawn {start}\n")
        self.proc.stdin.flush()
        pid = self.pid = int(self.line().split()[1])
        awaited = 0
        if rng.random() < 0.1:
            time.sleep(rng.uniform(0, 0.004))
        else:
            assert self.line() == "ready"
            awaited = rng.randrange(0, 8)
            for _ in range(awaited):
                assert self.line().startswith("ack ")
            time.sleep(rng.uniform(0, 0.003))
        os.kill(pid, signal.SIGKILL)
        acked = [start + i for i in range(awaited)]
        while (text := self.line()) != "dead":
            if text.startswith("ack "):
                acked.append(int(text.split()[1]))
        return acked, awaited

    def close(self) -> None:
        assert self.proc.stdin is not None
        try:
            if self.pid:
                os.kill(self.pid, signal.SIGKILL)  # after a failed assertion
        except ProcessLookupError:
            pass
        self.proc.stdin.close()
        self.proc.wait(timeout=30)


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
    awaited_total = 0
    start = 0
    writers = Writers(data_dir)
    try:
        for _ in range(KILLS):
            new, awaited = writers.kill_round(start, rng)
            awaited_total += awaited
            acked += new
            start = (max(new) + 2) if new else start + 1  # never reuse an index that may be on disk
            with open_store(data_dir) as store:
                assert store.recoveries == [], store.recoveries
                _check(store, acked)
    finally:
        writers.close()
    assert len(acked) >= awaited_total > KILLS  # the kills really interrupted a stream of writes
    months = sorted(p.name for p in (data_dir / "store").glob("history-*.json"))
    assert len(months) >= 2  # the run crossed into new monthly files
