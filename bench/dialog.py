"""Dialogue benchmark: how long the engine takes per turn, from an empty store to five years.

Runs a scripted check-in (start, yes, mood, energy, contact, step answer) with
the real understander, prompts and store, on an empty data dir and on one and
five years of synthetic daily use (written like bench/store.py does). The
figure that matters is the engine's share of "final transcript -> first audio"
(budget 150 ms in total on the development machine). Prints a table and
writes bench/results/dialog.json.

    .venv/bin/python bench/dialog.py [--rounds 5] [--out bench/results/dialog.json]
"""

from __future__ import annotations

import argparse
import json
import platform
import random
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from assistant.clock import SimulatedClock  # noqa: E402
from assistant.dialog.engine import Engine  # noqa: E402
from assistant.dialog.prompts import load_prompts  # noqa: E402
from assistant.nlu.understand import Understander  # noqa: E402
from assistant.resources import intents_dir, prompts_dir  # noqa: E402
from assistant.store import open_store  # noqa: E402
from store import FIRST_YEAR, ZONE, fill  # noqa: E402

SCRIPT = ["ja", "vier", "drei", "nein", "ja"]


def measure(label: str, days: int, rounds: int) -> dict:
    prompts, understander = load_prompts(prompts_dir()), Understander(intents_dir())
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp)
        from datetime import datetime
        last = fill(base, days) if days else datetime(FIRST_YEAR, 12, 31, tzinfo=ZONE)
        store = open_store(base)
        store.settings.update(address="du", country="DE", onboarding_done=True)
        clock = SimulatedClock(last.replace(hour=21, minute=0, tzinfo=None), ZONE)
        starts, turns = [], []
        for round_ in range(rounds):
            clock.advance(timedelta(days=1))
            engine = Engine(prompts, understander, clock, store, rng=random.Random(round_))
            began = time.perf_counter()
            engine.start()
            starts.append((time.perf_counter() - began) * 1000)
            for line in SCRIPT:
                began = time.perf_counter()
                engine.handle(line)
                turns.append((time.perf_counter() - began) * 1000)
        store.close()
    turns.sort()
    return {"scenario": label, "days": days, "turns": len(turns),
            "start_ms_median": round(statistics.median(starts), 1),
            "turn_p50_ms": round(statistics.median(turns), 2),
            "turn_p95_ms": round(turns[max(int(len(turns) * .95) - 1, 0)], 2),
            "turn_max_ms": round(turns[-1], 2)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--out", default=str(ROOT / "bench" / "results" / "dialog.json"))
    args = parser.parse_args()
    rows = [measure("empty", 0, args.rounds), measure("one year", 365, args.rounds),
            measure("five years", 5 * 365, args.rounds)]
    print(f"{'scenario':<12} {'start ms':>9} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8}")
    for row in rows:
        print(f"{row['scenario']:<12} {row['start_ms_median']:>9} {row['turn_p50_ms']:>8} "
              f"{row['turn_p95_ms']:>8} {row['turn_max_ms']:>8}")
    result = {"machine": platform.platform(), "python": platform.python_version(), "rows": rows}
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
